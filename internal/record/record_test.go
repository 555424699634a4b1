package record

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"mtviz/internal/event"
	"mtviz/internal/fold"
	"mtviz/internal/lesson"
	"mtviz/internal/probe"
	"mtviz/internal/text"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const source = `title: t
objects: {c: {kind: counter}}
tasks:
  - {name: a, steps: [{add: {counter: c, n: 1}}]}
checks:
  - counter: {counter: c, equals: 1}
`

func scenario(t testing.TB) *lesson.Scenario {
	sc, err := lesson.Load("t.yaml", []byte(source))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func items() []fold.Item {
	return []fold.Item{
		{Events: []event.Event{{T: 0, Round: 1, Data: event.RoundStart{}}, {T: 1, Task: "a", Data: event.TaskStart{TaskKind: lesson.Goroutine, State: event.Created}}}},
		{Sample: &probe.Sample{T: 100 * time.Millisecond, Cores: []float64{12.5, 50}, Procs: []probe.Proc{{PID: 7, PPID: 1, Name: "mtviz", State: "S", CPU: 3.5, Core: 1, NThreads: 4,
			Threads: []probe.Thread{{TID: 7, State: "S", CPU: 1, Core: 1}}}}}},
		{Events: []event.Event{{T: 2 * time.Millisecond, Round: 1, Data: event.RoundEnd{Values: map[string]int64{"c": 1}, LostBy: map[string]int64{"c": 0}}},
			{T: 3 * time.Millisecond, Data: event.Deadlock{Cycle: []string{"a"}, Edges: []event.WaitEdge{{Task: "a", Reason: event.ReasonLock, Object: "m", Holder: "a"}}}},
			{T: 4 * time.Millisecond, Data: event.Finish{}}}},
	}
}

func write(t testing.TB, its []fold.Item, end bool) []byte {
	var b bytes.Buffer
	w := NewWriter(&b)
	if err := w.Header(NewHeader(scenario(t), 2, time.Unix(1700000000, 0), 7, 10)); err != nil {
		t.Fatal(err)
	}
	for _, it := range its {
		if err := w.Item(it); err != nil {
			t.Fatal(err)
		}
	}
	if end {
		if err := w.End(End{Stopped: true}); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// read reads a recording held in memory, and every item of it.
func read(name string, data []byte) (*Recording, []fold.Item, error) {
	rec, err := ReadBytes(name, data, Options{})
	if err != nil {
		return nil, nil, err
	}
	its, err := rec.ReadAll()
	return rec, its, err
}

// What is written is read back exactly: every item, in order.
func TestRoundTrip(t *testing.T) {
	rec, got, err := read("r.jsonl", write(t, items(), true))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, items()) {
		t.Errorf("items changed on the way:\n got %+v\nwant %+v", got, items())
	}
	if rec.Header.Root != 7 || rec.Header.Cores != 2 || rec.Scenario.Title != "t" || !rec.End.Stopped {
		t.Errorf("header or end lost: %+v %+v", rec.Header, rec.End)
	}
}

// A truncated, corrupted or foreign file is refused at the line that is
// wrong, with what is wrong.
func TestRefusals(t *testing.T) {
	good := write(t, items(), true)
	lines := strings.SplitAfter(string(good), "\n")
	cases := []struct {
		name, data, want string
	}{
		{"empty", "", "r.jsonl:1: the file is empty"},
		{"foreign", "hello world\n", "r.jsonl:1: not an mtviz recording"},
		{"json but foreign", `{"format":"other","version":1}` + "\n", "r.jsonl:1: not an mtviz recording"},
		{"newer", strings.Replace(lines[0], `"version":1`, `"version":99`, 1), "r.jsonl:1: recording format version 99"},
		{"no end", strings.Join(lines[:len(lines)-2], ""), "has no end line"},
		{"cut line", string(good[:len(good)-10]), "cut off"},
		{"garbage line", lines[0] + "{\"events\":[{\"t\":\n" + strings.Join(lines[1:], ""), "r.jsonl:2: not a recording line"},
		{"unknown kind", lines[0] + `{"events":[{"t":1,"kind":"boom"}]}` + "\n" + lines[len(lines)-2], `r.jsonl:2: an event of unknown kind "boom"`},
		{"unknown field", lines[0] + `{"events":[{"t":1,"kind":"log","color":"red"}]}` + "\n" + lines[len(lines)-2], `r.jsonl:2: not a recording line: json: unknown field "color"`},
		{"a field of another kind", lines[0] + `{"events":[{"t":1,"kind":"log","text":"hi","phase":"x"}]}` + "\n" + lines[len(lines)-2],
			`r.jsonl:2: not a recording line: a log event with "phase", a field of other kinds of event`},
		{"after end", string(good) + lines[1], "r.jsonl:6: a line after the end line"},
		{"two kinds", lines[0] + `{"events":[],"end":{"stopped":false}}` + "\n", "r.jsonl:2: a line must hold one of"},
		{"bad scenario", strings.Replace(lines[0], `tasks:`, `taskz:`, 1) + lines[len(lines)-2], "r.jsonl:1: the recorded scenario does not load"},
	}
	for _, c := range cases {
		_, _, err := read("r.jsonl", []byte(c.data))
		var re *Error
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.As(err, &re) {
			t.Errorf("%s: got %v, want an error holding %q", c.name, err, c.want)
		}
	}
}

// Only regular files are read: a FIFO or a directory is refused at once.
func TestOnlyRegularFiles(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadFile(dir, Options{}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a directory: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing"), Options{}); err == nil {
		t.Error("a missing file was read")
	}
	p := filepath.Join(dir, "ok.jsonl")
	os.WriteFile(p, write(t, items(), true), 0o600)
	if _, err := ReadFile(p, Options{}); err != nil {
		t.Errorf("a good file: %v", err)
	}
}

// allStrings calls f on every string reachable from v.
func allStrings(v reflect.Value, f func(string)) {
	switch v.Kind() {
	case reflect.String:
		f(v.String())
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				allStrings(v.Field(i), f)
			}
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			allStrings(v.Elem(), f)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			allStrings(v.Index(i), f)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			allStrings(k, f)
			allStrings(v.MapIndex(k), f)
		}
	}
}

