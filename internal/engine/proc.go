package engine

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	evt "mtviz/internal/event"
	"mtviz/internal/guard"
	"mtviz/internal/probe"
)

// procHandle is a process task's process, held by the process that started
// it: only that process can wait for (reap) it.
type procHandle struct {
	cmd      *exec.Cmd
	pid      int
	exited   chan struct{} // it has ended (it may be a zombie until reaped)
	reaped   chan struct{}
	reapOnce sync.Once
	code     int // exit code, or -1 if a signal ended it
	signal   int // the signal that ended it
}

// watch notices the end of the process without reaping it (WNOWAIT), so
// that a parent that does not wait leaves a real zombie behind. It runs
// until the process has ended, which the end of the round makes sure of.
func (ph *procHandle) watch() {
	tk := time.NewTicker(20 * time.Millisecond)
	defer tk.Stop()
	for {
		var info unix.Siginfo
		err := unix.Waitid(unix.P_PID, ph.pid, &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
		if err != nil || info.Signo != 0 {
			close(ph.exited)
			return
		}
		select {
		case <-tk.C:
		case <-ph.reaped:
			close(ph.exited)
			return
		}
	}
}

// reap waits for the process, once, and records how it ended.
func (ph *procHandle) reap() {
	ph.reapOnce.Do(func() {
		err := ph.cmd.Wait()
		disown(ph.pid)
		st := ph.cmd.ProcessState
		var ee *exec.ExitError
		switch {
		case st != nil:
			ph.code, ph.signal = exitStatus(unix.WaitStatus(st.Sys().(syscall.WaitStatus)))
		case errors.As(err, &ee):
			ph.code = ee.ExitCode()
		default:
			ph.code = -1
		}
		close(ph.reaped)
	})
}

// The children this process started with exec.Cmd: their wait statuses
// are their Cmd's to collect. Any other child of ours is a process mtviz
// adopted as a subreaper (a program's background child whose parent
// ended), and nobody else will reap it.
var (
	ownedMu sync.Mutex
	owned   = map[int]bool{}
)

// startOwned starts cmd and records it as ours before any reaper can see it.
func startOwned(cmd *exec.Cmd) error {
	ownedMu.Lock()
	defer ownedMu.Unlock()
	if err := cmd.Start(); err != nil {
		return err
	}
	owned[cmd.Process.Pid] = true
	return nil
}

func disown(pid int) {
	ownedMu.Lock()
	delete(owned, pid)
	ownedMu.Unlock()
}

// reapStrays reaps this process's zombie children that no Cmd owns and
// that skip leaves to another reaper (the hub reaps the processes of
// process tasks it adopted, a little later, to show them as zombies). It
// reads /proc, so it runs at a round's end, not on every tick.
func reapStrays(skip func(pid int) bool) {
	me := os.Getpid()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	ownedMu.Lock()
	defer ownedMu.Unlock()
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || owned[pid] || skip(pid) {
			continue
		}
		if st, err := probe.ReadStat(pid); err == nil && st.State == probe.Zombie && st.PPID == me {
			var ws unix.WaitStatus
			unix.Wait4(pid, &ws, unix.WNOHANG, nil)
		}
	}
}

// self is the path of the running program, for starting child processes.
func self() (string, error) { return os.Executable() }

// startProcess starts a child process that runs task t's steps; the
// outlet starts it as mtviz's own child or as a child's child.
func (w *world) startProcess(t *task) (*procHandle, error) {
	h := w.e.outlet.childEnv()
	if h == nil {
		return nil, errors.New("no hub for child processes")
	}
	exe, err := self()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, ChildCommand)
	cmd.Env = append(os.Environ(), h.env(t.name, w.round)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, os.Stderr
	if n := t.def.GoMaxProcs; n > 0 {
		// Set before the child's runtime starts, so that it runs with n
		// from its first instruction and says so in its hello. Its own
		// children set theirs again; a run step's program inherits it.
		cmd.Env = append(cmd.Env, fmt.Sprintf("GOMAXPROCS=%d", n))
	}
	if err := w.e.outlet.start(w, t, cmd); err != nil {
		return nil, err
	}
	ph := &procHandle{cmd: cmd, pid: cmd.Process.Pid, exited: make(chan struct{}), reaped: make(chan struct{})}
	guard.Go(ph.watch)
	return ph, nil
}

