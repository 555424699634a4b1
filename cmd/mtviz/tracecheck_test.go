package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// tracecheck is scripts/tracecheck: speedscope's own importer, run in node.
var tracecheck = filepath.Join("..", "..", "scripts", "tracecheck")

// speedscope's importer, the code its page runs on a dropped file, reads
// the trace of a real lesson run (thread-states: threads, tasks and the
// runtime's trace, whose events come a little out of order) as one row per
// thread and per task: their slices back to back, none nested in another.
// A dev-time check: it needs node and 'npm ci' in scripts/tracecheck.
func TestSpeedscopeDrawsEachTrackAsOneRow(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: this dev-time check runs speedscope's importer (scripts/tracecheck)")
	}
	if _, err := os.Stat(filepath.Join(tracecheck, "node_modules", "speedscope", "package.json")); err != nil {
		t.Skip("speedscope is not installed: run 'npm ci' in scripts/tracecheck for this dev-time check")
	}
	trace := filepath.Join(t.TempDir(), "run.json")
	if _, errb, code := mtviz(t, "run", "thread-states", "--headless", "--go-trace", "on", "--trace", trace); code == exitUsage {
		t.Fatalf("mtviz run: %s", errb)
	}
	var doc struct {
		TraceEvents []struct {
			Ph       string `json:"ph"`
			Pid, Tid int
		} `json:"traceEvents"`
	}
	b, err := os.ReadFile(trace)
	if err != nil || json.Unmarshal(b, &doc) != nil {
		t.Fatalf("the trace %s: %v", trace, err)
	}
	tracks := map[[2]int]int{} // the X slices of each track
	for _, e := range doc.TraceEvents {
		if e.Ph == "X" {
			tracks[[2]int{e.Pid, e.Tid}]++
		}
	}
	out, err := exec.Command(node, filepath.Join(tracecheck, "tracecheck.mjs"), trace).Output()
	if err != nil {
		t.Fatalf("tracecheck: %v: %s", err, out)
	}
	var got struct {
		Importer, Format string
		Profiles         []struct {
			Name         string
			Rows, Slices int
		}
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("tracecheck's output: %v: %s", err, out)
	}
	if got.Format != "Trace Event Format profile" {
		t.Errorf("%s read the trace as %q", got.Importer, got.Format)
	}
	if len(got.Profiles) != len(tracks) {
		t.Errorf("%s made %d profiles of the trace's %d tracks", got.Importer, len(got.Profiles), len(tracks))
	}
	backToBack := 0
	for _, p := range got.Profiles {
		if p.Rows != 1 {
			t.Errorf("%s draws %s in %d rows, its %d slices nested; want one row", got.Importer, p.Name, p.Rows, p.Slices)
		}
		if p.Slices > 1 {
			backToBack++
		}
	}
	if backToBack == 0 {
		t.Errorf("no track has two slices: the run tried nothing")
	}
	t.Logf("%s: %d tracks, %d with slices back to back", got.Importer, len(got.Profiles), backToBack)
}
