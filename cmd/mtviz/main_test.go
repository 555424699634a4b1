package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"mtviz/internal/engine"
	"mtviz/internal/testutil"
)

// The test binary is also mtviz: with MTVIZ_MAIN=1 it runs Main, so tests
// drive the real program without building it first.
func TestMain(m *testing.M) {
	slowTrue()
	testutil.NoRaceExitSleep()
	engine.MaybeChild()
	if os.Getenv("MTVIZ_MAIN") == "1" {
		os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
	}
	// The terminal tests' own tmux server lives for the whole run: a
	// server whose last session ends exits, and a session started at that
	// moment would find none.
	keep := exec.Command("tmux", "-L", tmuxSocket, "new-session", "-d", "-s", "keep", "sleep 86400")
	kept := keep.Run() == nil
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		if kept {
			exec.Command("tmux", "-L", tmuxSocket, "kill-server").Run()
		}
		os.Exit(code)
	}))
}

// mtviz runs the program as a separate process and returns its output.
func mtviz(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return mtvizIn(t, nil, args...)
}

// mtvizIn runs the program under a wrapper command (setsid, say).
func mtvizIn(t *testing.T, wrapper []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	argv := append(append(slices.Clone(wrapper), os.Args[0]), args...)
	c := exec.Command(argv[0], argv[1:]...)
	c.Env = append(os.Environ(), "MTVIZ_MAIN=1")
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func TestBadUsage(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"run"}, "name one lesson or file"},
		{[]string{"run", "nosuch"}, `no lesson "nosuch"`},
		{[]string{"run", "race", "--bogus"}, "unknown flag --bogus"},
		{[]string{"run", "race", "--cores", "999"}, "--cores must be from 1 to"},
		{[]string{"run", "race", "--cores", "0"}, "--cores must be from 1 to"},
		{[]string{"run", "race", "--hz", "0"}, "--hz must be from 1 to 100"},
		{[]string{"run", "race", "--timeout", "soon"}, "invalid value \"soon\" for flag --timeout"},
		{[]string{"run", "testdata/broken.yaml"}, "testdata/broken.yaml:5:16: \"for\" of step \"sleep\" needs a unit"},
		{[]string{"run", "testdata/missing.yaml"}, "cannot read scenario file testdata/missing.yaml: no such file"},
		{[]string{"check", "testdata/broken.yaml"}, "testdata/broken.yaml:5:16:"},
		{[]string{"check"}, "name at least one scenario file"},
		{[]string{"list", "extra"}, "takes no arguments"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"--frob"}, "unknown flag --frob"},
		{[]string{"help", "nope"}, `no command "nope"`},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Main(c.args, &out, &errb)
			if code != exitUsage {
				t.Errorf("exit code %d, want %d", code, exitUsage)
			}
			if !strings.Contains(errb.String(), c.want) {
				t.Errorf("stderr %q does not say %q", errb.String(), c.want)
			}
		})
	}
}

func TestHelpEverywhere(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"help", "run"}, {"run", "--help"},
		{"list", "-h"}, {"check", "--help"}, {"steps", "--help"}, {"compare", "--help"}, {"watch", "--help"},
		{"replay", "--help"}, {"help", "watch"}} {
		var out, errb bytes.Buffer
		if code := Main(args, &out, &errb); code != 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errb.String())
		}
		if !strings.Contains(out.String(), "Usage") && !strings.Contains(out.String(), "usage") {
			t.Errorf("%v printed no usage: %q", args, out.String())
		}
	}
}

func TestListAndSteps(t *testing.T) {
	var out bytes.Buffer
	if Main([]string{"list"}, &out, &out) != 0 || !strings.Contains(out.String(), "race") || !strings.Contains(out.String(), "gil") {
		t.Errorf("list: %q", out.String())
	}
	out.Reset()
	if Main([]string{"list", "--json"}, &out, &out) != 0 {
		t.Fatal("list --json failed")
	}
	sc := bufio.NewScanner(&out)
	n := 0
	for sc.Scan() {
		var v struct{ ID, Title string }
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil || v.ID == "" || v.Title == "" {
			t.Errorf("bad line %q: %v", sc.Text(), err)
		}
		n++
	}
	if n < 2 {
		t.Errorf("list --json gave %d lessons", n)
	}
	out.Reset()
	if Main([]string{"steps"}, &out, &out) != 0 || !strings.Contains(out.String(), "repeat") {
		t.Errorf("steps: %q", out.String())
	}
}

func TestHeadlessExitCodes(t *testing.T) {
	out, errb, code := mtviz(t, "run", "testdata/pass.yaml", "--headless")
	if code != exitOK || !strings.Contains(out, "c is 2") || !strings.Contains(out, "PASS") {
		t.Errorf("passing lesson: exit %d\n%s%s", code, out, errb)
	}
	out, errb, code = mtviz(t, "run", "testdata/fail.yaml", "--headless")
	if code != exitCheck || !strings.Contains(out, "FAIL") {
		t.Errorf("failing lesson: exit %d\n%s%s", code, out, errb)
	}
}

