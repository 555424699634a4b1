// Package testutil holds what the test packages share. Only tests import it.
package testutil

import (
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// NoRaceExitSleep makes the processes a race-built test starts exit at
// once: the race detector otherwise sleeps a second at every exit
// (GORACE atexit_sleep_ms, default 1000), and a lesson's processes would
// linger that long after their work, idle, inside the phase that measures
// them. Call it first in TestMain, before any child process starts.
func NoRaceExitSleep() {
	if g := os.Getenv("GORACE"); !strings.Contains(g, "atexit_sleep_ms") {
		os.Setenv("GORACE", strings.TrimSpace(g+" atexit_sleep_ms=0"))
	}
}

// MeasuresCPU skips a test that holds mtviz's CPU figures to a lesson's
// bounds when the race detector is built in: it makes channel hand-overs
// cost several times more (gil's GIL phase measures 1.4 cores instead of
// 1.1), so the figures would be the detector's, not mtviz's. test.sh runs
// these tests again without -race.
func MeasuresCPU(t interface{ Skip(args ...any) }) {
	if Race {
		t.Skip("CPU figures of a race-built binary are not mtviz's; test.sh runs this test without -race")
	}
}

// SixteenLanes is a lesson of 16 tasks that lock, add, work and sleep for
// about five seconds: the busy many-lane run the replay benchmarks and the
// big-recording tests are shaped after.
const SixteenLanes = `title: sixteen lanes
objects: {m: {kind: lock}, c: {kind: counter}}
tasks:
  - name: w
    count: 16
    steps:
      - repeat:
          times: 300
          steps: [{lock: m}, {add: {counter: c, n: 1}}, {busy: 1ms}, {unlock: m}, {sleep: 15ms}]
`

// Ms is n milliseconds.
func Ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// Main runs the tests of a package whose tests start lesson processes:
// child is the engine's re-exec entry (engine.MaybeChild), which a child
// process takes and never returns from; race-built children exit at once;
// and no goroutine may outlive the tests.
func Main(m *testing.M, child func()) {
	NoRaceExitSleep()
	child()
	goleak.VerifyTestMain(m)
}
