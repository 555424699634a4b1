// Package version says which mtviz this is, from what the Go toolchain
// wrote into the binary: the module's version, the commit it was built
// from, and whether the work tree had changes.
package version

import (
	"runtime/debug"
	"strings"
)

// String is mtviz's version in one line, as --version prints it and every
// recording's header keeps it: "mtviz v1.2.3", or "mtviz (devel) 1a2b3c4d
// dirty, go1.26.8" for a build from a work tree.
func String() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "mtviz (unknown build)"
	}
	parts := []string{"mtviz", bi.Main.Version}
	if bi.Main.Version == "" {
		parts[1] = "(devel)"
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	for _, p := range []string{rev, dirty} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " ") + ", " + bi.GoVersion
}