// --json prints every event and sample, then a summary, as JSON Lines.
func TestHeadlessJSON(t *testing.T) {
	out, errb, code := mtviz(t, "run", "--json", "testdata/pass.yaml", "--hz", "20")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	kinds := map[string]int{}
	var sawThreads bool
	for _, l := range lines {
		var v struct {
			Type  string
			Procs []struct {
				PID, PPID int
				State     string
				Threads   []struct {
					TID, Core int
					State     string
				}
			}
			Cores []float64
		}
		var generic map[string]any
		if err := json.Unmarshal([]byte(l), &generic); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		v.Type, _ = generic["type"].(string)
		kinds[v.Type]++
		if v.Type == "sample" {
			if err := json.Unmarshal([]byte(l), &v); err != nil {
				t.Fatalf("sample of the wrong shape: %v", err)
			}
		}
		if v.Type == "sample" {
			if len(v.Cores) == 0 || len(v.Procs) == 0 {
				t.Errorf("sample without cores or processes: %s", l)
			}
			for _, p := range v.Procs {
				if p.PID > 0 && len(p.Threads) > 0 && p.Threads[0].TID > 0 && p.State != "" {
					sawThreads = true
				}
			}
		}
	}
	// Every line but the summary in time order.
	last := -1.0
	for _, l := range lines[:len(lines)-1] {
		var v struct{ T float64 }
		json.Unmarshal([]byte(l), &v)
		if v.T < last {
			t.Errorf("a line at %.3fs after one at %.3fs: %s", v.T, last, l)
			break
		}
		last = v.T
	}
	if kinds["event"] == 0 || kinds["sample"] == 0 || kinds["summary"] != 1 {
		t.Errorf("line types %v", kinds)
	}
	if !strings.Contains(lines[len(lines)-1], `"type":"summary"`) || !strings.Contains(lines[len(lines)-1], `"ok":true`) {
		t.Errorf("last line is not a passing summary: %s", lines[len(lines)-1])
	}
	if !sawThreads {
		t.Error("no sample listed a process's threads")
	}
}

// --cores 1 runs the lesson on one core and the summary says so.
func TestCoresFlag(t *testing.T) {
	out, errb, code := mtviz(t, "run", "testdata/pass.yaml", "--json", "--cores", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var sum struct{ Cores int }
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil || sum.Cores != 1 {
		t.Errorf("summary says %d cores (%v): %s", sum.Cores, err, lines[len(lines)-1])
	}
}

// The summary line keeps the documented shape: scenario, ok, verdict, and
// each check's name, ok, verdict and detail.
func TestHeadlessJSONSummary(t *testing.T) {
	out, errb, code := mtviz(t, "run", "--json", "testdata/pass.yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var sum struct {
		Type, Scenario, Verdict string
		OK                      *bool
		Duration                *float64
		Checks                  []struct {
			Name, Verdict, Detail string
			OK                    *bool
		}
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Type != "summary" || sum.Scenario == "" || sum.OK == nil || !*sum.OK || sum.Verdict != "pass" || sum.Duration == nil || len(sum.Checks) == 0 {
		t.Errorf("summary of the wrong shape: %s", lines[len(lines)-1])
	}
	for _, c := range sum.Checks {
		if c.Name == "" || c.OK == nil || c.Verdict != "pass" || c.Detail == "" {
			t.Errorf("check of the wrong shape: %+v", c)
		}
	}
}

// A run recorded headless replays to the very same text and verdicts, and
// exits as the live run did; a cut-off recording is refused with its line.
func TestRecordAndReplay(t *testing.T) {
	file := t.TempDir() + "/run.jsonl"
	live, errb, code := mtviz(t, "run", "testdata/fail.yaml", "--headless", "--record", file)
	if code != exitCheck {
		t.Fatalf("live run: exit %d: %s", code, errb)
	}
	replayed, errb, code := mtviz(t, "replay", file, "--headless")
	if code != exitCheck {
		t.Fatalf("replay: exit %d: %s", code, errb)
	}
	if live != replayed {
		t.Errorf("the replay printed something else:\nlive:\n%s\nreplay:\n%s", live, replayed)
	}
	data, _ := os.ReadFile(file)
	cut := t.TempDir() + "/cut.jsonl"
	os.WriteFile(cut, data[:len(data)*2/3], 0o600)
	_, errb, code = mtviz(t, "replay", cut, "--headless")
	if code != exitUsage || !strings.Contains(errb, cut+":") {
		t.Errorf("a cut-off recording: exit %d, %q", code, errb)
	}
}
