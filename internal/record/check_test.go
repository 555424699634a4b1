package record

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"mtviz/internal/event"
	"mtviz/internal/fold"
	"mtviz/internal/probe"
	"mtviz/internal/text"
)

// lines is a recording made of a header (changed by edit) and raw lines,
// with an end line.
func lines(t *testing.T, edit func(h *Header), body ...string) []byte {
	t.Helper()
	h := NewHeader(scenario(t), 2, time.Unix(1700000000, 0), 7, 10)
	if edit != nil {
		edit(&h)
	}
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(string(b) + "\n" + strings.Join(body, "\n") + "\n" + `{"end":{"stopped":false}}` + "\n")
}

func sampleLine(s probe.Sample) string {
	b, _ := json.Marshal(fold.Item{Sample: &s})
	return string(b)
}

func eventsLine(evs ...event.Event) string {
	b, _ := json.Marshal(fold.Item{Events: evs})
	return string(b)
}

// chain is a sample whose processes are each the parent of the next.
func chain(n int) probe.Sample {
	s := probe.Sample{T: time.Second, Cores: []float64{1, 2}}
	for i := 0; i < n; i++ {
		s.Procs = append(s.Procs, probe.Proc{PID: 1000 + i, PPID: 999 + i, Name: "sh", State: "S"})
	}
	return s
}

// Every implausible recording is refused at its line, with what is wrong;
// each case is one the recording reader once took (a screen then froze for
// minutes, or took gigabytes), or a message that said too little.
func TestImplausibleRecordingsAreRefused(t *testing.T) {
	sec := time.Second
	many := make([]string, 0, 40)
	for i := 0; i < 40; i++ {
		many = append(many, sampleLine(probe.Sample{T: time.Duration(i) * time.Millisecond, Cores: []float64{0}}))
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"sample of 8 million cores", lines(t, nil, sampleLine(probe.Sample{T: sec, Cores: make([]float64, 8_000_000)})), "r.jsonl:2: a sample of 8000000 cores; a recording has at most 4096"},
		{"header of 500,000 cores", lines(t, func(h *Header) { h.Cores = 500000 }), "r.jsonl:1: the header says 500000 cores"},
		{"60,000-deep process chain", lines(t, nil, sampleLine(chain(60000))), "r.jsonl:2: a process tree more than 512 deep"},
		{"process its own ancestor", lines(t, nil, sampleLine(probe.Sample{T: sec, Procs: []probe.Proc{{PID: 5, PPID: 6}, {PID: 6, PPID: 5}}})), "r.jsonl:2: process 5 is its own ancestor"},
		{"process twice in a sample", lines(t, nil, sampleLine(probe.Sample{T: sec, Procs: []probe.Proc{{PID: 5, PPID: 1}, {PID: 5, PPID: 1}}})), "process 5 twice in one sample"},
		{"negative time", lines(t, nil, eventsLine(event.Event{T: -sec, Data: event.Log{}})), "r.jsonl:2: a time before the run began"},
		{"292-year time", lines(t, nil, eventsLine(event.Event{T: 1<<63 - 1, Data: event.Log{}})), "r.jsonl:2: a time 106752 days into the run"},
		{"samples going back in time", lines(t, nil, sampleLine(probe.Sample{T: 2 * sec}), sampleLine(probe.Sample{T: sec})), "r.jsonl:3: a sample at 1s, before the one before it (2s)"},
		{"events out of order in a batch", lines(t, nil, eventsLine(event.Event{T: 2 * sec, Data: event.Log{}}, event.Event{T: sec, Data: event.Log{}})), "r.jsonl:2: an event at 1s after one at 2s"},
		{"a batch far behind the one before", lines(t, nil, eventsLine(event.Event{T: 60 * sec, Data: event.Log{}}), eventsLine(event.Event{T: sec, Data: event.Log{}})), "r.jsonl:3: events at 1s, more than 10s before"},
		{"absurd PID", lines(t, nil, eventsLine(event.Event{T: sec, PID: 99999999, Data: event.Process{}})), "r.jsonl:2: an event's process 99999999 is not a process id"},
		{"negative PID", lines(t, nil, sampleLine(probe.Sample{T: sec, Procs: []probe.Proc{{PID: -4}}})), "r.jsonl:2: a process -4 is not a process id"},
		{"absurd thread id", lines(t, nil, sampleLine(probe.Sample{T: sec, Procs: []probe.Proc{{PID: 4, Threads: []probe.Thread{{TID: 1 << 30}}}}})), "a thread 1073741824 is not a process id"},
		{"root PID 0", lines(t, func(h *Header) { h.Root = 0 }), "r.jsonl:1: the header's root PID 0"},
		{"core 150% busy", lines(t, nil, sampleLine(probe.Sample{T: sec, Cores: []float64{150}})), "a core 150% busy"},
		{"samples faster than the rate", lines(t, nil, many...), "samples in the first"},
		{"rate of 0 a second", lines(t, func(h *Header) { h.Hz = 0 }), "r.jsonl:1: the header's sample rate is 0 a second"},
		{"rate of 100,000 a second", lines(t, func(h *Header) { h.Hz = 100000 }), "the header's sample rate is 100000"},
		{"a signal that is none", lines(t, nil, eventsLine(event.Event{T: sec, Data: event.SignalSent{Signal: 1000}})), "signal or P is out of range"},
		{"queue head longer than 32", lines(t, nil, eventsLine(event.Event{T: sec, Data: event.QueueChange{Items: make([]string, 33)}})), "lists longer than a run makes"},
		{"scenario id with an escape", lines(t, func(h *Header) { h.Scenario = "\x1b]0;pwned\x07" }), `r.jsonl:1: the header's scenario "\x1b]0;pwned\a" is not a lesson id`},
		{"embedded lesson over --max-size", lines(t, func(h *Header) { h.Source += "# " + strings.Repeat("x", 1<<20) + "\n" }), "r.jsonl:1: the recorded lesson is 1048720 bytes, more than the 1048576 a scenario may have (raise it with --max-size)"},
		{"version of the wrong type", []byte(`{"format":"mtviz-recording","version":"1"}` + "\n"), `r.jsonl:1: the header's version is "1", not a whole number`},
		{"version not whole", []byte(`{"format":"mtviz-recording","version":1.5}` + "\n"), `the header's version is 1.5, not a whole number`},
		{"no version", []byte(`{"format":"mtviz-recording"}` + "\n"), "r.jsonl:1: an mtviz recording without a format version"},
		{"format of the wrong type", []byte(`{"format":7,"version":1}` + "\n"), "r.jsonl:1: not an mtviz recording"},
		{"sample null", lines(t, nil, `{"sample":null}`), "r.jsonl:2: a line that holds no events, sample or end (null is none)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := read("r.jsonl", c.data)
			var re *Error
			if err == nil || !strings.Contains(err.Error(), c.want) || !errors.As(err, &re) {
				t.Errorf("got %v\nwant an error holding %q", err, c.want)
			}
			if err != nil && strings.Contains(err.Error(), "<nil>") {
				t.Errorf("the message says <nil>: %v", err)
			}
		})
	}
}

