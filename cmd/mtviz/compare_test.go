package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"mtviz/internal/record"
)

func TestCompareRefusesWhatTheLessonLacks(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"compare", "testdata/variants.yaml", "--set", "colour=red,blue", "--headless"}, `--set colour: testdata/variants.yaml has no switch "colour" (it has: kind, tasks, lock)`},
		{[]string{"compare", "testdata/variants.yaml", "--set", "lock=on,maybe", "--headless"}, `--set lock: switch lock is one of on, off, not "maybe"`},
		{[]string{"compare", "testdata/variants.yaml", "--set", "lock", "--headless"}, "--set takes NAME=A,B"},
		{[]string{"compare", "testdata/variants.yaml", "--cores", "1,many", "--headless"}, `--cores takes a list of core counts`},
		{[]string{"compare", "testdata/variants.yaml", "--cores", "all", "--headless"}, "that is one variant"},
		{[]string{"compare", "--replay", "testdata/pass.yaml"}, "needs two or more recordings"},
		{[]string{"run", "testdata/variants.yaml", "--record", "x.jsonl", "--headless"}, "is a sweep of many runs"},
		{[]string{"run", "testdata/pass.yaml", "--csv", "x.csv", "--headless"}, "--csv is for lessons that sweep"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args[1:], " "), func(t *testing.T) {
			_, stderr, code := mtviz(t, c.args...)
			if code != exitUsage || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 saying %q", code, stderr, c.want)
			}
		})
	}
}

// jsonLines decodes every line of a --json output by its type.
func jsonLines(t *testing.T, out string) map[string][]map[string]any {
	t.Helper()
	by := map[string][]map[string]any{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not JSON: %q", sc.Text())
		}
		typ, _ := m["type"].(string)
		by[typ] = append(by[typ], m)
	}
	return by
}

// A comparison runs its variants one after another, reports each, and its
// recordings compared again give the same table.
func TestCompareRunsInTurnAndReplaysTheSame(t *testing.T) {
	dir := t.TempDir()
	out, stderr, code := mtviz(t, "compare", "testdata/variants.yaml", "--set", "lock=on,off", "--set", "kind=goroutines", "--json", "--record", dir)
	lines := jsonLines(t, out)
	vs := lines["variant"]
	if len(vs) != 2 || len(lines["compare"]) != 1 {
		t.Fatalf("exit %d, %d variant and %d compare lines, want 2 and 1:\n%s\n%s", code, len(vs), len(lines["compare"]), out, stderr)
	}
	// Times are seconds, as everywhere: a variant of 0.2 s of work, not 2e8.
	if d, _ := vs[0]["duration"].(float64); d <= 0 || d > 600 {
		t.Errorf("variant 1's duration is %v: not seconds", vs[0]["duration"])
	}
	if vs[0]["label"] != "lock=on kind=goroutines" || vs[0]["verdict"] != "pass" {
		t.Errorf("variant 1: label %v verdict %v, want lock=on kind=goroutines pass", vs[0]["label"], vs[0]["verdict"])
	}
	// Without the lock the two adds may meet and one be lost: then, and only
	// then, the variant fails and so does the comparison.
	lost := vs[1]["figures"].(map[string]any)["lost"].(float64)
	wantVerdict, wantCode := "pass", exitOK
	if lost > 0 {
		wantVerdict, wantCode = "fail", exitCheck
	}
	if vs[1]["label"] != "lock=off kind=goroutines" || vs[1]["verdict"] != wantVerdict || code != wantCode {
		t.Errorf("variant 2: label %v verdict %v exit %d with %v lost, want lock=off kind=goroutines %s exit %d", vs[1]["label"], vs[1]["verdict"], code, lost, wantVerdict, wantCode)
	}
	// In turn: the second started after the first's last item.
	var recs []*record.Recording
	for i := 1; i <= 2; i++ {
		rec, err := record.ReadFile(filepath.Join(dir, "variants-"+string(rune('0'+i))+".jsonl"), record.Options{})
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	last := recs[0].Span
	if end1 := recs[0].Header.Start.Add(last); recs[1].Header.Start.Before(end1) {
		t.Errorf("the second variant started at %v, before the first's last item at %v", recs[1].Header.Start, end1)
	}
	if recs[1].Header.Set["lock"] != "off" || recs[1].Scenario.Set["lock"] != "off" {
		t.Errorf("the second recording does not keep lock=off: %v", recs[1].Header.Set)
	}
	again, stderr, code := mtviz(t, "compare", "--replay", "--json", filepath.Join(dir, "variants-1.jsonl"), filepath.Join(dir, "variants-2.jsonl"))
	if code != wantCode {
		t.Fatalf("replay exit %d, want %d as live: %s", code, wantCode, stderr)
	}
	got := jsonLines(t, again)["compare"]
	if len(got) != 1 || !reflect.DeepEqual(got[0], lines["compare"][0]) {
		t.Errorf("replayed table differs:\n live %v\nagain %v", lines["compare"][0], got)
	}
}

// A sweep emits one point per value of each series, and --csv holds them all.
func TestSweepPointsAndCSV(t *testing.T) {
	csvPath := filepath.Join(t.TempDir(), "points.csv")
	out, stderr, code := mtviz(t, "run", "testdata/variants.yaml", "--json", "--csv", csvPath)
	if code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, stderr, out)
	}
	pts := jsonLines(t, out)["point"]
	var got []string
	for _, p := range pts {
		got = append(got, p["series"].(string)+"/"+p["over"].(string))
		figs := p["figures"].(map[string]any)
		if figs["work"].(float64) <= 0 {
			t.Errorf("point %v measured no work", p)
		}
	}
	want := []string{"goroutines/1", "goroutines/2", "goroutines/4", "processes/1", "processes/2", "processes/4"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("points %v, want %v", got, want)
	}
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(want) || rows[0][0] != "series" || rows[0][1] != "tasks" {
		t.Fatalf("csv: %v", rows)
	}
	for i, r := range rows[1:] {
		if r[0]+"/"+r[1] != want[i] {
			t.Errorf("csv row %d is %s/%s, want %s", i+1, r[0], r[1], want[i])
		}
	}
}

