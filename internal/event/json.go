package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"mtviz/internal/lesson"
)

// An event's JSON is the one recordings have always held: the header
// (t, kind, round, task, pid), then its kind's fields under their keys, in
// the order of the flat Event of before the payloads (wire, below).

// MarshalJSON writes the event's header and its kind's fields.
func (e Event) MarshalJSON() ([]byte, error) {
	w := wire{T: e.T, Kind: e.Kind(), Round: e.Round, Task: e.Task, PID: e.PID}
	if e.Data != nil {
		f := reflect.ValueOf(&w).Elem()
		d := reflect.ValueOf(e.Data)
		for _, ix := range wireOf[e.Data.Kind()].fields {
			f.Field(ix[0]).Set(d.Field(ix[1]))
		}
	}
	return json.Marshal(w)
}

// UnknownKindError is an event of a kind this mtviz does not know.
type UnknownKindError struct{ Kind Kind }

func (e *UnknownKindError) Error() string { return fmt.Sprintf("an event of unknown kind %q", e.Kind) }

// UnmarshalJSON reads an event. A key no event has is refused (a custom
// decoding does not inherit the caller's DisallowUnknownFields, and the
// recording's reader refuses them), and so are a key of another kind and a
// kind not known.
func (e *Event) UnmarshalJSON(b []byte) error {
	var w wire
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&w); err != nil {
		return err
	}
	m, ok := wireOf[w.Kind]
	if !ok {
		return &UnknownKindError{w.Kind}
	}
	f := reflect.ValueOf(&w).Elem()
	for i := header; i < f.NumField(); i++ {
		if !m.own[i] && !f.Field(i).IsZero() {
			key, _, _ := strings.Cut(f.Type().Field(i).Tag.Get("json"), ",")
			return fmt.Errorf("a %s event with %q, a field of other kinds of event", w.Kind, key)
		}
	}
	p := reflect.New(m.typ).Elem()
	for _, ix := range m.fields {
		p.Field(ix[1]).Set(f.Field(ix[0]))
	}
	*e = Event{T: w.T, Round: w.Round, Task: w.Task, PID: w.PID, Data: p.Interface().(Payload)}
	return nil
}

// header is how many fields the header has (T, Kind, Round, Task, PID).
const header = 5

// wireMap pairs each field of a payload type with the wire field of the
// same name.
type wireMap struct {
	typ    reflect.Type
	fields [][2]int // {wire field, payload field}
	own    []bool   // by wire field: the kind's own
}

var wireOf = map[Kind]wireMap{}

func init() {
	wt := reflect.TypeFor[wire]()
	for _, p := range payloads {
		pt := reflect.TypeOf(p)
		m := wireMap{typ: pt, own: make([]bool, wt.NumField())}
		for i := range pt.NumField() {
			pf := pt.Field(i)
			wf, ok := wt.FieldByName(pf.Name)
			if !ok || wf.Type != pf.Type || wf.Tag != pf.Tag || wf.Index[0] < header {
				panic(fmt.Sprintf("event: %s.%s is not a wire field of the same type and key", pt.Name(), pf.Name))
			}
			m.fields = append(m.fields, [2]int{wf.Index[0], i})
			m.own[wf.Index[0]] = true
		}
		wireOf[p.Kind()] = m
	}
}

// wire is an event as a recording holds it: the flat Event of before the
// payloads, whose fields each kind's payload takes by name. Its field order
// is the order of the keys in the file.
type wire struct {
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
