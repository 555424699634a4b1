package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The headless text and JSON Lines of run, replay, compare, sweep and
// watch, captured from the printers before internal/report took them over:
// a recording replayed prints exactly what it printed then; a live run,
// whose numbers and timings differ each time, prints lines of the same
// shape (numbers masked) and JSON lines with the same keys in the same
// order. go test ./cmd/mtviz -run TestReportShape -update writes them again.

var update = flag.Bool("update", false, "write the report fixtures in testdata/report again")

const fixtures = "testdata/report"

// golden compares got with a fixture, or writes it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(fixtures, name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s changed:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

var (
	number = regexp.MustCompile(`[0-9]+(\.[0-9]+)?[kMG]?`)
	spaces = regexp.MustCompile(`[ \t]+`)
	// A sweep's point is busy or quiet as the machine was meanwhile.
	busy = regexp.MustCompile(` \(busy: [^)]*\)`)
)

// masked is text with every number N and every run of blanks one space:
// its shape, not its measures.
func masked(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		l = busy.ReplaceAllString(l, "")
		out = append(out, strings.TrimRight(spaces.ReplaceAllString(number.ReplaceAllString(l, "N"), " "), " "))
	}
	return strings.Join(out, "\n")
}

// keys are the keys of a JSON object, in the order it has them.
func keys(t *testing.T, line string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %q", line)
	}
	var ks []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		ks = append(ks, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
	}
	return ks
}

// jsonShape is the type and keys of the lines of a JSON Lines output,
// one line each, with events and samples (whose keys follow the event's
// kind and what the probe saw) checked to start with type and t, and left
// out; the rest is the run's outcome, whose keys are fixed.
func jsonShape(t *testing.T, out string) string {
	t.Helper()
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		ks := keys(t, l)
		if strings.HasPrefix(l, `{"type":"event",`) || strings.HasPrefix(l, `{"type":"sample",`) {
			if len(ks) < 2 || ks[1] != "t" {
				t.Errorf("an event or sample without its time second: %q", l)
			}
			continue
		}
		var typ struct{ Type string }
		json.Unmarshal([]byte(l), &typ)
		b.WriteString(typ.Type + ": " + strings.Join(ks, ",") + "\n")
	}
	return b.String()
}

func wantCode(t *testing.T, what string, code, want int, stderr string) {
	t.Helper()
	if code != want {
		t.Fatalf("%s: exit %d, want %d: %s", what, code, want, stderr)
	}
}

// A recording replayed, and two compared, print exactly what they did.
func TestReportShapeReplayed(t *testing.T) {
	for _, c := range []struct {
		name string
		code int
		args []string
	}{
		{"replay-pass.txt", exitOK, []string{"replay", "--headless", "pass.jsonl"}},
		{"replay-pass.json", exitOK, []string{"replay", "--json", "pass.jsonl"}},
		{"replay-fail.txt", exitCheck, []string{"replay", "--headless", "fail.jsonl"}},
		{"compare-replay.txt", exitOK, []string{"compare", "--replay", "--headless", "compare-1.jsonl", "compare-2.jsonl"}},
		{"compare-replay-all.txt", exitOK, []string{"compare", "--replay", "--headless", "--all-figures", "compare-1.jsonl", "compare-2.jsonl"}},
		{"compare-replay.json", exitOK, []string{"compare", "--replay", "--json", "compare-1.jsonl", "compare-2.jsonl"}},
	} {
		args := append([]string{}, c.args...)
		for i, a := range args {
			if strings.HasSuffix(a, ".jsonl") {
				args[i] = filepath.Join(fixtures, a)
			}
		}
		out, stderr, code := mtviz(t, args...)
		wantCode(t, c.name, code, c.code, stderr)
		golden(t, c.name, out)
	}
}

