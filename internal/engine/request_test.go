package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	evt "mtviz/internal/event"
)

// Requests in both modes get every answer and count it, and the tasks show
// the wait as I/O on the server: in the poller, or in a blocking read.
func TestRequestCountsAnswers(t *testing.T) {
	evs := run(t, `
objects:
  disk: {kind: server, delay: 2ms}
  polled: {kind: counter}
  blocked: {kind: counter}
tasks:
  - name: p
    count: 4
    steps: [{request: {server: disk, times: 10, count: polled}}]
  - name: b
    count: 4
    steps: [{request: {server: disk, times: 10, count: blocked, mode: block}}]
`, Options{})
	_, end := find(evs, func(ev evt.Event) bool { return ev.Kind() == evt.KRoundEnd })
	if end.Kind() != evt.KRoundEnd || end.RoundEnd().Values["polled"] != 40 || end.RoundEnd().Values["blocked"] != 40 {
		t.Errorf("answers counted: %+v, want 40 each", end)
	}
	for task, reason := range map[string]evt.Reason{"p-1": evt.ReasonPoll, "b-1": evt.ReasonIO} {
		if i, _ := find(evs, func(ev evt.Event) bool {
			return ev.Kind() == evt.KState && ev.Task == task && ev.StateChange().State == evt.Blocked && ev.StateChange().Reason == reason && ev.StateChange().Object == "disk"
		}); i < 0 {
			t.Errorf("%s was never shown blocked on %s disk", task, reason)
		}
	}
	for _, ev := range evs {
		if ev.Kind() == evt.KError {
			t.Errorf("error: %s", ev.Failure().Error)
		}
	}
}

// A process task's requests count in the process's own copy of the
// counter, and a process with gomaxprocs says what its runtime runs with.
func TestRequestInAProcess(t *testing.T) {
	evs := run(t, `
objects:
  disk: {kind: server}
  got: {kind: counter}
tasks:
  - name: proc
    kind: process
    gomaxprocs: 1
    steps: [{spawn: w}, {join: w}]
  - name: w
    count: 3
    steps: [{request: {server: disk, times: 5, count: got, mode: block}}]
`, Options{})
	var last int64
	for _, ev := range evs {
		if ev.Kind() == evt.KCounter && ev.CounterChange().Object == "got" && ev.Task == "proc" {
			last = ev.CounterChange().Value
		}
	}
	if last != 15 {
		t.Errorf("proc's copy of the counter ended at %d, want 15", last)
	}
	if _, ev := find(evs, func(ev evt.Event) bool { return ev.Kind() == evt.KProcess && ev.Task == "proc" }); ev.Kind() != evt.KProcess || ev.Process().GoMaxProcs != 1 {
		t.Errorf("proc said %+v, want GOMAXPROCS 1", ev)
	}
}

// A task stopped while it waits for an answer that would take ten minutes
// ends at once, in either mode: the stop shuts its connection.
func TestStopWhileWaitingForAnAnswer(t *testing.T) {
	for _, mode := range []string{"poll", "block"} {
		t.Run(mode, func(t *testing.T) {
			evs := run(t, fmt.Sprintf(`
objects:
  disk: {kind: server, delay: 10m}
tasks:
  - name: waiter
    steps: [{request: {server: disk, mode: %s}}, {log: answered}]
  - name: boss
    steps: [{sleep: 200ms}, {stop: waiter}]
`, mode), Options{})
			if i, _ := find(evs, func(ev evt.Event) bool { return ev.Kind() == evt.KLog && ev.Log().Text == "answered" }); i >= 0 {
				t.Error("the waiter went on after it was stopped")
			}
			_, end := find(evs, func(ev evt.Event) bool {
				return ev.Kind() == evt.KState && ev.Task == "waiter" && ev.StateChange().State == evt.Done
			})
			if end.Kind() != evt.KState || end.StateChange().End != evt.EndStopped || end.StateChange().Object != "disk" {
				t.Errorf("waiter ended %+v, want stopped while blocked on disk", end)
			}
		})
	}
}

// serverPIDs lists the live processes that are this process's children and
// run a server.
func serverPIDs(t *testing.T) []int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmd, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		stat, _ := os.ReadFile("/proc/" + e.Name() + "/stat")
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 || !bytes.Contains(cmd, []byte(ServerCommand)) {
			continue
		}
		if f := strings.Fields(string(stat[i+1:])); len(f) > 1 && f[1] == strconv.Itoa(os.Getpid()) {
			out = append(out, pid)
		}
	}
	return out
}

// The server is a child of the run's process while the run lasts, and is
// gone, reaped, when Run returns: however the run ended.
func TestServerGoneAfterTheRun(t *testing.T) {
	src := `
objects:
  disk: {kind: server, delay: 10m}
tasks:
  - name: a
    steps: [{request: disk}]
`
	e := New(load(t, src), Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error)
	go func() { done <- e.Run(ctx) }()
	var pid int
	for b := range e.Events() {
		for _, ev := range b {
			if ev.Kind() == evt.KProcess && ev.Task == "server disk" {
				pid = ev.PID
				if got := serverPIDs(t); len(got) != 1 || got[0] != pid {
					t.Errorf("server PID %d, but /proc shows these server children: %v", pid, got)
				}
				cancel()
			}
		}
	}
	if err := <-done; !errors.Is(err, ErrStopped) {
		t.Errorf("Run returned %v", err)
	}
	if pid == 0 {
		t.Fatal("no server process was reported")
	}
	if left := serverPIDs(t); len(left) > 0 {
		t.Errorf("server processes left after the run: %v", left)
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
		t.Errorf("PID %d is still there (a zombie?)", pid)
	}
}

