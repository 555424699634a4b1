package main

import (
	"strings"
	"testing"
)

// The orphan's key pressed after its child had died: the child was a
// zombie handed on to mtviz with its parent's end, not an orphan that lived
// on, and the check that says it was adopted fails.
func TestOrphanLateKeyFails(t *testing.T) {
	out, stderr, code := mtviz(t, "run", "--headless", "testdata/orphan-late.yaml")
	if code != exitCheck {
		t.Fatalf("exit %d, want 1 (a check failed):\n%s\n%s", code, out, stderr)
	}
	if !strings.Contains(out, "FAIL  the orphan's PPID changed to its adopter's") || !strings.Contains(out, "already exited (state Z) under its old parent") {
		t.Errorf("the adopted check did not fail for a zombie handed on:\n%s", out)
	}
}

// A task that ends holding a lock another waits for leaves the run stuck:
// it is ended at once, names who waits for what and who held it, and fails.
func TestStuckRunIsNamedAndFails(t *testing.T) {
	out, stderr, code := mtviz(t, "run", "--headless", "--timeout", "60", "testdata/held-at-end.yaml")
	if code != exitCheck {
		t.Fatalf("exit %d, want 1:\n%s\n%s", code, out, stderr)
	}
	for _, want := range []string{"warning: 8:5: task \"a\" can end holding m",
		"stuck: b waits for lock m, held by a, which has ended holding it", "FAIL  no task was left waiting forever"} {
		if !strings.Contains(out, want) {
			t.Errorf("the run did not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "stopped before the end") {
		t.Errorf("the stuck run waited for --timeout:\n%s", out)
	}
}