// launchProcess starts a process task. Its task record in this world stands
// for the process: it ends when the process has exited.
func (w *world) launchProcess(t *task, g *gate) {
	if !t.daemon {
		w.main.Add(1)
	}
	w.all.Add(1)
	t.set(evt.Runnable, "", "", "")
	guard.Go(func() {
		defer w.all.Done()
		if !t.daemon {
			defer w.main.Done()
		}
		defer close(t.done)
		g.wait(t.stop)
		ph, err := w.startProcess(t)
		if err != nil {
			t.emit(evt.Event{Task: t.name, Data: evt.Failure{Error: "could not start the process: " + err.Error()}})
			t.setState(taskState{state: evt.Done, end: evt.EndNoStart})
			return
		}
		t.mu.Lock()
		t.proc = ph
		t.mu.Unlock()
		select {
		case <-ph.exited:
		case <-t.stop:
			// A daemon cut off, or the run stopped: Python terminates daemon
			// processes when their parent ends.
			t.signal(ph, syscall.SIGTERM)
			select {
			case <-ph.exited:
			case <-time.After(time.Second):
				t.signal(ph, syscall.SIGKILL)
				select {
				case <-ph.exited:
				case <-time.After(2 * time.Second):
				}
			}
		}
	})
}

// signal sends a signal to the task's own process, which has not been
// reaped (the caller holds it unreaped), and records who sent it: every
// signal of a run is in its record.
func (t *task) signal(ph *procHandle, sig syscall.Signal) {
	by := ""
	if w := t.w; w.self != nil {
		by = w.self.name
	}
	// Recorded first, so that the record has the signal before the end it
	// causes.
	t.w.e.emit(evt.Event{Task: by, PID: ph.pid, Data: evt.SignalSent{Target: t.name, Signal: int(sig)}})
	if err := ph.cmd.Process.Signal(sig); err != nil {
		t.w.e.emit(evt.Event{Task: by, Data: evt.Failure{Error: fmt.Sprintf("could not send signal %d to %s (PID %d): %v", sig, t.name, ph.pid, err)}})
	}
}

// reapChild reaps a process task this process started and reports it.
func (t *task) reapChild(c *task) {
	c.mu.Lock()
	ph := c.proc
	c.mu.Unlock()
	if ph == nil {
		return
	}
	first := false
	select {
	case <-ph.reaped:
	default:
		first = true
	}
	ph.reap()
	if first {
		w := c.w
		x := evt.Exit{Code: ph.code, Signal: ph.signal, ReaperPID: os.Getpid()}
		if t != nil && t != w.self {
			x.Reaper = t.name
		} else {
			x.Reaper = w.e.outlet.owner()
		}
		ev := evt.Event{Task: c.name, PID: ph.pid, Data: x}
		if t != nil {
			t.emit(ev)
		} else {
			w.e.emit(ev)
		}
		w.e.outlet.reaped(w.round, c.name)
	}
}

// maxOutput is how much of a program's output (stdout and stderr each) is
// kept; the rest is counted, not stored.
const maxOutput = 64 << 10

// capped keeps the first max bytes written to it and counts the rest.
type capped struct {
	b    []byte
	max  int
	more int64
}

func (c *capped) Write(p []byte) (int, error) {
	room := c.max - len(c.b)
	if room > 0 {
		c.b = append(c.b, p[:min(room, len(p))]...)
	}
	if len(p) > room {
		c.more += int64(len(p) - max(room, 0))
	}
	return len(p), nil
}

