package engine

import "testing"

// A task blocked on a lock or a GIL that nobody holds is not stuck: the
// lock was just let go and a woken waiter, not yet run on a busy machine,
// is about to take it. One held by a task is a wait that can last.
func TestWaitOnAFreeLockIsNotStuck(t *testing.T) {
	holder := &task{name: "a"}
	l := &lock{name: "m"}
	g := &gil{name: "gil"}
	w := &task{name: "b"}
	for _, c := range []struct {
		on   any
		hold func()
		want bool
	}{
		{l, func() {}, true},
		{l, func() { l.mu.holder.Store(holder) }, false},
		{g, func() {}, true},
		{g, func() { g.holder.Store(holder) }, false},
		{holder, func() {}, false}, // a join
	} {
		c.hold()
		w.waitsOn = c.on
		if got := w.waitsForFree(); got != c.want {
			t.Errorf("waiting on %T: free %v, want %v", c.on, got, c.want)
		}
	}
}
