package engine

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	evt "mtviz/internal/event"
	"mtviz/internal/guard"
)

// hub is mtviz's end of its child processes: a Unix socket in a private
// directory that every process of the run connects to, with a key each must
// present. Every child talks to mtviz directly, not to its parent, so that a
// child whose parent ended (an orphan) still reports, and still dies with
// mtviz: when mtviz ends, however it ends, the connection closes and the
// child exits.
type hub struct {
	host   host
	dir    string
	rundir *Dir
	path   string
	token  string
	ln     *net.UnixListener

	mu    sync.Mutex
	peers map[*peer]bool
	procs map[procKey]*procRec
	pgids map[int]bool // process groups of the children mtviz started itself

	reapMu sync.Mutex
	wg     sync.WaitGroup
	done   chan struct{}
}

// host is what the hub needs of the engine it serves: the run's record,
// the round under way, and what a child that says hello is assigned.
type host interface {
	emit(ev evt.Event)
	// inject adds events a child recorded, with their own stamps; it
	// waits while too many are pending, until stop closes.
	inject(evs []evt.Event, stop <-chan struct{})
	current() *world
	assignment(task string, round int) *assign
}

type procKey struct {
	round int
	task  string
}

// procRec is what mtviz knows of one process task's process.
type procRec struct {
	task      string
	round     int
	pid, ppid int
	pidfd     int  // a pidfd of the process, -1 when there is none
	owned     bool // started by mtviz itself (its exec.Cmd reaps it)
	sawDone   bool
	adoptedAt time.Time // when mtviz first found it as its own zombie (reaper goroutine only)
	connected chan struct{}
	ended     chan struct{} // its connection closed: it has exited
	gone      chan struct{} // it was reaped, or has vanished
	connOnce  sync.Once
	endOnce   sync.Once
	goneOnce  sync.Once
}

func newRec(task string, round int) *procRec {
	return &procRec{task: task, round: round, pidfd: -1, connected: make(chan struct{}), ended: make(chan struct{}), gone: make(chan struct{})}
}

// signal sends a signal to the record's process through its pidfd, which
// cannot reach another process; without a pidfd, by PID, and only while
// the process is not known to be gone.
func (r *procRec) signal(sig syscall.Signal) error {
	if r.pidfd >= 0 {
		return unix.PidfdSendSignal(r.pidfd, sig, nil, 0)
	}
	if isClosed(r.gone) || r.pid <= 0 {
		return unix.ESRCH
	}
	return syscall.Kill(r.pid, sig)
}

// alive reports whether the process still exists (a zombie does).
func (r *procRec) alive() bool { return r.pid > 0 && r.signal(0) == nil }

func (r *procRec) markEnded() { r.endOnce.Do(func() { close(r.ended) }) }
func (r *procRec) markGone()  { r.goneOnce.Do(func() { close(r.gone) }) }

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// Environment of a child process: where the hub is, the key, and which task
// of which round the child runs.
const (
	envHub   = "MTVIZ_HUB"
	envDir   = "MTVIZ_DIR"
	envToken = "MTVIZ_TOKEN"
	envTask  = "MTVIZ_TASK"
	envRound = "MTVIZ_ROUND"
)

func newHub(e host) (*hub, error) {
	d, err := RunDir()
	if err != nil {
		return nil, err
	}
	name, key := make([]byte, 8), make([]byte, 16)
	rand.Read(name)
	rand.Read(key)
	// An abstract socket: no file to leave behind, however mtviz ends. Any
	// process can find it, so a connection must come from this user (the
	// kernel says, SO_PEERCRED) and present the key.
	h := &hub{host: e, dir: d.Path, rundir: d, path: "@mtviz-" + hex.EncodeToString(name), token: hex.EncodeToString(key),
		peers: map[*peer]bool{}, procs: map[procKey]*procRec{}, pgids: map[int]bool{}, done: make(chan struct{})}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: h.path, Net: "unix"})
	if err != nil {
		d.Remove()
		return nil, fmt.Errorf("listen for child processes: %w", err)
	}
	h.ln = ln
	// Orphans of the run are adopted by mtviz, which reaps them, instead of
	// by PID 1; the lessons show the learner who adopted them.
	unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	h.wg.Add(2)
	guard.Go(h.accept)
	guard.Go(h.reaper)
	return h, nil
}