// --trace writes the Chrome trace event format: it parses, names each
// process's track by its PID, holds state slices and core counters; and a
// replay of the run's recording writes the very same file.
func TestTraceExportLiveAndReplayed(t *testing.T) {
	dir := t.TempDir()
	live, rec, again := filepath.Join(dir, "live.json"), filepath.Join(dir, "run.jsonl"), filepath.Join(dir, "again.json")
	if _, stderr, code := mtviz(t, "run", "fork", "--headless", "--record", rec, "--trace", live); code != exitOK {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	if _, stderr, code := mtviz(t, "replay", "--headless", "--trace", again, rec); code != exitOK {
		t.Fatalf("replay: exit %d: %s", code, stderr)
	}
	a, err := os.ReadFile(live)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(again)
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Error("the replay's trace differs from the live run's")
	}
	var doc struct {
		TraceEvents []map[string]any `json:"traceEvents"`
	}
	if err := json.Unmarshal(a, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	count := map[string]int{}
	names := map[float64]string{} // a process's last name is the one shown
	for _, e := range doc.TraceEvents {
		ph, _ := e["ph"].(string)
		count[ph]++
		if ph == "M" && e["name"] == "process_name" {
			args, _ := e["args"].(map[string]any)
			names[e["pid"].(float64)], _ = args["name"].(string)
		}
	}
	// fork: mtviz, the parent and the child, each a process of its own,
	// the lesson's processes named by their task.
	var joined []string
	for _, n := range names {
		joined = append(joined, n)
	}
	all := strings.Join(joined, "|")
	if !strings.Contains(all, "parent (") || !strings.Contains(all, "child (") || strings.Count(all, "parent (") != 1 {
		t.Errorf("trace names processes %q, want mtviz, parent and child", joined)
	}
	if count["X"] == 0 || count["C"] == 0 || count["i"] == 0 {
		t.Errorf("trace events by phase %v: want slices, counters and instants", count)
	}
}
