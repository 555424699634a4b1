package outfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNumbered(t *testing.T) {
	for in, want := range map[string]string{
		"run.jsonl":          "run-2.jsonl",
		"/tmp/a.b/run.trace": "/tmp/a.b/run-2.trace",
		"trace":              "trace-2",
		"dir/.rec":           "dir/.rec-2",
		"x.tar.gz":           "x.tar-2.gz",
	} {
		if got := Numbered(in, 2); got != want {
			t.Errorf("Numbered(%q) = %q, want %q", in, got, want)
		}
	}
}

// Run after run gets files of its own: numbered past any file there, the
// same number for the record and the trace, and a file that appears at
// the name during the run is never replaced.
func TestRunsNeverReplaceAFile(t *testing.T) {
	dir := t.TempDir()
	rec, trace := filepath.Join(dir, "run.jsonl"), filepath.Join(dir, "run.json")
	os.WriteFile(rec, []byte("old"), 0o644)
	os.WriteFile(filepath.Join(dir, "run-2.json"), []byte("taken"), 0o644)
	runs, err := NewRuns(nil, []Output{{"--record", rec}, {"--trace", trace}, {"--csv", ""}})
	if err != nil {
		t.Fatal(err)
	}
	write := func(files []*File, text string) []error {
		var errs []error
		for _, f := range files {
			if f != nil {
				f.Write([]byte(text))
				errs = append(errs, f.Commit())
			}
		}
		return errs
	}
	first, _ := runs.Next()
	if first[2] != nil || first[0].Path() != rec {
		t.Fatalf("the first run's files: %v", first)
	}
	second, err := runs.Next()
	if err != nil {
		t.Fatal(err)
	}
	if second[0].Path() != filepath.Join(dir, "run-3.jsonl") || second[1].Path() != filepath.Join(dir, "run-3.json") {
		t.Errorf("the second run goes to %s and %s, want run-3 (run-2.json is taken)", second[0].Path(), second[1].Path())
	}
	third, _ := runs.Next()
	if third[0].Path() != filepath.Join(dir, "run-4.jsonl") {
		t.Errorf("the third run goes to %s, want run-4 (run-3 is the second's, not yet written)", third[0].Path())
	}
	// Someone writes run-4.json while the third run goes on.
	os.WriteFile(filepath.Join(dir, "run-4.json"), []byte("theirs"), 0o644)
	for _, err := range write(first, "1") {
		if err != nil {
			t.Error(err)
		}
	}
	write(second, "2")
	errs := write(third, "3")
	if errs[0] != nil || errs[1] == nil || !strings.Contains(errs[1].Error(), "a file appeared there during the run") {
		t.Errorf("the third run's commits: %v", errs)
	}
	for name, want := range map[string]string{"run.jsonl": "1", "run.json": "1", "run-2.json": "taken",
		"run-3.jsonl": "2", "run-3.json": "2", "run-4.jsonl": "3", "run-4.json": "theirs"} {
		if b, _ := os.ReadFile(filepath.Join(dir, name)); string(b) != want {
			t.Errorf("%s holds %q, want %q", name, b, want)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// A device takes every run, unnumbered.
func TestRunsToADevice(t *testing.T) {
	runs, err := NewRuns(nil, []Output{{"--trace", "/dev/null"}})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		files, err := runs.Next()
		if err != nil || files[0].Path() != "/dev/null" {
			t.Fatalf("a run's file: %v, %v", files, err)
		}
		if err := files[0].Commit(); err != nil {
			t.Error(err)
		}
	}
}

// A later run is refused what the first was: an input's path.
func TestRunsCheckInputs(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "lesson-2.yaml")
	os.WriteFile(in, []byte("x"), 0o644)
	runs, err := NewRuns([]Input{{"the lesson", in}}, []Output{{"--record", filepath.Join(dir, "lesson.yaml")}})
	if err != nil {
		t.Fatal(err)
	}
	runs.Next()
	files, err := runs.Next()
	if err != nil || files[0].Path() != filepath.Join(dir, "lesson-3.yaml") {
		t.Errorf("the second run past the input: %v, %v", files, err)
	}
	files[0].Abort()
	runs.First()[0].Abort()
}