// What stands at the limits is read: a tree 512 deep, 4096 cores, a batch
// a few seconds late.
func TestPlausibleRecordingsAtTheLimits(t *testing.T) {
	sec := time.Second
	data := lines(t, func(h *Header) { h.Cores = MaxCores },
		sampleLine(chain(MaxDepth)),
		sampleLine(probe.Sample{T: 2 * sec, Cores: make([]float64, MaxCores)}),
		eventsLine(event.Event{T: 9 * sec, Data: event.Log{}}),
		eventsLine(event.Event{T: 2 * sec, PID: MaxPID, Data: event.Log{}}),
		eventsLine(event.Event{T: 500 * time.Millisecond, Task: "a", Data: event.RuntimeState{}}),
	)
	if _, its, err := read("r.jsonl", data); err != nil || len(its) != 5 {
		t.Errorf("%d items, %v", len(its), err)
	}
}

// Escape sequences and control bytes anywhere in a recording come out of
// the reader as text: the header's free text and every string of every
// item (the task, the log line, a process's and a thread's name).
func TestRecordingEscapesAreCleaned(t *testing.T) {
	osc := "\x1b]0;pwned\x07\x1b]52;c;aGk=\x07\x1b[2J\x9b\x01"
	data := lines(t, func(h *Header) { h.Label, h.Kernel, h.Program = osc, osc, osc },
		eventsLine(event.Event{T: time.Second, Task: osc, Data: event.Log{Text: osc}}),
		sampleLine(probe.Sample{T: time.Second, Procs: []probe.Proc{{PID: 5, PPID: 1, Name: osc, Threads: []probe.Thread{{TID: 5, Name: osc}}}}}),
	)
	rec, its, err := read("r.jsonl", data)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{rec.Header.Label, rec.Header.Kernel, rec.Header.Program, its[0].Events[0].Task, its[0].Events[0].Log().Text,
		its[1].Sample.Procs[0].Name, its[1].Sample.Procs[0].Threads[0].Name} {
		if text.Dirty(s) {
			t.Errorf("not cleaned: %q", s)
		}
	}
	// The file is JSON: the byte 0x9b, not UTF-8, was written as U+FFFD.
	if want := text.Clean(strings.ToValidUTF8(osc, "\ufffd")); its[0].Events[0].Log().Text != want {
		t.Errorf("the text reads %q, want %q", its[0].Events[0].Log().Text, want)
	}
}

// A Player folds a recording forward, reading it ahead, and starts again
// from the top to go back; closed, it leaves no goroutine behind.
func TestPlayerFoldsForwardAndBack(t *testing.T) {
	rec, all, err := read("r.jsonl", write(t, items(), true))
	if err != nil {
		t.Fatal(err)
	}
	p := NewPlayer(rec)
	defer p.Close()
	var got []fold.Item
	apply := func(it fold.Item) { got = append(got, it) }
	for p.Until(1<<62, time.Now().Add(10*time.Second), apply) {
	}
	if !p.Done() || !reflect.DeepEqual(got, all) || p.Folded() != len(all) {
		t.Errorf("folded %d of %d, done %v", len(got), len(all), p.Done())
	}
	p.Rewind()
	got = nil
	for p.Until(time.Millisecond, time.Now().Add(10*time.Second), apply) {
	}
	if len(got) != 1 || p.Done() {
		t.Errorf("after a rewind, up to 1ms: %d items (%v)", len(got), fmt.Sprint(got))
	}
	// Given no time, it folds nothing it has not read, and says more may come.
	p.Rewind()
	if more := p.Until(1<<62, time.Now(), apply); !more {
		t.Error("a fold with no time left said it was done")
	}
}
