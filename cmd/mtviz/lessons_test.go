package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A teacher's on-ramp: new writes a starter that passes as it is, and never
// overwrites; --from copies a built-in under the new name; show prints a
// built-in's file; a folder of lessons runs headless in turn; a misspelt
// lesson gets a suggestion.
func TestTeacherOnRamp(t *testing.T) {
	dir := t.TempDir()
	mine := filepath.Join(dir, "mine")
	if out, errb, code := mtviz(t, "new", mine); code != exitOK || !strings.Contains(out, "wrote "+mine+".yaml") {
		t.Fatalf("new: exit %d: %s%s", code, out, errb)
	}
	if out, errb, code := mtviz(t, "run", "--headless", mine+".yaml"); code != exitOK || !strings.Contains(out, "ok: every check held") {
		t.Errorf("the starter does not pass as it is: exit %d:\n%s%s", code, out, errb)
	}
	before, _ := os.ReadFile(mine + ".yaml")
	if _, errb, code := mtviz(t, "new", mine); code != exitUsage || !strings.Contains(errb, "never overwrites") {
		t.Errorf("new over an existing file: exit %d: %s", code, errb)
	}
	if after, _ := os.ReadFile(mine + ".yaml"); string(after) != string(before) {
		t.Error("new changed an existing file")
	}
	copied := filepath.Join(dir, "my-race")
	if _, errb, code := mtviz(t, "new", copied, "--from", "race"); code != exitOK {
		t.Fatalf("new --from race: exit %d: %s", code, errb)
	}
	if b, _ := os.ReadFile(copied + ".yaml"); !strings.HasPrefix(string(b), "id: my-race\n") || !strings.Contains(string(b), "Lost updates") {
		t.Errorf("new --from race wrote:\n%.200s", b)
	}
	if out, _, code := mtviz(t, "show", "fork"); code != exitOK || !strings.HasPrefix(out, "id: fork\n") {
		t.Errorf("show fork: exit %d:\n%.200s", code, out)
	}
	if _, errb, code := mtviz(t, "show", "gill"); code != exitUsage || !strings.Contains(errb, `did you mean "gil"?`) {
		t.Errorf("show gill: exit %d: %s", code, errb)
	}
	if _, errb, code := mtviz(t, "run", "raec"); code != exitUsage || !strings.Contains(errb, `did you mean "race"?`) {
		t.Errorf("run raec: exit %d: %s", code, errb)
	}
	os.Remove(copied + ".yaml") // a race takes its time: the folder holds the starter and a quick one
	os.WriteFile(filepath.Join(dir, "fails.yaml"), []byte("title: f\nobjects:\n  c: {kind: counter}\ntasks:\n  - name: main\n    steps:\n      - add: {counter: c, n: 1}\nchecks:\n  - counter: {counter: c, equals: 2}\n"), 0o644)
	out, errb, code := mtviz(t, "run", "--headless", dir)
	if code != exitCheck || !strings.Contains(out, "mine: Two tasks and a lock") || !strings.Contains(out, "FAIL  c ends at 2") {
		t.Errorf("run DIR: exit %d:\n%s%s", code, out, errb)
	}
}
