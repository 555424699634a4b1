package sim

import (
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"mtviz/internal/contain"
	"mtviz/internal/dist"
)

// ChildCommand is the hidden subcommand under which mtviz runs one process
// task in a child process (Go has no fork: the child is mtviz itself).
const ChildCommand = "__child"

// envSource gives the environment a child process needs to find the hub.
type envSource interface {
	env(task string, round int) []string
}

type childHub struct{ path, dir, token string }

func (c childHub) env(task string, round int) []string {
	return []string{envHub + "=" + c.path, envDir + "=" + c.dir, envToken + "=" + c.token, envTask + "=" + task, envRound + "=" + strconv.Itoa(round)}
}

// hubInfo is where children started by this process connect.
func (e *Engine) hubInfo() envSource {
	if e.child != nil {
		return e.child.hub
	}
	if e.hub != nil {
		return e.hub
	}
	return nil
}

// childState is what an engine running inside a child process knows.
type childState struct {
	hub   childHub
	link  *peer
	task  string
	round int

	nextID  atomic.Int64
	leaving atomic.Bool // the process is ending on its own: a closed link is expected
	mu      sync.Mutex
	replies map[int64]chan wire
}

func (c *childState) call(m wire, id int64, stop <-chan struct{}) (wire, bool) {
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
	cs := &childState{hub: childHub{path, os.Getenv(envDir), token}, link: p, task: a.Task, round: a.Round, replies: map[int64]chan wire{}}
	e.child, e.addrs, e.brokerInfo = cs, a.Servers, a.Brokers
	if a.Paused {
		e.Pause()
	}
	go cs.read(e)
	code := e.runChild()
	e.flushNow()
	cs.leaving.Store(true)
	p.send(wire{Bye: &bye{Code: code}})
	p.close()
	return code
}

// read handles what mtviz sends; when the connection closes, mtviz is gone
// and so is this process.
func (c *childState) read(e *Engine) {
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
func (e *Engine) runChild() int {
	w, err := newWorld(e, e.child.round)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mtviz child:", err)
		return 1
	}
	t := w.byCopy[e.child.task]
	if t == nil {
		fmt.Fprintf(os.Stderr, "mtviz child: no task %q\n", e.child.task)
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
	for _, c := range w.tasks {
		if c != t {
			t.reapChild(c)
		}
	}
	w.over.Store(true)
	close(stop)
	<-done
	return 0
}

// exitNow ends a child process at once, as os._exit does, after sending
// what it has recorded.
func (e *Engine) exitNow(code int) {
	e.flushNow()
	e.child.leaving.Store(true)
	e.child.link.send(wire{Bye: &bye{Code: code}})
	os.Exit(code)
}

// Remote queue operations, for a child: the queue lives in mtviz.
func (t *task) remotePut(q, v string) bool {
	c := t.w.e.child
	id := c.nextID.Add(1)
	r, ok := c.call(wire{Put: &queueOp{ID: id, Queue: q, Task: t.name, Value: v}}, id, t.stop)
	return ok && r.Value != nil && r.Value.OK
}

func (t *task) remoteGet(q string) (string, bool) {
	c := t.w.e.child
	id := c.nextID.Add(1)
	r, ok := c.call(wire{Get: &queueOp{ID: id, Queue: q, Task: t.name}}, id, t.stop)
	if !ok || r.Value == nil || !r.Value.OK {
		return "", false
	}
	return r.Value.Value, true
}

func (t *task) remoteAwait(task string, stop <-chan struct{}) bool {
	c := t.w.e.child
	id := c.nextID.Add(1)
	_, ok := c.call(wire{Await: &awaitOp{ID: id, Task: task}}, id, stop)
	return ok
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
		case dist.BrokerCommand:
			os.Exit(dist.RunBroker(os.Stdin, os.Stdout))
		case contain.GuardCommand:
			os.Exit(contain.RunGuard(os.Stdin))
		}
	}
}