// A live run, a run that follows a schedule to its goal, a sweep and a
// watch print lines of the same shape as before, and JSON lines with the
// same keys.
func TestReportShapeLive(t *testing.T) {
	schedule := filepath.Join(fixtures, "race-play-goal.schedule")
	for _, c := range []struct {
		name string
		code int
		args []string
	}{
		{"run-pass", exitOK, []string{"run", "testdata/pass.yaml"}},
		{"run-fail", exitCheck, []string{"run", "testdata/fail.yaml"}},
		{"run-goal", exitCheck, []string{"run", "race-play", "--schedule", schedule}},
		{"sweep", exitOK, []string{"run", "testdata/variants.yaml", "--set", "lock=off"}},
	} {
		out, stderr, code := mtviz(t, append(c.args, "--headless")...)
		wantCode(t, c.name, code, c.code, stderr)
		golden(t, c.name+".txt.shape", masked(out))
		out, stderr, code = mtviz(t, append(c.args, "--json")...)
		wantCode(t, c.name+" --json", code, c.code, stderr)
		golden(t, c.name+".json.shape", jsonShape(t, out))
	}
	// A watched program's lines depend on what the probe saw of it: the
	// first and the last are fixed.
	out, stderr, code := mtviz(t, "watch", "--headless", "--", "sh", "-c", "echo hi")
	wantCode(t, "watch", code, exitOK, stderr)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	golden(t, "watch.txt.shape", masked(lines[0]+"\n"+lines[len(lines)-1]+"\n"))
	if !bytes.Contains([]byte(out), []byte(" hi\n")) {
		t.Errorf("watch --headless did not print the program's line:\n%s", out)
	}
	out, stderr, code = mtviz(t, "watch", "--json", "--", "true")
	wantCode(t, "watch --json", code, exitOK, stderr)
	golden(t, "watch.json.shape", jsonShape(t, out))
}

// An exploration prints what it did before: its text with the numbers
// masked (its timings differ), its JSON line likewise, every key in place.
func TestReportShapeExplored(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		args []string
	}{
		{"explore-deadlock", []string{"explore", "deadlock-play", "--out", dir}},
		{"explore-sample", []string{"explore", "race-play", "--max", "10", "--seed", "7"}},
	} {
		out, stderr, code := mtviz(t, c.args...)
		wantCode(t, c.name, code, exitOK, stderr)
		golden(t, c.name+".txt.shape", masked(strings.ReplaceAll(out, dir, "DIR")))
		out, stderr, code = mtviz(t, append(c.args, "--json")...)
		wantCode(t, c.name+" --json", code, exitOK, stderr)
		golden(t, c.name+".json.shape", masked(out))
	}
}

// Under --lang zh the text's own words are Chinese, and the JSON is the
// same, to the byte, as in English.
func TestReportInChinese(t *testing.T) {
	rec := filepath.Join(fixtures, "pass.jsonl")
	out, stderr, code := mtviz(t, "--lang", "zh", "replay", "--json", rec)
	wantCode(t, "replay --json in Chinese", code, exitOK, stderr)
	// Keys and values a program reads are English in both languages; a
	// verdict's detail, prose for a person, is in the language asked for.
	detail := regexp.MustCompile(`"detail":"[^"]*"`)
	if !strings.Contains(out, `"detail":"c 结束于 2"`) {
		t.Errorf("the detail is not in Chinese:\n%s", out)
	}
	want, err := os.ReadFile(filepath.Join(fixtures, "replay-pass.json"))
	if err != nil {
		t.Fatal(err)
	}
	if g, w := detail.ReplaceAllString(out, `"detail":…`), detail.ReplaceAllString(string(want), `"detail":…`); g != w {
		t.Errorf("the JSON in Chinese differs from the English beyond its details:\n--- got\n%s\n--- want\n%s", g, w)
	}
	out, stderr, code = mtviz(t, "--lang", "zh", "replay", "--headless", rec)
	wantCode(t, "replay --headless in Chinese", code, exitOK, stderr)
	if !strings.HasPrefix(out, "pass：") || !strings.Contains(out, "（1 轮，2 核）\n") {
		t.Errorf("the run's head is not in Chinese:\n%s", out)
	}
	out, stderr, code = mtviz(t, "--lang", "zh", "compare", "--replay", "--headless", filepath.Join(fixtures, "compare-1.jsonl"), filepath.Join(fixtures, "compare-2.jsonl"))
	wantCode(t, "compare in Chinese", code, exitOK, stderr)
	if !strings.Contains(out, "\n变体 1/2：cores=1\n") || !strings.Contains(out, "\n指标           cores=1  cores=all\n") {
		t.Errorf("the comparison is not in Chinese, or its table not aligned by cells:\n%s", out)
	}
}
