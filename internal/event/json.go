package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// An event's JSON is the one recordings have always held: the header
// (t, kind, round, task, pid), then its kind's fields under their keys, in
// the order of the flat Event of before the payloads. plain is that shape.
type plain Event

// MarshalJSON writes the event's header and its kind's fields.
func (e Event) MarshalJSON() ([]byte, error) {
	p := plain(e)
	if e.Data != nil {
		p = plain{T: e.T, Kind: e.Data.Kind(), Round: e.Round, Task: e.Task, PID: e.PID}
		f := reflect.ValueOf(&p).Elem()
		d := reflect.ValueOf(e.Data)
		for _, ix := range flatOf[e.Data.Kind()].fields {
			f.Field(ix[0]).Set(d.Field(ix[1]))
		}
	}
	return json.Marshal(p)
}

// UnmarshalJSON reads an event; a key no event has is refused (the
// recording's reader refuses them, and a custom decoding does not inherit
// the caller's DisallowUnknownFields).
func (e *Event) UnmarshalJSON(b []byte) error {
	var p plain
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&p); err != nil {
		return err
	}
	if err := stray(&p); err != nil {
		return err
	}
	*e = Event(p)
	if d := e.Payload(); d != nil {
		*e = Event{T: p.T, Kind: p.Kind, Round: p.Round, Task: p.Task, PID: p.PID, Data: d}
	}
	return nil
}

// header is how many fields the header has (T, Kind, Round, Task, PID).
const header = 5

// stray refuses a field that does not belong to the event's kind. A kind
// not known is left to the reader's checks.
func stray(p *plain) error {
	m, ok := flatOf[p.Kind]
	if !ok {
		return nil
	}
	v := reflect.ValueOf(p).Elem()
	for i := header; i < v.NumField(); i++ {
		if !m.own[i] && !v.Field(i).IsZero() {
			key, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
			return fmt.Errorf("a %s event with %q, a field of other kinds of event", p.Kind, key)
		}
	}
	return nil
}
