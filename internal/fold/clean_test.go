package fold

import (
	"reflect"
	"testing"

	"mtviz/internal/event"
	"mtviz/internal/probe"
	"mtviz/internal/text"
)

const osc = "\x1b]0;pwned\x07\x9b"

// fill sets every string reachable from v (fields, slices, maps' keys and
// values, pointers) to s, making one element of each slice and map and one
// value behind each pointer: a field added to Event or Sample later is
// filled too, so the test fails until CleanItem cleans it.
func fill(v reflect.Value, s string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), s)
			}
		}
	case reflect.Pointer:
		if v.Type().Elem().Kind() == reflect.Struct {
			v.Set(reflect.New(v.Type().Elem()))
			fill(v.Elem(), s)
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, s)
		fill(e, s)
		m.SetMapIndex(k, e)
		v.Set(m)
	}
}

// dirty lists the paths of strings reachable from v that are not clean.
func dirty(v reflect.Value, path string) []string {
	var out []string
	switch v.Kind() {
	case reflect.String:
		if text.Dirty(v.String()) {
			out = append(out, path)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Type().Field(i); f.IsExported() {
				out = append(out, dirty(v.Field(i), path+"."+f.Name)...)
			}
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			out = append(out, dirty(v.Elem(), path)...)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			out = append(out, dirty(v.Index(i), path+"[]")...)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			out = append(out, dirty(k, path+"{key}")...)
			out = append(out, dirty(v.MapIndex(k), path+"{}")...)
		}
	}
	return out
}

// Every string of an event and of a sample, those fields added later
// included, comes out of CleanItem clean; what went in is not changed.
func TestCleanItemCleansEveryString(t *testing.T) {
	ev := event.Event{Data: event.Log{}}
	fill(reflect.ValueOf(&ev).Elem(), osc)
	ev.Data = event.Log{Text: osc}
	var smp probe.Sample
	fill(reflect.ValueOf(&smp).Elem(), osc)
	in := Item{Events: []event.Event{{Data: event.Log{Text: "plain"}}, ev}, Sample: &smp}
	out := CleanItem(in)
	if left := dirty(reflect.ValueOf(out), "item"); len(left) > 0 {
		t.Errorf("strings not cleaned: %v", left)
	}
	if left := dirty(reflect.ValueOf(in), "item"); len(left) == 0 {
		t.Error("the item given was changed in place: the producer's copy is not ours")
	}
	if out.Events[1].Log().Text != text.Clean(osc) {
		t.Errorf("text is %q, want %q", out.Events[1].Log().Text, text.Clean(osc))
	}
	clean := Item{Events: []event.Event{{Data: event.Log{Text: "plain"}}, {Data: event.LockChange{Object: "m", Holder: "a", Waiters: []string{"b"}}}}}
	if got := CleanItem(clean); &got.Events[0] != &clean.Events[0] {
		t.Error("a clean item was copied")
	}
}

// Every string of every kind's payload comes out of CleanItem clean: a
// field added to a payload later is filled too, so the test fails until
// CleanItem cleans it.
func TestCleanItemCleansEveryPayload(t *testing.T) {
	for _, p := range event.Payloads() {
		v := reflect.New(reflect.TypeOf(p)).Elem()
		fill(v, osc)
		ev := event.Event{Task: osc, Data: v.Interface().(event.Payload)}
		out := CleanItem(Item{Events: []event.Event{ev}})
		if left := dirty(reflect.ValueOf(out), "item"); len(left) > 0 {
			t.Errorf("%s: strings not cleaned: %v", p.Kind(), left)
		}
		if left := dirty(reflect.ValueOf(ev), "event"); len(left) == 0 {
			t.Errorf("%s: the event given was changed in place", p.Kind())
		}
	}
}