func (h *hub) env(task string, round int) []string {
	return []string{envHub + "=" + h.path, envDir + "=" + h.dir, envToken + "=" + h.token, envTask + "=" + task, envRound + "=" + fmt.Sprint(round)}
}

func (h *hub) close() {
	close(h.done)
	h.ln.Close()
	h.mu.Lock()
	for p := range h.peers {
		p.close()
	}
	h.mu.Unlock()
	h.wg.Wait()
	h.mu.Lock()
	for _, r := range h.procs {
		if r.pidfd >= 0 {
			unix.Close(r.pidfd)
			r.pidfd = -1
		}
	}
	h.mu.Unlock()
	h.rundir.Remove()
}

// broadcast sends a message to every child process connected.
func (h *hub) broadcast(m wire) {
	if h == nil {
		return
	}
	h.mu.Lock()
	peers := make([]*peer, 0, len(h.peers))
	for p := range h.peers {
		peers = append(peers, p)
	}
	h.mu.Unlock()
	for _, p := range peers {
		p.send(m)
	}
}

// own says that mtviz itself starts the process of task of round (its
// exec.Cmd reaps it), and group that pid leads a process group of the
// round's.
func (h *hub) own(round int, task string) {
	r := h.rec(round, task)
	h.mu.Lock()
	r.owned = true
	h.mu.Unlock()
}

func (h *hub) group(pid int) {
	h.mu.Lock()
	h.pgids[pid] = true
	h.mu.Unlock()
}

func (h *hub) rec(round int, task string) *procRec {
	h.mu.Lock()
	defer h.mu.Unlock()
	k := procKey{round, task}
	r := h.procs[k]
	if r == nil {
		r = newRec(task, round)
		h.procs[k] = r
	}
	return r
}

func (h *hub) accept() {
	defer h.wg.Done()
	backoff := 5 * time.Millisecond
	for {
		c, err := h.ln.AcceptUnix()
		if err != nil {
			select {
			case <-h.done:
				return
			default:
			}
			// Out of descriptors, say: wait a little and go on serving.
			select {
			case <-time.After(backoff):
			case <-h.done:
				return
			}
			backoff = min(2*backoff, time.Second)
			continue
		}
		backoff = 5 * time.Millisecond
		h.wg.Add(1)
		guard.Go(func() { h.serve(c) })
	}
}

// Limits on a connection's first message, checked before its key is: a
// stranger may not make mtviz read or wait without end.
const maxHello = 4096

var helloTimeout = 5 * time.Second // a variable, for the tests

// peerPID is the real PID of a connection's other end, from the kernel
// (SO_PEERCRED), whatever the peer says of itself; a peer of another user
// is refused.
func peerPID(c *net.UnixConn) (int, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return 0, err
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return 0, err
	}
	if cerr != nil {
		return 0, cerr
	}
	if int(cred.Uid) != os.Getuid() {
		return int(cred.Pid), fmt.Errorf("a process of another user (UID %d)", cred.Uid)
	}
	return int(cred.Pid), nil
}

// readHello reads a connection's first line, at most maxHello bytes,
// within helloTimeout.
func readHello(c *net.UnixConn, br *bufio.Reader) (*hello, error) {
	c.SetReadDeadline(time.Now().Add(helloTimeout))
	defer c.SetReadDeadline(time.Time{})
	line, err := br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		return nil, fmt.Errorf("a first message longer than %d bytes", maxHello)
	}
	if err != nil {
		return nil, err
	}
	return parseHello(line)
}

// parseHello decodes a first message; anything but a hello with a task is
// refused.
func parseHello(line []byte) (*hello, error) {
	var m wire
	if err := json.Unmarshal(line, &m); err != nil || m.Hello == nil || m.Hello.Task == "" {
		return nil, errors.New("a first message that is not a hello")
	}
	return m.Hello, nil
}