func (c *capped) String() string {
	if c.more > 0 {
		return string(c.b) + fmt.Sprintf("\n[%d more bytes not kept]\n", c.more)
	}
	return string(c.b)
}

// programEnv is the environment a run step's program gets: mtviz's own, less
// the hub's address and key, which are for mtviz's children alone.
func programEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		switch {
		case strings.HasPrefix(kv, envHub+"="), strings.HasPrefix(kv, envToken+"="), strings.HasPrefix(kv, envDir+"="),
			strings.HasPrefix(kv, envTask+"="), strings.HasPrefix(kv, envRound+"="):
		default:
			env = append(env, kv)
		}
	}
	return env
}

// runProgram runs an external program, never through a shell. The program
// gets a process group of its own, and the group is killed when the program
// ends or the task is stopped, while the program is not yet reaped (so the
// group is still this run's to signal): nothing it started in the
// background outlives the step, and no descendant holding its pipes can
// keep the step waiting.
func (t *task) runProgram(program string, args []string, stdin string) bool {
	cmd := exec.Command(program, args...)
	cmd.Env = programEnv()
	// The program dies with the process that runs it, however that ends:
	// it has no link to mtviz of its own.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	cmd.Stdin = strings.NewReader(stdin)
	out, errOut := &capped{max: maxOutput}, &capped{max: maxOutput}
	cmd.Stdout, cmd.Stderr = out, errOut
	cmd.WaitDelay = time.Second
	t.w.box.Prepare(cmd) // in mtviz; a child's programs are in its box already
	t.set(evt.Blocked, evt.ReasonIO, program, "")
	if err := startOwned(cmd); err != nil {
		t.emit(evt.Event{Task: t.name, Data: evt.ProgramEnd{Program: program, Code: -1, Error: "could not start: " + err.Error()}})
		t.running()
		return !t.halted()
	}
	pid := cmd.Process.Pid
	t.emit(evt.Event{Task: t.name, PID: pid, Data: evt.Process{Program: program, PPID: os.Getpid()}})
	exited := make(chan struct{})
	go func() {
		// Wait for its end without reaping it (WNOWAIT).
		var info unix.Siginfo
		for unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil) == unix.EINTR {
		}
		close(exited)
	}()
	stopped := false
	select {
	case <-exited:
	case <-t.stop:
		stopped = true
		t.emit(evt.Event{Task: t.name, PID: pid, Data: evt.SignalSent{Target: program, Signal: int(syscall.SIGKILL)}})
	}
	syscall.Kill(-pid, syscall.SIGKILL)
	<-exited
	err := cmd.Wait()
	disown(pid)
	x := evt.ProgramEnd{Program: program, Output: out.String() + errOut.String()}
	if st := cmd.ProcessState; st != nil {
		x.Code, x.Signal = exitStatus(unix.WaitStatus(st.Sys().(syscall.WaitStatus)))
	}
	ev := evt.Event{Task: t.name, PID: pid, Data: x}
	for _, l := range strings.Split(strings.TrimRight(out.String(), "\n"), "\n") {
		if l != "" {
			t.emit(evt.Event{Task: t.name, Data: evt.Log{Text: program + " | " + l}})
		}
	}
	for _, l := range strings.Split(strings.TrimRight(errOut.String(), "\n"), "\n") {
		if l != "" {
			t.emit(evt.Event{Task: t.name, Data: evt.Log{Text: program + " ! " + l}})
		}
	}
	t.emit(ev)
	t.running()
	return !stopped && (err == nil || !t.halted())
}

// reapLeftovers reaps the zombies a round's end left among mtviz's
// children: processes it adopted as a subreaper and its box killed.
func (e *Engine) reapLeftovers() {
	if e.hub != nil {
		e.hub.reapStrays()
		return
	}
	reapStrays(func(int) bool { return false })
}
