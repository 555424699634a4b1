package guard

import (
	"testing"
	"time"
)

// A panic in a guarded goroutine is recorded and calls the handler, instead
// of ending the program on the spot.
func TestPanicCallsHandler(t *testing.T) {
	called := make(chan struct{})
	OnPanic(func() { close(called) })
	defer OnPanic(nil)
	Go(func() { panic("boom") })
	select {
	case <-called:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler was not called")
	}
	<-Signal()
	if p := Panicked(); p == nil || p.Value != "boom" || len(p.Stack) == 0 {
		t.Errorf("recorded %+v", p)
	}
}