// serve talks to one child until its connection closes.
func (h *hub) serve(c *net.UnixConn) {
	defer h.wg.Done()
	pid, err := peerPID(c)
	br := bufio.NewReaderSize(c, maxHello)
	var hi *hello
	if err == nil {
		hi, err = readHello(c, br)
	}
	if err != nil {
		c.Close()
		if pid > 0 {
			h.host.emit(evt.Event{PID: pid, Data: evt.Refused{Error: err.Error()}})
		}
		return
	}
	p := newPeerReader(c, br)
	h.mu.Lock()
	h.peers[p] = true
	h.mu.Unlock()
	defer func() {
		p.close()
		h.mu.Lock()
		delete(h.peers, p)
		h.mu.Unlock()
	}()
	if subtle.ConstantTimeCompare([]byte(hi.Token), []byte(h.token)) != 1 {
		h.host.emit(evt.Event{PID: pid, Data: evt.Refused{Error: "a wrong key"}})
		return
	}
	w := h.host.current()
	if w == nil || w.round != hi.Round || w.byCopy[hi.Task] == nil {
		return
	}
	// The process is connected, so it lives: a pidfd opened now refers to
	// it for good, and signals sent through it can never reach another
	// process that reuses the number.
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		fd = -1
	}
	r := h.rec(hi.Round, hi.Task)
	h.mu.Lock()
	r.pid, r.ppid, r.pidfd = pid, hi.PPID, fd
	h.mu.Unlock()
	r.connOnce.Do(func() { close(r.connected) })
	x := evt.Process{PPID: hi.PPID}
	if w.byCopy[hi.Task].def.GoMaxProcs > 0 {
		x.GoMaxProcs = hi.GoMaxProcs
	}
	h.host.emit(evt.Event{Task: hi.Task, PID: pid, Round: hi.Round, Data: x})
	if p.send(wire{Assign: h.host.assignment(hi.Task, hi.Round)}) != nil {
		return
	}
	defer func() {
		if !r.sawDone {
			// It died without a word: killed, or crashed.
			h.host.emit(evt.Event{Task: hi.Task, PID: pid, Round: hi.Round, Data: evt.StateChange{State: evt.Done, End: evt.EndKilled}})
		}
		r.markEnded()
	}()
	for {
		m, err := p.recv()
		if err != nil {
			return
		}
		if !h.handle(p, r, w, m) {
			return // not a word of mtviz's own child: the link ends, as on a line that is no message
		}
	}
}

// handle serves one message from a child; false when it cannot be read.
func (h *hub) handle(p *peer, r *procRec, w *world, m wire) bool {
	switch {
	case m.Events != nil:
		evs, err := evt.Events(m.Events)
		if err != nil {
			return false
		}
		for i := range evs {
			ev := &evs[i]
			if ev.PID == 0 {
				ev.PID = r.pid
			}
			ev.Round = r.round
			if ev.Kind() == evt.KState && ev.Task == r.task && ev.StateChange().State == evt.Done {
				r.sawDone = true
			}
			if ev.Kind() == evt.KExit {
				// A child reaped a child of its own.
				h.rec(r.round, ev.Task).markGone()
			}
		}
		h.host.inject(evs, h.done)
	case m.Put != nil:
		h.serveQueue(p, w, r, *m.Put, true)
	case m.Get != nil:
		h.serveQueue(p, w, r, *m.Get, false)
	case m.Kill != nil:
		h.kill(w, m.Kill.Task, m.Kill.Signal, m.Kill.By)
	case m.Await != nil:
		op := *m.Await
		h.wg.Add(1)
		guard.Go(func() {
			defer h.wg.Done()
			select {
			case <-h.rec(r.round, op.Task).gone:
				p.send(wire{Gone: &op})
			case <-p.closed:
			case <-w.stop:
			}
		})
	case m.Bye != nil:
		r.sawDone = true
	}
	return true
}

