package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"mtviz/internal/explore"
	"mtviz/internal/lesson"
)

type exploreLine struct {
	Type       string `json:"type"`
	Orders     int    `json:"orders"`
	Explored   int    `json:"explored"`
	Exhaustive bool   `json:"exhaustive"`
	Outcomes   []struct {
		Orders   int               `json:"orders"`
		Final    map[string]int64  `json:"final"`
		Lost     map[string]int64  `json:"lost"`
		Deadlock bool              `json:"deadlock"`
		Forever  bool              `json:"waits_forever"`
		Checks   map[string]string `json:"checks"`
	} `json:"outcomes"`
	Shortest map[string][]string `json:"shortest"`
}

func exploreJSON(t *testing.T, args ...string) exploreLine {
	t.Helper()
	var out, errb bytes.Buffer
	if code := Main(append([]string{"explore", "--json"}, args...), &out, &errb); code != 0 {
		t.Fatalf("explore %v: exit %d: %s", args, code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var x exploreLine
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &x); err != nil || x.Type != "explore" {
		t.Fatalf("the last line %q: %v", lines[len(lines)-1], err)
	}
	return x
}

// explore race-play --json runs every order; some lose an update and end
// wrong; in its locked twin, none.
func TestExploreRacePlayJSON(t *testing.T) {
	x := exploreJSON(t, "race-play")
	lost, wrong := 0, 0
	for _, o := range x.Outcomes {
		if o.Lost["balance"] > 0 {
			lost += o.Orders
		}
		if o.Final["balance"] != 0 {
			wrong += o.Orders
			if o.Checks["the balance ended at 0"] != "fail" {
				t.Errorf("an order that ended at %d passed the check", o.Final["balance"])
			}
		}
	}
	if !x.Exhaustive || x.Orders != 70 || x.Explored != 70 || lost == 0 || wrong != 40 || len(x.Shortest["the balance ended at 0"]) != 8 {
		t.Errorf("race-play: %+v (%d orders lost an update, %d ended wrong)", x, lost, wrong)
	}
	x = exploreJSON(t, "race-play", "--set", "lock=on")
	for _, o := range x.Outcomes {
		if o.Lost["balance"] > 0 || o.Final["balance"] != 0 {
			t.Errorf("the locked twin: %+v", o)
		}
	}
	if !x.Exhaustive || x.Orders != 6 || len(x.Shortest) != 0 {
		t.Errorf("the locked twin: %+v", x)
	}
}

// The shortest order breaking the balance, written by explore --out, is
// replayed by run --schedule to the same wrong balance and verdicts, 100
// times out of 100; a schedule naming a task that cannot move there is
// refused at its line.
func TestScheduleReplaysFromTheCommandLine(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := Main([]string{"explore", "deadlock-play", "--out", dir}, &out, &errb); code != 0 {
		t.Fatalf("explore deadlock-play: %d %s", code, errb.String())
	}
	if s := out.String(); !strings.Contains(s, "2 orders    deadlock") || !strings.Contains(s, "the shortest, 2 steps: a b") {
		t.Errorf("explore deadlock-play says:\n%s", s)
	}
	out.Reset()
	if code := Main([]string{"explore", "race-play", "--out", dir}, &out, &errb); code != 0 {
		t.Fatalf("explore race-play: %d %s", code, errb.String())
	}
	file := filepath.Join(dir, "race-play-the-balance-ended-at-0.schedule")
	var first string
	for i := 0; i < 100; i++ {
		var o, e bytes.Buffer
		code := Main([]string{"run", "race-play", "--schedule", file, "--json"}, &o, &e)
		got := code
		var end, sum string
		sc := bufio.NewScanner(&o)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			l := sc.Text()
			switch {
			case strings.Contains(l, `"kind":"round_end"`):
				end = l[strings.Index(l, `"values"`):]
			case strings.HasPrefix(l, `{"type":"summary"`):
				sum = l[strings.Index(l, `"checks"`):]
			}
		}
		this := end + sum
		if got != exitCheck || !strings.Contains(end, `"balance":`) || strings.Contains(end, `"balance":0}`) {
			t.Fatalf("replay %d: exit %d, %s", i+1, got, this)
		}
		if first == "" {
			first = this
		} else if this != first {
			t.Fatalf("replay %d ended\n%s\nthe first\n%s", i+1, this, first)
		}
	}
	// --record keeps the turns: the recording replays as the schedule did.
	rec := filepath.Join(dir, "run.jsonl")
	var ro, re bytes.Buffer
	Main([]string{"run", "race-play", "--schedule", file, "--record", rec, "--headless"}, &ro, &re)
	ro.Reset()
	if code := Main([]string{"run", "race-play", "--schedule", rec, "--json"}, &ro, &re); code != exitCheck || !strings.Contains(ro.String(), first[:strings.Index(first, "}")]) {
		t.Errorf("the recording's turns: exit %d %s\n%s", code, re.String(), first)
	}
	bad := filepath.Join(dir, "bad.schedule")
	os.WriteFile(bad, []byte("# two, then b\na\na\nb\n"), 0o644)
	var o, e bytes.Buffer
	if code := Main([]string{"run", "deadlock-play", "--schedule", bad, "--headless"}, &o, &e); code != exitUsage ||
		!strings.Contains(e.String(), bad+":4: b cannot lock here: it waits for m2, held by a") {
		t.Errorf("a bad schedule: exit %d: %s", code, e.String())
	}
}

