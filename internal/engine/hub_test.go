package engine

import (
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	evt "mtviz/internal/event"
)

// refusals lists the refusals the engine recorded so far.
func refusals(e *Engine) []evt.Event {
	e.bufMu.Lock()
	defer e.bufMu.Unlock()
	var out []evt.Event
	for _, ev := range e.buf {
		if ev.Kind() == evt.KRefused {
			out = append(out, ev)
		}
	}
	return out
}

// hangUp waits until the hub closes a connection.
func hangUp(t *testing.T, c net.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	// A connection closed with unread data in it is reset: closed too.
	if _, err := io.Copy(io.Discard, c); err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("the hub did not close the connection: %v", err)
	}
}

// The hub refuses a wrong key, a hello too large and a hello never sent,
// names the peer by the PID the kernel gives (not the one it claims), and
// goes on serving.
func TestHubRefusesStrangers(t *testing.T) {
	old := helloTimeout
	helloTimeout = 200 * time.Millisecond
	defer func() { helloTimeout = old }()
	e := New(load(t, "tasks: [{name: a, kind: process, steps: [{log: x}]}]"), Options{})
	h, err := newHub(e)
	if err != nil {
		t.Fatal(err)
	}
	defer h.close()
	dial := func() net.Conn {
		c, err := net.Dial("unix", h.path)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := dial()
	c.Write([]byte(`{"hello":{"token":"guess","task":"a","round":1,"pid":1,"ppid":1}}` + "\n"))
	hangUp(t, c)
	c = dial()
	c.Write([]byte(`{"hello":{"token":"` + strings.Repeat("x", 300000) + `"}}` + "\n"))
	hangUp(t, c)
	c = dial() // says nothing
	hangUp(t, c)
	deadline := time.Now().Add(10 * time.Second)
	for len(refusals(e)) < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	got := refusals(e)
	if len(got) != 3 {
		t.Fatalf("%d refusals recorded, want 3: %+v", len(got), got)
	}
	for _, ev := range got {
		if ev.PID != os.Getpid() {
			t.Errorf("a refusal names PID %d, not the peer's own %d", ev.PID, os.Getpid())
		}
	}
	if !strings.Contains(got[0].Refused().Error, "wrong key") || !strings.Contains(got[1].Refused().Error, "longer than") {
		t.Errorf("reasons: %q, %q, %q", got[0].Refused().Error, got[1].Refused().Error, got[2].Refused().Error)
	}
}

// The hello decoder takes any bytes without panicking, and accepts only a
// hello that names a task.
func FuzzHello(f *testing.F) {
	f.Add([]byte(`{"hello":{"token":"k","task":"a","round":1,"pid":1,"ppid":1}}` + "\n"))
	f.Add([]byte(`{"hello":null}`))
	f.Add([]byte(`{"events":[{"t":1,"kind":"log"}]}`))
	f.Add([]byte("\x00\xff{"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := parseHello(b)
		if err == nil && (h == nil || h.Task == "") {
			t.Errorf("accepted %q as a hello", b)
		}
	})
}

// Out of descriptors, accept fails; the hub waits a little and goes on
// serving once some are free again.
func TestHubServesAfterRunningOutOfDescriptors(t *testing.T) {
	e := New(load(t, "tasks: [{name: a, kind: process, steps: [{log: x}]}]"), Options{})
	h, err := newHub(e)
	if err != nil {
		t.Fatal(err)
	}
	defer h.close()
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Fatal(err)
	}
	fds, _ := os.ReadDir("/proc/self/fd")
	low := old
	low.Cur = uint64(len(fds) + 6)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	// Each connection costs a descriptor on each side: a few fill the table,
	// and the hub's accept fails with EMFILE.
	var conns []net.Conn
	for i := 0; i < 8; i++ {
		c, err := net.Dial("unix", h.path)
		if err != nil {
			break
		}
		conns = append(conns, c)
	}
	time.Sleep(100 * time.Millisecond) // the hub meets the full table
	for _, c := range conns {
		c.Close()
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Fatal(err)
	}
	before := len(refusals(e))
	c, err := net.Dial("unix", h.path)
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte(`{"hello":{"token":"guess","task":"a","round":1}}` + "\n"))
	hangUp(t, c)
	deadline := time.Now().Add(10 * time.Second)
	for len(refusals(e)) == before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if len(refusals(e)) == before {
		t.Error("after running out of descriptors the hub no longer serves")
	}
}

// A batch of events from a child that holds one mtviz cannot read (a kind
// it does not know, a field of another kind, nothing) ends the link and
// none of the batch is kept; a batch it can read is kept whole.
func TestHubEndsTheLinkOnAnEventItCannotRead(t *testing.T) {
	e := New(load(t, "tasks: [{name: a, kind: process, steps: [{log: x}]}]"), Options{})
	h, err := newHub(e)
	if err != nil {
		t.Fatal(err)
	}
	defer h.close()
	r := h.rec(1, "a")
	logs := func() (n int) {
		e.bufMu.Lock()
		defer e.bufMu.Unlock()
		for _, ev := range e.buf {
			if ev.Kind() == evt.KLog {
				n++
			}
		}
		return n
	}
	good := evt.Wire{Kind: evt.KLog, Task: "a", Text: "hi"}
	if !h.handle(nil, r, nil, wire{Events: []evt.Wire{good, good}}) || logs() != 2 {
		t.Fatalf("a good batch: %d lines kept, want 2", logs())
	}
	for _, bad := range []evt.Wire{{Kind: "boom", Task: "a"}, {Kind: evt.KLog, Task: "a", Text: "x", Holder: "b"}, {}} {
		if h.handle(nil, r, nil, wire{Events: []evt.Wire{good, bad}}) {
			t.Errorf("a batch with %+v was served", bad)
		}
	}
	if n := logs(); n != 2 {
		t.Errorf("%d lines kept after the bad batches, want the good batch's 2", n)
	}
}