// serveQueue puts or gets for a child on a queue that lives in mtviz, and
// answers when it is done: a put into a full queue, like a get from an empty
// one, waits, and so does the child. The wait ends if the child goes or the
// run stops.
func (h *hub) serveQueue(p *peer, w *world, r *procRec, op queueOp, put bool) {
	q := w.queues[op.Queue]
	if q == nil {
		p.send(wire{Value: &queueOp{ID: op.ID, Queue: op.Queue}})
		return
	}
	h.wg.Add(1)
	guard.Go(func() {
		defer h.wg.Done()
		stop, release := either(p.closed, w.stop)
		defer release()
		v, ok := op.Value, false
		if put {
			ok = q.put(v, stop, nil, func() {
				h.host.emit(evt.Event{Task: op.Task, PID: r.pid, Data: evt.QueuePut{Object: q.name, Item: v}})
			})
		} else {
			v, ok = q.get(stop, nil, func(v string) {
				h.host.emit(evt.Event{Task: op.Task, PID: r.pid, Data: evt.QueueGet{Object: q.name, Item: v}})
			})
		}
		if ok {
			h.host.emit(q.snapshot())
		}
		p.send(wire{Value: &queueOp{ID: op.ID, Queue: op.Queue, Value: v, OK: ok}})
	})
}

// either returns a channel closed when a or b is; release ends the watch.
func either(a, b <-chan struct{}) (<-chan struct{}, func()) {
	out, quit := make(chan struct{}), make(chan struct{})
	go func() {
		select {
		case <-a:
			close(out)
		case <-b:
			close(out)
		case <-quit:
		}
	}()
	return out, func() { close(quit) }
}

var signals = map[string]syscall.Signal{"TERM": syscall.SIGTERM, "KILL": syscall.SIGKILL, "INT": syscall.SIGINT}

// kill sends a signal to every process of a task (all its copies).
func (h *hub) kill(w *world, name, sig, by string) {
	targets := w.byName[name]
	if t := w.byCopy[name]; len(targets) == 0 && t != nil {
		targets = append(targets, t)
	}
	for _, t := range targets {
		r := h.rec(w.round, t.name)
		select {
		case <-r.connected:
		case <-time.After(2 * time.Second):
			h.host.emit(evt.Event{Task: by, Data: evt.Failure{Error: fmt.Sprintf("%s has no process to signal", t.name)}})
			continue
		}
		if isClosed(r.gone) {
			continue
		}
		// Recorded first, so that the record has the signal before the end it
		// causes.
		h.host.emit(evt.Event{Task: by, PID: r.pid, Data: evt.SignalSent{Target: t.name, Signal: int(signals[sig])}})
		if err := r.signal(signals[sig]); err != nil {
			h.host.emit(evt.Event{Task: by, Data: evt.Failure{Error: fmt.Sprintf("could not send SIG%s to %s (PID %d): %v", sig, t.name, r.pid, err)}})
		}
	}
}

func (h *hub) endRound(round int) {
	h.mu.Lock()
	pgids := make([]int, 0, len(h.pgids))
	for g := range h.pgids {
		pgids = append(pgids, g)
	}
	h.pgids = map[int]bool{}
	var recs []*procRec
	for k, r := range h.procs {
		if k.round == round {
			recs = append(recs, r)
		}
	}
	h.mu.Unlock()
	// A group is signalled only while a process of this run is still in
	// it: the kernel keeps a group's number while any member lives, so the
	// signal cannot reach a group that reused it.
	for _, g := range pgids {
		if groupAlive(g, recs) {
			syscall.Kill(-g, syscall.SIGKILL)
		}
	}
	defer h.reapStrays()
	// Orphans left behind are in those groups too; give the reaper a moment.
	deadline := time.Now().Add(3 * time.Second)
	for _, r := range recs {
		h.mu.Lock()
		owned := r.owned
		h.mu.Unlock()
		if r.pid > 0 && !owned && !isClosed(r.gone) {
			r.signal(syscall.SIGKILL)
		}
		for !isClosed(r.gone) && r.pid > 0 && !owned && time.Now().Before(deadline) {
			h.reapAdopted(true)
			time.Sleep(10 * time.Millisecond)
		}
	}
}
