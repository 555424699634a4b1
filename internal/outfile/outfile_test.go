package outfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestOutputsNeverOverwriteInputs(t *testing.T) {
	dir := t.TempDir()
	lesson := filepath.Join(dir, "lesson.yaml")
	os.WriteFile(lesson, []byte("title: x\n"), 0o600)
	link := filepath.Join(dir, "link.yaml")
	os.Symlink(lesson, link)
	hard := filepath.Join(dir, "hard.yaml")
	os.Link(lesson, hard)
	os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "dangling"))
	in := []Input{{"the lesson", lesson}}
	for _, c := range []struct {
		name string
		outs []Output
		want string
	}{
		{"record over the lesson", []Output{{"--record", lesson}}, "--record " + lesson + " is the lesson (" + lesson + ")"},
		{"through a link", []Output{{"--trace", link}}, "--trace " + link + " is the lesson"},
		{"a hard link", []Output{{"--trace", hard}}, "--trace " + hard + " is the lesson"},
		{"the same path twice", []Output{{"--record", dir + "/same.out"}, {"--trace", dir + "/./same.out"}}, "--record " + dir + "/same.out and --trace " + dir + "/./same.out are the same file"},
		{"a directory that does not exist", []Output{{"--csv", "/nonexistent/x.csv"}}, "--csv /nonexistent/x.csv: its directory /nonexistent: no such file or directory"},
		{"a directory", []Output{{"--record", dir}}, "--record " + dir + ": is a directory"},
		{"a dangling link", []Output{{"--record", filepath.Join(dir, "dangling")}}, "is a link to a file that does not exist"},
	} {
		err := Check(in, c.outs)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
	if err := Check(in, []Output{{"--record", filepath.Join(dir, "run.jsonl")}, {"--trace", filepath.Join(dir, "run.json")}}); err != nil {
		t.Errorf("two new files: %v", err)
	}
	if err := Check(in, []Output{{"--csv", "/proc/run.csv"}}); err == nil || !strings.Contains(err.Error(), "--csv /proc/run.csv: its directory cannot be written") {
		t.Errorf("a directory that cannot be written: %v", err)
	}
	if _, err := Create("--record", "/proc/run.jsonl"); err == nil || !strings.Contains(err.Error(), "--record /proc/run.jsonl: its directory cannot be written") {
		t.Errorf("a directory that cannot be written: %v", err)
	}
}

// A run that fails leaves the old file whole; one that ends puts the new
// one in its place, with the old one's mode, through a link if it was one.
func TestFailedRunLeavesTheOldFileWhole(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "run.jsonl")
	os.WriteFile(old, []byte("old"), 0o640)
	f, err := Create("--record", old)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("half a new recording"))
	f.Abort()
	if b, _ := os.ReadFile(old); string(b) != "old" {
		t.Errorf("after a failed run the file holds %q", b)
	}
	link := filepath.Join(dir, "link")
	os.Symlink(old, link)
	f, err = Create("--record", link)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("new"))
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(old)
	if b, _ := os.ReadFile(old); string(b) != "new" || st.Mode().Perm() != 0o640 {
		t.Errorf("after the end: %q, mode %v", b, st.Mode())
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced by a file")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*mtviz*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if err := WriteFile("--csv", "/dev/null", []byte("x")); err != nil {
		t.Errorf("a device is written in place: %v", err)
	}
}