func TestExploreAndSchedulerUsage(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sched := filepath.Join(dir, "s")
	os.WriteFile(sched, []byte("t1\n"), 0o600)
	rec := filepath.Join(dir, "deadlock.jsonl")
	if code := Main([]string{"run", "deadlock-play", "--schedule", "testdata/none.schedule", "--headless"}, &bytes.Buffer{}, &bytes.Buffer{}); code != exitUsage {
		t.Fatalf("exit %d", code)
	}
	var ob, eb bytes.Buffer
	if code := Main([]string{"run", "deadlock-play", "--headless", "--record", rec}, &ob, &eb); code == exitUsage {
		t.Fatalf("recording deadlock-play: %s", eb.String())
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"explore", "fork"}, "is a process, which runs outside the scheduler"},
		{[]string{"explore", "race-steps"}, "waits for key n"},
		{[]string{"explore", "race-play", "--max", "0"}, "--max must be from 1"},
		{[]string{"explore", "race-play", "--set", "lock=maybe"}, `switch lock is one of off, on, not "maybe"`},
		{[]string{"explore", "race-play", "--set", "lock=on,off"}, "takes one value"},
		{[]string{"explore"}, "name one lesson"},
		{[]string{"run", "race-play", "--scheduler", "me"}, "--scheduler takes you"},
		{[]string{"run", "race-play", "--scheduler", "you", "--headless"}, "needs the screen"},
		{[]string{"run", "race-steps", "--scheduler", "you"}, "waits for key n"},
		{[]string{"run", "race-play", "--schedule", "testdata/none.schedule", "--headless"}, "testdata/none.schedule: cannot read it"},
		{[]string{"run", "testdata", "--set", "lock=on"}, "take one lesson, not a folder"},
		{[]string{"run", "testdata", "--headless", "--record", filepath.Join(dir, "r.jsonl"), "--nats", "nats://127.0.0.1:1"}, "--nats, --record: for one lesson, not a folder"},
		// A FIFO would be read for ever; the schedule is an input no
		// output may overwrite; a recording's turns are its own lesson's.
		{[]string{"run", "race-play", "--schedule", fifo, "--headless"}, fifo + ": not a regular file"},
		{[]string{"run", "race-play", "--schedule", sched, "--headless", "--record", sched}, "is the schedule being followed"},
		{[]string{"run", "race-play", "--schedule", rec, "--headless"}, "is a recording of deadlock-play"},
	} {
		var out, errb bytes.Buffer
		if code := Main(c.args, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, %q; want %q", c.args, code, errb.String(), c.want)
		}
	}
}

// An exploration too long to finish is sampled, and says so; SIGTERM stops
// it and keeps what was explored.
func TestExploreSampleAndSIGTERM(t *testing.T) {
	out, errs, code := mtviz(t, "explore", "testdata/many-orders.yaml", "--max", "50", "--seed", "3")
	if code != 0 || !strings.Contains(out, "more than 50 orders") || !strings.Contains(out, "a sample of 50, drawn at random with seed 3") {
		t.Errorf("exit %d: %s%s", code, out, errs)
	}
	c := exec.Command(os.Args[0], "explore", "testdata/many-orders.yaml", "--max", "1000000")
	c.Env = append(os.Environ(), "MTVIZ_MAIN=1")
	var o bytes.Buffer
	c.Stdout = &o
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	// Once it has worked a while, it is exploring, not starting.
	for deadline := time.Now().Add(30 * time.Second); cpuTicks(c.Process.Pid) < 30 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	c.Process.Signal(syscall.SIGTERM)
	sent := time.Now()
	err := c.Wait()
	t.Logf("ended %v after SIGTERM", time.Since(sent).Round(time.Millisecond))
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitCheck || !strings.Contains(o.String(), "stopped after") {
		t.Errorf("after SIGTERM: %v\n%s", err, o.String())
	}
}

// cpuTicks is the CPU time a process used, in clock ticks (utime + stime).
func cpuTicks(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.Atoi(f[11])
	k, _ := strconv.Atoi(f[12])
	return u + k
}

// explore --out names each schedule from its check's name in the language
// in effect: a Chinese name is kept, not reduced to nothing, and a long
// one is cut between characters, never inside one. mtviz's own check (no
// task was left waiting forever) speaks the language too.
func TestExploreOutNamesInChinese(t *testing.T) {
	defer lesson.SetLang(lesson.Lang())
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := Main([]string{"--lang", "zh", "explore", "condition-play", "--out", dir}, &out, &errb); code != 0 {
		t.Fatalf("explore condition-play: %d %s", code, errb.String())
	}
	for _, f := range []string{"condition-play-消费者收到了消息", "condition-play-没有任务被永远晾在等待中", "condition-play-goal"} {
		if _, err := os.Stat(filepath.Join(dir, f+".schedule")); err != nil {
			t.Errorf("%v; explore said:\n%s", err, out.String())
		}
	}
	long := strings.Repeat("余额", 30)
	r := &explore.Report{Broken: []explore.Shortest{{Check: long, Tasks: []string{"a"}}, {Check: "!?", Tasks: []string{"a"}}}}
	written, err := writeShortest(dir, &lesson.Scenario{ID: "x"}, r)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := written[long], filepath.Join(dir, "x-"+strings.Repeat("余额", 20)+".schedule"); got != want {
		t.Errorf("a long name wrote %q, want %q", got, want)
	}
	if got, want := written["!?"], filepath.Join(dir, "x-check.schedule"); got != want {
		t.Errorf("a name with no letter wrote %q, want %q", got, want)
	}
}