// listening lists the TCP sockets a process listens on, from /proc: its
// descriptors give socket inodes, /proc/net/tcp{,6} their addresses
// (state 0A is LISTEN).
func listening(t *testing.T, pid int) []string {
	t.Helper()
	inodes := map[string]bool{}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		l, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if in, ok := strings.CutPrefix(l, "socket:["); ok {
			inodes[strings.TrimSuffix(in, "]")] = true
		}
	}
	var out []string
	for _, file := range []string{"tcp", "tcp6"} {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", pid, file))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) > 9 && f[3] == "0A" && inodes[f[9]] {
				out = append(out, file+" "+f[1])
			}
		}
	}
	return out
}

// The server listens on 127.0.0.1 and nowhere else, as /proc says.
func TestServerListensOnLoopbackOnly(t *testing.T) {
	e := New(load(t, "objects: {disk: {kind: server}}\ntasks: [{name: a, steps: [{request: disk}]}]"), Options{})
	if err := e.startServers(); err != nil {
		t.Fatal(err)
	}
	defer e.stopServers()
	s := e.servers[0]
	socks := listening(t, s.cmd.Process.Pid)
	if len(socks) == 0 {
		t.Fatal("the server listens on no TCP socket")
	}
	for _, sock := range socks {
		// 0100007F is 127.0.0.1, as /proc writes it.
		if !strings.HasPrefix(sock, "tcp 0100007F:") {
			t.Errorf("the server listens on %s, not only on 127.0.0.1", sock)
		}
	}
	if !strings.HasPrefix(s.addr, "127.0.0.1:") {
		t.Errorf("address %q", s.addr)
	}
}

// A server serves at most maxServerConns connections at once: one more is
// closed at once, and the others are still answered.
func TestServerBoundsConnections(t *testing.T) {
	old := maxServerConns
	maxServerConns = 2
	defer func() { maxServerConns = old }()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan struct{})
	go func() { defer close(served); serve(ln, 0) }()
	defer func() { ln.Close(); <-served }()
	ask := func(c net.Conn) error {
		c.SetDeadline(time.Now().Add(20 * time.Second))
		if _, err := c.Write([]byte{7}); err != nil {
			return err
		}
		_, err := io.ReadFull(c, make([]byte, 1))
		return err
	}
	var conns []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
		if len(conns) <= 2 {
			// Answered: the server has taken it, and holds a slot.
			if err := ask(c); err != nil {
				t.Fatalf("connection %d was not answered: %v", len(conns), err)
			}
		}
	}
	if err := ask(conns[2]); err == nil {
		t.Error("a third connection was answered beyond the limit of 2")
	}
	if err := ask(conns[0]); err != nil {
		t.Errorf("the first connection is no longer answered: %v", err)
	}
}

// FuzzAnswer: whatever a connection sends, and however it is cut, the
// server sends back exactly one byte for each byte.
func FuzzAnswer(f *testing.F) {
	f.Add([]byte{1}, 1)
	f.Add(bytes.Repeat([]byte{0xff}, 300), 7)
	f.Add([]byte{}, 3)
	f.Fuzz(func(t *testing.T, data []byte, cut int) {
		if len(data) > 4096 {
			return
		}
		cut = max(1, cut%64)
		client, srv := net.Pipe()
		done := make(chan struct{})
		go func() { defer close(done); answer(srv, 0) }()
		go func() {
			for b := data; len(b) > 0; {
				n := min(cut, len(b))
				client.Write(b[:n])
				b = b[n:]
			}
		}()
		got := make([]byte, len(data))
		client.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.ReadFull(client, got); err != nil {
			t.Fatalf("%d bytes sent, answer cut short: %v", len(data), err)
		}
		if !bytes.Equal(got, data) {
			t.Fatal("the answers are not one byte for each byte sent")
		}
		client.Close()
		<-done
	})
}

// Locked tasks that wait hold an OS thread each: their process, fresh,
// has at least that many threads while they wait, as /proc counts them;
// the same tasks unlocked need no thread each.
func TestLockedTasksHoldThreads(t *testing.T) {
	for _, locked := range []bool{true, false} {
		t.Run(fmt.Sprint("locked=", locked), func(t *testing.T) {
			e := New(load(t, fmt.Sprintf(`
objects:
  go: {kind: event}
tasks:
  - name: proc
    kind: process
    steps: [{spawn: l}, {sleep: 100ms}, {key: {key: g, label: go}}, {set: go}, {join: l}]
  - name: l
    locked: %v
    count: 12
    steps: [{wait: go}]
`, locked)), Options{})
			done := make(chan error)
			go func() { done <- e.Run(context.Background()) }()
			pid, threads := 0, 0
			for b := range e.Events() {
				for _, ev := range b {
					switch ev.Kind() {
					case evt.KProcess:
						pid = ev.PID
					case evt.KKey:
						ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
						if err != nil {
							t.Error(err)
						}
						threads = len(ents)
						e.Key('g')
					}
				}
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			t.Logf("%d threads while 12 tasks waited", threads)
			if locked && threads < 12 || !locked && threads >= 12 {
				t.Errorf("%d threads in the process while 12 tasks (locked: %v) waited", threads, locked)
			}
		})
	}
}
