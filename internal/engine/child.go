package engine

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"mtviz/internal/contain"
	evt "mtviz/internal/event"
	"mtviz/internal/natsjob"
)

// ChildCommand is the hidden subcommand under which mtviz runs one process
// task in a child process (Go has no fork: the child is mtviz itself).
const ChildCommand = "__child"

type childHub struct{ path, dir, token string }

func (c childHub) env(task string, round int) []string {
	return []string{envHub + "=" + c.path, envDir + "=" + c.dir, envToken + "=" + c.token, envTask + "=" + task, envRound + "=" + strconv.Itoa(round)}
}

// remote is a child's outlet: the engine inside a child process runs one
// process task and forwards, over its link to mtviz's hub, its events and
// whatever only mtviz can do: queues (they live in mtviz), signals, joins
// of tasks other processes started.
type remote struct {
	e     *Engine
	hub   childHub
	link  *peer
	task  string
	round int

	nextID  atomic.Int64
	leaving atomic.Bool // the process is ending on its own: a closed link is expected
	mu      sync.Mutex
	replies map[int64]chan wire
}

func (c *remote) call(m wire, id int64, stop <-chan struct{}) (wire, bool) {
	ch := make(chan wire, 1)
	c.mu.Lock()
	c.replies[id] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.replies, id)
		c.mu.Unlock()
	}()
	if c.link.send(m) != nil {
		return wire{}, false
	}
	select {
	case r := <-ch:
		return r, true
	case <-stop:
		return wire{}, false
	}
}

// RunChild is the body of a child process: it connects to the hub named in
// its environment, gets its scenario and task, runs the task and exits. It
// exits at once if the connection to mtviz closes, however mtviz ended.
func RunChild() int {
	path, token, task := os.Getenv(envHub), os.Getenv(envToken), os.Getenv(envTask)
	round, _ := strconv.Atoi(os.Getenv(envRound))
	if path == "" || task == "" {
		fmt.Fprintln(os.Stderr, "mtviz: "+ChildCommand+" is for mtviz's own child processes")
		return 2
	}
	c, err := net.Dial("unix", path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mtviz child: connect:", err)
		return 1
	}
	p := newPeer(c)
	hi := &hello{Token: token, Task: task, Round: round, PID: os.Getpid(), PPID: os.Getppid(), GoMaxProcs: runtime.GOMAXPROCS(0)}
	if err := p.send(wire{Hello: hi}); err != nil {
		return 1
	}
	m, err := p.recv()
	if err != nil || m.Assign == nil {
		// Refused, or mtviz is gone.
		return 1
	}
	a := m.Assign
	sc := a.Scenario
	if sc == nil {
		fmt.Fprintln(os.Stderr, "mtviz child: no scenario from mtviz")
		return 1
	}
	e := New(sc, Options{Cores: a.Cores, Start: time.Unix(0, a.Start), AutoKeys: a.AutoKeys, Tick: 20 * time.Millisecond})
	cs := &remote{e: e, hub: childHub{path, os.Getenv(envDir), token}, link: p, task: a.Task, round: a.Round, replies: map[int64]chan wire{}}
	e.outlet, e.addrs, e.brokerInfo = cs, a.Servers, a.Brokers
	if a.Paused {
		e.Pause()
	}
	go cs.read(e)
	code := e.runChild(cs)
	e.flushNow()
	cs.leaving.Store(true)
	p.send(wire{Bye: &bye{Code: code}})
	p.close()
	return code
}

// read handles what mtviz sends; when the connection closes, mtviz is gone
// and so is this process.
func (c *remote) read(e *Engine) {
	for {
		m, err := c.link.recv()
		if err != nil {
			if c.leaving.Load() {
				return
			}
			os.Exit(1)
		}
		switch {
		case m.Cmd == "pause":
			e.Pause()
		case m.Cmd == "resume":
			e.Resume()
		case m.Cmd == "stop":
			if w := e.cur.Load(); w != nil {
				w.halt()
			}
		case m.Key != "":
			e.Key([]rune(m.Key)[0])
		case m.Value != nil || m.Gone != nil:
			id := int64(0)
			if m.Value != nil {
				id = m.Value.ID
			} else {
				id = m.Gone.ID
			}
			c.mu.Lock()
			ch := c.replies[id]
			c.mu.Unlock()
			if ch != nil {
				ch <- m
			}
		}
	}
}

