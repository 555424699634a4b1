//go:build race

package testutil

// Race is whether the race detector is built in.
const Race = true
