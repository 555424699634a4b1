package engine

import (
	"os/exec"
	"syscall"
	"time"

	evt "mtviz/internal/event"
)

// An engine plays one of two roles. In mtviz it is the host: its events go
// to its own stream and, when the scenario has process tasks, its hub serves
// the run's child processes (their wire, their queues, their signals, their
// reaping). Inside a child process it runs one process task and forwards
// what only the host can do over the wire to it. The outlet is the role:
// wherever the two differ, the engine asks its outlet, never which role it
// plays. local is the host's outlet; remote (child.go), a child's.
type outlet interface {
	// deliver sends a batch of collected events on.
	deliver(batch []evt.Event)
	// lag is how far behind now the collector cuts its batches, so that
	// events from child processes, which arrive a little late, catch up.
	lag() time.Duration
	// owner is the process task whose process this is, named by the events
	// of the process as a whole (its counters, a deadlock in it); "" in
	// mtviz.
	owner() string
	// paused tells the run's processes that the run was paused or resumed,
	// and pressed that a key was pressed.
	paused(on bool)
	pressed(r rune)
	// put and get run a queue step of task t on q; a timed get has a
	// timeout, which ends stop.
	put(t *task, q *queue, v string) bool
	get(t *task, q *queue, timed bool, stop <-chan struct{}) (string, bool)
	// awaitGone waits, for a join of t, until c, a process task started by
	// another process, is gone.
	awaitGone(t, c *task, stop <-chan struct{}) bool
	// kill sends a signal to every process of the task named, for task t.
	kill(t *task, name, sig string)
	// outside reports whether something other than this process's tasks
	// may still wake a task of the round.
	outside(round int) bool
	// childEnv is where the child processes this process starts connect,
	// nil when there is no hub.
	childEnv() envSource
	// lockDir is where the run's lock files live.
	lockDir() string
	// start starts the child process that runs process task t.
	start(w *world, t *task, cmd *exec.Cmd) error
	// reaped says that this process reaped process task name of round.
	reaped(round int, name string)
	// crash runs a crash step of t; exit ends the process of a process
	// task with code.
	crash(t *task, text string) bool
	exit(code int)
}

// envSource gives the environment a child process needs to find the hub.
type envSource interface {
	env(task string, round int) []string
}

// local is the host's outlet: mtviz's own engine.
type local struct{ e *Engine }

func (l local) deliver(batch []evt.Event) { l.e.out <- batch }

func (l local) lag() time.Duration {
	if l.e.hub != nil {
		return 3 * childTick
	}
	return 0
}

func (l local) owner() string { return "" }

func (l local) paused(on bool) {
	l.e.emit(evt.Event{Data: evt.Pause{Paused: on}})
	cmd := "resume"
	if on {
		cmd = "pause"
	}
	l.e.hub.broadcast(wire{Cmd: cmd})
}

func (l local) pressed(r rune) { l.e.hub.broadcast(wire{Key: string(r)}) }

func (l local) put(t *task, q *queue, v string) bool { return t.putLocal(q, v) }

func (l local) get(t *task, q *queue, timed bool, stop <-chan struct{}) (string, bool) {
	return t.getLocal(q, stop)
}

func (l local) awaitGone(t, c *task, stop <-chan struct{}) bool {
	gone := c.done
	if h := l.e.hub; h != nil {
		gone = h.rec(t.w.round, c.name).gone
	}
	select {
	case <-gone:
		return true
	case <-stop:
		return false
	}
}

func (l local) kill(t *task, name, sig string) {
	if h := l.e.hub; h != nil {
		h.kill(t.w, name, sig, t.name)
		return
	}
	t.emit(evt.Event{Task: t.name, Data: evt.Failure{Error: name + " is not a process task"}})
}

// outside: a process of the run that lives, a grandchild too, may put to a
// queue, or end and so end a join.
func (l local) outside(round int) bool {
	h := l.e.hub
	return h != nil && h.anyAlive(round)
}

func (l local) childEnv() envSource {
	if h := l.e.hub; h != nil {
		return h
	}
	return nil
}

// lockDir: the hub's private directory, which children find from the
// hub's path in their environment; without a hub, a run directory.
func (l local) lockDir() string {
	if h := l.e.hub; h != nil {
		return h.dir
	}
	return l.e.dir
}

// start: mtviz's children get Pdeathsig and a process group of their own,
// so that they die with mtviz and a whole run can be killed at once; their
// standard error (and their children's, who inherit the pipe) becomes
// events.
func (l local) start(w *world, t *task, cmd *exec.Cmd) error {
	errPipe := l.e.stderrEvents(t.name)
	if errPipe != nil {
		cmd.Stderr = errPipe
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	w.box.Prepare(cmd)
	l.e.hub.own(w.round, t.name)
	err := startOwned(cmd)
	if errPipe != nil {
		errPipe.Close() // the child holds its own copy
	}
	if err != nil {
		return err
	}
	l.e.hub.group(cmd.Process.Pid)
	return nil
}

func (l local) reaped(round int, name string) {
	if h := l.e.hub; h != nil {
		h.rec(round, name).markGone()
	}
}

func (l local) crash(t *task, text string) bool {
	// The loader refuses this: it would end mtviz.
	t.emit(evt.Event{Task: t.name, Data: evt.Failure{Error: "a crash step in mtviz itself was not run"}})
	return false
}

// exit: mtviz runs no process task's steps itself, so none ends its
// process.
func (l local) exit(code int) {}
