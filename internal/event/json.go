package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/bits"
	"reflect"
	"strings"
	"time"

	"mtviz/internal/lesson"
)

// An event's JSON is the one recordings have always held: the header
// (t, kind, round, task, pid), then its kind's fields under their keys, in
// the order of the flat Event of before the payloads (Wire, below). The
// recorder, the recording's reader and the wire to a child process encode
// Wire itself; Event's own MarshalJSON and UnmarshalJSON go through it too.

// Wire is the event in its flat form.
func (e Event) Wire() Wire {
	w := Wire{T: e.T, Kind: e.Kind(), Round: e.Round, Task: e.Task, PID: e.PID}
	if e.Data != nil {
		e.Data.put(&w)
	}
	return w
}

// Event is the event a flat form holds. A kind not known is refused, and
// so is a field of another kind.
func (w *Wire) Event() (Event, error) {
	take, ok := takes[w.Kind]
	if !ok {
		return Event{}, &UnknownKindError{w.Kind}
	}
	if foreign := w.set() &^ own[w.Kind]; foreign != 0 {
		key, _, _ := strings.Cut(reflect.TypeFor[Wire]().Field(header+bits.TrailingZeros64(foreign)).Tag.Get("json"), ",")
		return Event{}, fmt.Errorf("a %s event with %q, a field of other kinds of event", w.Kind, key)
	}
	return Event{T: w.T, Round: w.Round, Task: w.Task, PID: w.PID, Data: take(w)}, nil
}

// MarshalJSON writes the event's header and its kind's fields.
func (e Event) MarshalJSON() ([]byte, error) { return json.Marshal(e.Wire()) }

// UnknownKindError is an event of a kind this mtviz does not know.
type UnknownKindError struct{ Kind Kind }

func (e *UnknownKindError) Error() string { return fmt.Sprintf("an event of unknown kind %q", e.Kind) }

// UnmarshalJSON reads an event. A key no event has is refused (a custom
// decoding does not inherit the caller's DisallowUnknownFields, and the
// recording's reader refuses them), and so are a key of another kind and a
// kind not known.
func (e *Event) UnmarshalJSON(b []byte) error {
	var w Wire
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&w); err != nil {
		return err
	}
	ev, err := w.Event()
	if err != nil {
		return err
	}
	*e = ev
	return nil
}

// Events are the events of flat forms, or the first refusal.
func Events(ws []Wire) ([]Event, error) {
	evs := make([]Event, len(ws))
	for i := range ws {
		ev, err := ws[i].Event()
		if err != nil {
			return nil, err
		}
		evs[i] = ev
	}
	return evs, nil
}

// Wires are the flat forms of events.
func Wires(evs []Event) []Wire {
	ws := make([]Wire, len(evs))
	for i := range evs {
		ws[i] = evs[i].Wire()
	}
	return ws
}

// header is how many fields the header has (T, Kind, Round, Task, PID).
const header = 5

// own is, by kind, a bit for each of Wire's fields after the header that
// the kind's payload has (the bits of Wire.set).
var own = map[Kind]uint64{}

func init() {
	wt := reflect.TypeFor[Wire]()
	if wt.NumField()-header > 64 {
		panic("event: Wire has more fields than set's bits")
	}
	for _, p := range payloads {
		pt := reflect.TypeOf(p)
		var mask uint64
		for i := range pt.NumField() {
			pf := pt.Field(i)
			wf, ok := wt.FieldByName(pf.Name)
			if !ok || wf.Type != pf.Type || wf.Tag != pf.Tag || wf.Index[0] < header {
				panic(fmt.Sprintf("event: %s.%s is not a wire field of the same type and key", pt.Name(), pf.Name))
			}
			mask |= 1 << (wf.Index[0] - header)
		}
		own[p.Kind()] = mask
	}
}

// Wire is an event as a recording holds it: the flat Event of before the
// payloads, whose fields each kind's payload takes by name. Its field order
// is the order of the keys in the file.
type Wire struct {
	T     time.Duration `json:"t"`
	Kind  Kind          `json:"kind"`
	Round int           `json:"round,omitempty"`
	// Task is the task it happened to, or that did it; for a server
	// object's process, "server NAME".
	Task string `json:"task,omitempty"`
	// PID is the process the event happened in (0 or mtviz's PID: mtviz
	// itself); for process, exit and run events, the process they are about.
	PID int `json:"pid,omitempty"`

	TaskKind lesson.TaskKind `json:"task_kind,omitempty"`
	Daemon   bool            `json:"daemon,omitempty"`

	State  State  `json:"state,omitempty"`
	Reason Reason `json:"reason,omitempty"`
	Object string `json:"object,omitempty"` // the shared object, or for a join the task joined
	Holder string `json:"holder,omitempty"`
	End    End    `json:"end,omitempty"`
	By     string `json:"by,omitempty"` // the task that stopped this one
	// Folded counts state changes of a busy task that were not sent one by
	// one (a task switching state thousands of times a second is sent once a
	// tick).
	Folded int64 `json:"folded,omitempty"`

	Count   int      `json:"count,omitempty"` // a lock's hold count
	Waiters []string `json:"waiters,omitempty"`
	File    string   `json:"file,omitempty"`
	Set     bool     `json:"set,omitempty"`

	Value  int64            `json:"value,omitempty"` // a counter's value, or a private copy's
	Lost   int64            `json:"lost,omitempty"`
	Values map[string]int64 `json:"values,omitempty"`
	LostBy map[string]int64 `json:"lost_by,omitempty"`
	Copy   CopyOp           `json:"copy,omitempty"`
	N      int64            `json:"n,omitempty"`

	Item  string   `json:"item,omitempty"`
	Items []string `json:"items,omitempty"`
	Len   int      `json:"len,omitempty"`

	Text  string `json:"text,omitempty"`
	Phase string `json:"phase,omitempty"`
	Key   string `json:"key,omitempty"`
	Label string `json:"label,omitempty"`
	Error string `json:"error,omitempty"`

	Paused bool `json:"paused,omitempty"`

	PPID int `json:"ppid,omitempty"`
	// GoMaxProcs is the GOMAXPROCS a process task's process said it runs
	// with, when its task sets one.
	GoMaxProcs int    `json:"gomaxprocs,omitempty"`
	Program    string `json:"program,omitempty"`
	Code       int    `json:"code,omitempty"`
	Signal     int    `json:"signal,omitempty"`
	Reaper     string `json:"reaper,omitempty"` // the task that reaped it ("" when mtviz's round did)
	ReaperPID  int    `json:"reaper_pid,omitempty"`
	Adopted    bool   `json:"adopted,omitempty"` // the reaper adopted it as a subreaper
	// CPUTime is the kernel's account, at reaping, of the CPU seconds the
	// process and the children it reaped used (watch fills it in).
	CPUTime float64 `json:"cpu_time,omitempty"`
	Target  string  `json:"target,omitempty"`
	Output  string  `json:"output,omitempty"`

	Cycle []string   `json:"cycle,omitempty"`
	Edges []WaitEdge `json:"edges,omitempty"`

	P   int    `json:"p,omitempty"`
	Why string `json:"why,omitempty"` // the runtime's own reason for a wait

	Addr   string       `json:"addr,omitempty"` // a client's address, as a broker's server saw it
	Work   *Work        `json:"work,omitempty"`
	Broker *BrokerState `json:"broker,omitempty"`
}
