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
