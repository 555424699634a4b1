package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Each way an output once destroyed an input, or another output, or ran
// a whole sweep to lose its points: refused before anything runs, exit 2,
// the path named, the input as it was.
func TestOutputsNeverOverwriteInputs(t *testing.T) {
	dir := t.TempDir()
	keep := filepath.Join(dir, "keep.jsonl")
	rec, _ := os.ReadFile("testdata/hostile.jsonl")
	os.WriteFile(keep, rec, 0o600)
	lesson := filepath.Join(dir, "mylesson.yaml")
	src, _ := os.ReadFile("testdata/pass.yaml")
	os.WriteFile(lesson, src, 0o600)
	link := filepath.Join(dir, "link.yaml")
	os.Symlink(lesson, link)
	same := filepath.Join(dir, "same.out")
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"replay's trace over the recording", []string{"replay", "--headless", "--trace", keep, keep}, "replay: --trace " + keep + " is the recording being replayed"},
		{"a run's recording over its lesson", []string{"run", lesson, "--headless", "--record", lesson}, "run: --record " + lesson + " is the lesson being run"},
		{"a run's trace over its lesson through a link", []string{"run", lesson, "--headless", "--trace", link}, "run: --trace " + link + " is the lesson being run"},
		{"recording and trace in one file", []string{"run", "testdata/pass.yaml", "--headless", "--record", same, "--trace", same}, "run: --record " + same + " and --trace " + same + " are the same file"},
		{"a sweep's points where no directory is", []string{"run", "testdata/variants.yaml", "--headless", "--csv", "/nonexistent/x.csv"}, "run: --csv /nonexistent/x.csv: its directory /nonexistent: no such file or directory"},
		{"a recording where nothing can be written", []string{"run", "testdata/pass.yaml", "--headless", "--record", "/proc/x.jsonl"}, "run: --record /proc/x.jsonl: its directory cannot be written"},
		{"watch recording over the script it runs", []string{"watch", "--headless", "--record", lesson, "--", "cat", lesson}, "watch: --record " + lesson + " is a file the watched command names"},
		{"watch trace over the program", []string{"watch", "--headless", "--trace", "/bin/true", "--", "true"}, "is the watched program"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, errb, code := mtviz(t, c.args...)
			if code != exitUsage || !strings.Contains(errb, c.want) {
				t.Errorf("exit %d, %q; want 2 and %q", code, errb, c.want)
			}
			if strings.Contains(out, "point 1 of") {
				t.Errorf("a point ran before the refusal:\n%s", out)
			}
		})
	}
	if b, _ := os.ReadFile(keep); string(b) != string(rec) {
		t.Error("the recording was changed")
	}
	if b, _ := os.ReadFile(lesson); string(b) != string(src) {
		t.Error("the lesson was changed")
	}
	if _, err := os.Stat(same); err == nil {
		t.Error("a file was written for two outputs")
	}
}

// A run that fails, however, leaves an old output whole: a replay of a
// recording found wrong halfway, and a run killed with SIGKILL; one that
// ends puts the new file in its place.
func TestFailedRunLeavesOldOutputWhole(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old.json")
	os.WriteFile(old, []byte("the old trace"), 0o600)
	bad := filepath.Join(dir, "bad.jsonl")
	good, _ := os.ReadFile("testdata/hostile.jsonl")
	lines := strings.SplitAfter(string(good), "\n")
	os.WriteFile(bad, []byte(lines[0]+lines[1]+`{"sample":{"t":-5,"cores":[],"procs":[]}}`+"\n"+lines[len(lines)-2]), 0o600)
	if _, errb, code := mtviz(t, "replay", "--headless", "--trace", old, bad); code != exitUsage || !strings.Contains(errb, bad+":3: a time before the run began") {
		t.Errorf("exit %d, %q", code, errb)
	}
	if b, _ := os.ReadFile(old); string(b) != "the old trace" {
		t.Errorf("the old trace became %q", b)
	}

	c := exec.Command(os.Args[0], "run", "testdata/family.yaml", "--headless", "--record", old)
	c.Env = append(os.Environ(), "MTVIZ_MAIN=1")
	out, _ := c.StdoutPipe()
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() && !strings.Contains(sc.Text(), "family ready") {
	}
	c.Process.Kill()
	c.Wait()
	if b, _ := os.ReadFile(old); string(b) != "the old trace" {
		t.Errorf("after SIGKILL the old file became %q", b)
	}

	if _, errb, code := mtviz(t, "replay", "--headless", "--trace", old, "testdata/hostile.jsonl"); code != 0 && code != exitCheck {
		t.Fatalf("exit %d: %s", code, errb)
	}
	if b, _ := os.ReadFile(old); !strings.HasPrefix(string(b), `{"displayTimeUnit"`) {
		t.Errorf("the finished trace was not put in place: %.80q", b)
	}
}

// A recording that cannot be written (a full disk) is said, naming the
// output's path, not a temporary file's.
func TestUnwritableRecordingNamesItsPath(t *testing.T) {
	_, errb, code := mtviz(t, "run", "testdata/pass.yaml", "--headless", "--record", "/dev/full")
	if code == exitOK || !strings.Contains(errb, "the recording is incomplete: --record /dev/full: no space left on device") {
		t.Errorf("exit %d, %q", code, errb)
	}
}