// plausible says what no accepted recording may break, checked again here
// apart from the reader's own checks.
func plausible(t *testing.T, rec *Recording, its []fold.Item) {
	h := rec.Header
	if h.Cores < 1 || h.Cores > MaxCores || h.Root < 1 || h.Root > MaxPID || h.Hz < 1 || h.Hz > 100 {
		t.Errorf("an implausible header was accepted: %+v", h)
	}
	lastSample := time.Duration(-1)
	for _, it := range its {
		if it.T() < 0 || it.T() > MaxSpan {
			t.Errorf("a time of %v was accepted", it.T())
		}
		if s := it.Sample; s != nil {
			if s.T < lastSample || len(s.Cores) > MaxCores || len(s.Procs) > MaxProcs {
				t.Errorf("an implausible sample was accepted: t %v after %v, %d cores, %d processes", s.T, lastSample, len(s.Cores), len(s.Procs))
			}
			lastSample = s.T
			for _, p := range s.Procs {
				if p.PID < 1 || p.PID > MaxPID || p.PPID < 0 || p.PPID > MaxPID {
					t.Errorf("process %d (parent %d) was accepted", p.PID, p.PPID)
				}
			}
		}
		for i, ev := range it.Events {
			if !ev.Kind().Known() || ev.PID < 0 || ev.PID > MaxPID || i > 0 && ev.T < it.Events[i-1].T {
				t.Errorf("an implausible event was accepted: %+v", ev)
			}
		}
	}
}

// The reader never panics, never accepts a file without its end line, and
// what it accepts is plausible and clean: no string it hands out holds a
// control character, wherever the file put one.
func FuzzRead(f *testing.F) {
	good := write(f, items(), true)
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte(`{"format":"mtviz-recording","version":1}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, its, err := read("f.jsonl", data)
		if err != nil {
			return
		}
		if rec.Scenario == nil {
			t.Error("a recording without a scenario was accepted")
		}
		if !bytes.Contains(data, []byte(`"end"`)) {
			t.Error("a recording without an end line was accepted")
		}
		plausible(t, rec, its)
		allStrings(reflect.ValueOf(its), func(s string) {
			if text.DirtyLines(s) {
				t.Errorf("a string not cleaned: %q", s)
			}
		})
		allStrings(reflect.ValueOf(rec.Header), func(s string) {
			if text.Dirty(s) && s != rec.Header.Source {
				t.Errorf("a header string not cleaned: %q", s)
			}
		})
		allStrings(reflect.ValueOf(rec.End), func(s string) {
			if text.Dirty(s) {
				t.Errorf("an end string not cleaned: %q", s)
			}
		})
	})
}
