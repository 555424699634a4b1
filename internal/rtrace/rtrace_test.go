package rtrace

import (
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// A goroutine that names itself is followed: it runs, waits on a timer and
// ends, and the tracer reports those states, on the run's clock.
func TestTracerFollowsANamedGoroutine(t *testing.T) {
	start := time.Now()
	tr, err := Start(start)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Label("sleepy")
		time.Sleep(50 * time.Millisecond)
	}()
	<-done
	stopped := time.Since(start)
	var got []Change
	go tr.Stop()
	for b := range tr.Changes() {
		got = append(got, b...)
	}
	states := map[GoState]bool{}
	for _, c := range got {
		if c.Task != "sleepy" {
			continue
		}
		states[c.State] = true
		if c.T < 0 || c.T > stopped+time.Second {
			t.Errorf("change at %v, outside the run (stopped at %v)", c.T, stopped)
		}
	}
	for _, s := range []GoState{Waiting, Running, Gone} {
		if !states[s] {
			t.Errorf("never saw the goroutine %s; saw %v", s, states)
		}
	}
}

func TestSecondTraceIsRefused(t *testing.T) {
	tr, err := Start(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Start(time.Now()); err == nil {
		t.Error("a second trace was started")
	}
	go tr.Stop()
	for range tr.Changes() {
	}
}