// runChild runs the one task this process was started for. At its end the
// process does what a Python process does at exit: it waits for its
// non-daemon children and terminates its daemon ones.
func (e *Engine) runChild(c *remote) int {
	w, err := newWorld(e, c.round)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mtviz child:", err)
		return 1
	}
	t := w.byCopy[c.task]
	if t == nil {
		fmt.Fprintf(os.Stderr, "mtviz child: no task %q\n", c.task)
		return 1
	}
	w.self = t
	t.daemon = false
	if n := t.def.GoMaxProcs; n > 0 {
		runtime.GOMAXPROCS(n) // as its environment already said
	} else {
		runtime.GOMAXPROCS(max(1, e.opt.Cores))
	}
	e.worlds = []*world{w}
	e.cur.Store(w)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.collect(stop)
	}()
	w.startAll([]*task{t}, nil)
	w.main.Wait()
	w.cutDaemons()
	w.all.Wait()
	for _, o := range w.tasks {
		if o != t {
			t.reapChild(o)
		}
	}
	w.over.Store(true)
	close(stop)
	<-done
	return 0
}

func (c *remote) deliver(batch []evt.Event) { c.link.send(wire{Events: evt.Wires(batch)}) }

// lag: events of this process's tasks are all in hand at once; those of
// its own children go to mtviz directly.
func (c *remote) lag() time.Duration { return 0 }

func (c *remote) owner() string { return c.task }

// paused, pressed: mtviz tells every process of the run itself.
func (c *remote) paused(on bool) {}
func (c *remote) pressed(r rune) {}

// put, get: the queue lives in mtviz, which answers when it is done.
func (c *remote) put(t *task, q *queue, v string) bool {
	t.set(evt.Blocked, evt.ReasonQueue, q.name, "")
	id := c.nextID.Add(1)
	r, ok := c.call(wire{Put: &queueOp{ID: id, Queue: q.name, Task: t.name, Value: v}}, id, t.stop)
	if !ok || r.Value == nil || !r.Value.OK {
		return false
	}
	t.running()
	return true
}

func (c *remote) get(t *task, q *queue, timed bool, stop <-chan struct{}) (string, bool) {
	// A get given up here could still take a value there, and lose it.
	if timed {
		t.emit(evt.Event{
			Task: t.name,
			Data: evt.Failure{Object: q.name, Error: "a get with a timeout runs only in tasks of mtviz's own process; in a process task it waits without one"},
		})
	}
	t.set(evt.Blocked, evt.ReasonQueue, q.name, "")
	id := c.nextID.Add(1)
	r, ok := c.call(wire{Get: &queueOp{ID: id, Queue: q.name, Task: t.name}}, id, t.stop)
	if !ok || r.Value == nil || !r.Value.OK {
		return "", false
	}
	return r.Value.Value, true
}

func (c *remote) awaitGone(t, o *task, stop <-chan struct{}) bool {
	id := c.nextID.Add(1)
	_, ok := c.call(wire{Await: &awaitOp{ID: id, Task: o.name}}, id, stop)
	return ok
}

func (c *remote) kill(t *task, name, sig string) {
	c.link.send(wire{Kill: &killOp{Task: name, Signal: sig, By: t.name}})
}

// outside: a child's tasks may be woken by mtviz's (its queues are served
// there): only mtviz sees the whole run.
func (c *remote) outside(round int) bool { return true }

func (c *remote) childEnv() envSource { return c.hub }

func (c *remote) lockDir() string { return c.hub.dir }

// start: children of children get neither Pdeathsig nor a group of their
// own, so that an orphan outlives its parent, as the lessons need (it still
// dies with mtviz: its connection closes); their standard error is this
// process's, mtviz's pipe.
func (c *remote) start(w *world, t *task, cmd *exec.Cmd) error { return startOwned(cmd) }

// reaped: mtviz learns of the reap from the exit event.
func (c *remote) reaped(round int, name string) {}

// crash panics in a goroutine of its own, where nothing recovers: the whole
// process ends, every goroutine in it, as an uncaught panic ends a Go
// program. Before, it says so, for the task and for its process's own task,
// since the process will not get to.
func (c *remote) crash(t *task, text string) bool {
	w := t.w
	t.setState(taskState{state: evt.Done, end: evt.EndCrashed})
	if w.self != nil && w.self != t {
		w.self.setState(taskState{state: evt.Done, end: evt.EndCrashed})
	}
	c.e.flushNow()
	go func() { panic("crash step of " + t.name + ": " + text) }()
	<-t.stop // the process ends first
	return false
}

// exit ends the child process at once, as os._exit does, after sending
// what it has recorded.
func (c *remote) exit(code int) {
	c.e.flushNow()
	c.leaving.Store(true)
	c.link.send(wire{Bye: &bye{Code: code}})
	os.Exit(code)
}

// MaybeChild runs the child-process body (or a server's, a broker's, a
// box's guard) and exits if this process was started as one of mtviz's
// children: the one table of mtviz's hidden commands. Programs (and test
// binaries) that run scenarios with process tasks or servers call it first
// thing.
func MaybeChild() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case ChildCommand:
			os.Exit(RunChild())
		case ServerCommand:
			os.Exit(RunServer())
		case natsjob.BrokerCommand:
			os.Exit(natsjob.RunBroker(os.Stdin, os.Stdout))
		case contain.GuardCommand:
			os.Exit(contain.RunGuard(os.Stdin))
		}
	}
}
