package event

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fill sets every field of v, so that each key of a kind is written:
// strings with characters JSON escapes, numbers by their place.
func fill(v reflect.Value, name string, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		switch v.Type() {
		case reflect.TypeFor[Reason]():
			v.SetString(string(ReasonLock))
		case reflect.TypeFor[End]():
			v.SetString(string(EndStopped))
		case reflect.TypeFor[CopyOp]():
			v.SetString(string(CopyWrite))
		case reflect.TypeFor[WorkOp]():
			v.SetString(string(WorkDone))
		default:
			v.SetString(name + " <&> \"é\"")
		}
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Uint8:
		v.SetUint(uint64(Blocked))
	case reflect.Uint64:
		v.SetUint(uint64(*n))
	case reflect.Float64:
		v.SetFloat(float64(*n) + 0.25)
	case reflect.Map:
		v.Set(reflect.ValueOf(map[string]int64{"c1": int64(*n), "c<2>": 2}))
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(s.Index(i), name, n)
		}
		v.Set(s)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), name, n)
		v.Set(p)
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i), v.Type().Field(i).Name, n)
		}
	default:
		panic("fill: " + v.Type().String())
	}
}

// full is one event of each kind with every field of its kind set.
func full() []Event {
	var evs []Event
	for i, p := range payloads {
		v := reflect.New(reflect.TypeOf(p)).Elem()
		n := 0
		fill(v, "", &n)
		evs = append(evs, Event{T: time.Duration(i+1) * time.Millisecond, Round: i, Task: "task <" + string(p.Kind()) + ">",
			PID: 100 + i, Data: v.Interface().(Payload)})
	}
	return evs
}

const kindsGolden = "testdata/kinds.golden.jsonl"

// TestJSONUnchanged: an event of every kind, with every field of its kind
// set, is written byte for byte as the flat Event of before the payloads
// wrote it (testdata/kinds.golden.jsonl was written by that Event), and
// reads back to itself.
func TestJSONUnchanged(t *testing.T) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	evs := full()
	for _, ev := range evs {
		if err := enc.Encode(ev); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(kindsGolden)
	if err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("line %d:\n got %s\nwant %s", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%d lines, want %d", len(gl), len(wl))
	}
	for i, line := range strings.Split(strings.TrimSpace(got), "\n") {
		var back Event
		if err := json.Unmarshal([]byte(line), &back); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if back.Kind() != evs[i].Kind() || !reflect.DeepEqual(back.Data, evs[i].Data) || back.T != evs[i].T || back.Task != evs[i].Task ||
			back.PID != evs[i].PID || back.Round != evs[i].Round {
			t.Errorf("line %d reads back as %+v, want %+v", i+1, back, evs[i])
		}
	}
}

// BenchmarkJSON: a state event written and read through its payload, and
// the same as the flat struct (Wire) that was Event before the payloads.
func BenchmarkJSON(b *testing.B) {
	ev := Event{T: time.Second, Task: "worker-1", PID: 42, Data: StateChange{State: Blocked, Reason: ReasonLock, Object: "m", Holder: "a"}}
	flat := Wire{T: time.Second, Kind: KState, Task: "worker-1", PID: 42, State: Blocked, Reason: ReasonLock, Object: "m", Holder: "a"}
	line, err := json.Marshal(ev)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("marshal", func(b *testing.B) {
		for b.Loop() {
			json.Marshal(ev)
		}
	})
	b.Run("marshal-flat", func(b *testing.B) {
		for b.Loop() {
			json.Marshal(flat)
		}
	})
	b.Run("unmarshal", func(b *testing.B) {
		for b.Loop() {
			var e Event
			json.Unmarshal(line, &e)
		}
	})
	b.Run("marshal-wire", func(b *testing.B) {
		for b.Loop() {
			json.Marshal(ev.Wire())
		}
	})
	b.Run("unmarshal-wire", func(b *testing.B) {
		for b.Loop() {
			var w Wire
			json.Unmarshal(line, &w)
			w.Event()
		}
	})
	b.Run("unmarshal-flat", func(b *testing.B) {
		for b.Loop() {
			var w Wire
			json.Unmarshal(line, &w)
		}
	})
}

// TestWireSetBits: each field of Wire after the header, set alone, sets
// its own bit and no other, and every kind's fields are its own bits: so a
// field of another kind is found, and none of the kind's own is taken for
// one.
func TestWireSetBits(t *testing.T) {
	wt := reflect.TypeFor[Wire]()
	for i := header; i < wt.NumField(); i++ {
		var w Wire
		n := 0
		fill(reflect.ValueOf(&w).Elem().Field(i), "x", &n)
		if got, want := w.set(), uint64(1)<<(i-header); got != want {
			t.Errorf("%s alone sets %b, want %b", wt.Field(i).Name, got, want)
		}
	}
	for _, ev := range full() {
		w := ev.Wire()
		if got, want := w.set(), own[ev.Kind()]; got != want {
			t.Errorf("a %s event with every field set sets %b, its own are %b", ev.Kind(), got, want)
		}
		for i := header; i < wt.NumField(); i++ {
			if own[ev.Kind()]&(1<<(i-header)) != 0 {
				continue
			}
			other := w
			n := 0
			fill(reflect.ValueOf(&other).Elem().Field(i), "x", &n)
			if _, err := other.Event(); err == nil || !strings.Contains(err.Error(), "a field of other kinds") {
				t.Errorf("a %s event with %s: %v, want it refused", ev.Kind(), wt.Field(i).Name, err)
			}
		}
	}
}
