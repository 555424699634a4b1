// Package watch follows a program that is not a lesson: a running process
// given by PID, or a command started for the purpose. It runs beside the
// probe in place of the scenario engine, and says only what the OS said:
// that the program started, what it wrote, and how it ended.
package watch

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"mtviz/internal/event"
	"mtviz/internal/words"

	"golang.org/x/sys/unix"

	"mtviz/internal/contain"
	"mtviz/internal/cpus"
	"mtviz/internal/engine"
	"mtviz/internal/lesson"
	"mtviz/internal/probe"
)

// Options say what to watch.
type Options struct {
	PID      int      // a running process (and its descendants); never signalled
	Cmd      []string // or a command to start, ended with mtviz
	Duration time.Duration
	Start    time.Time
}

// Watcher runs in a session in place of the engine.
type Watcher struct {
	opt    Options
	pid    int
	start  uint64 // the root's start time (field 22), so a reused PID is not taken for it
	cmd    *exec.Cmd
	box    *contain.Box // the command and all it starts, daemons included
	out    chan []event.Event
	outMu  sync.Mutex // guards closed: output lines may come after the end
	closed bool
	// dropped counts the program's output lines not shown: past maxLines,
	// or while the reader was behind.
	dropped atomic.Int64
	lineWG  sync.WaitGroup
	paused  bool
	mu      sync.Mutex
	waited  chan struct{} // closed once the command is reaped
	sc      *lesson.Scenario
}

// Error is bad input: no such process, one we may not read, a command that
// cannot start.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// Start checks the PID, or starts the command, so that the root is known
// before the probe begins.
func Start(opt Options) (*Watcher, error) {
	w := &Watcher{opt: opt, out: make(chan []event.Event, 64), waited: make(chan struct{})}
	switch {
	case opt.PID > 0 && len(opt.Cmd) > 0:
		return nil, &Error{"watch: give --pid or a command after --, not both"}
	case opt.PID > 0:
		st, err := startTime(opt.PID)
		if err != nil {
			return nil, err
		}
		w.pid, w.start = opt.PID, st
	case len(opt.Cmd) > 0:
		if err := w.startCmd(); err != nil {
			return nil, err
		}
	default:
		return nil, &Error{"watch: give --pid PID or a command after --, as in 'mtviz watch -- python3 script.py'"}
	}
	w.sc = w.scenario()
	// Said first, before the program's output (the channel has room).
	w.say(event.Event{Task: w.name(), PID: w.pid, Data: event.Process{PPID: ppidOf(w.pid)}})
	return w, nil
}

// ppidOf reads a process's parent, 0 if it cannot be read.
func ppidOf(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if i < 0 || len(f) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(f[1])
	return n
}

// startTime reads a process's start time, which with its PID names it. A
// zombie (it has ended) or a thread of another process is no process to
// watch, and says so.
func startTime(pid int) (uint64, error) {
	st, state, err := readStat(pid)
	if err != nil {
		return 0, err
	}
	if state == probe.Zombie {
		return 0, &Error{fmt.Sprintf("watch: process %d is a zombie: it has ended, and waits for its parent to read its exit status; there is nothing to watch", pid)}
	}
	if tgid := tgidOf(pid); tgid != 0 && tgid != pid {
		return 0, &Error{fmt.Sprintf("watch: %d is a thread of process %d, not a process; watch --pid %d shows it among that process's threads", pid, tgid, tgid)}
	}
	return st, nil
}

// readStat reads a process's start time and state from its stat.
func readStat(pid int) (start uint64, state probe.State, err error) {
	st, err := probe.ReadStat(pid)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return 0, "", &Error{fmt.Sprintf("watch: no process %d", pid)}
	case errors.Is(err, os.ErrPermission):
		return 0, "", &Error{fmt.Sprintf("watch: process %d may not be read by this user", pid)}
	case err != nil:
		return 0, "", &Error{fmt.Sprintf("watch: process %d: %v", pid, err)}
	}
	if _, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + strconv.Itoa(pid) + "/stat"); err != nil {
		return 0, "", &Error{fmt.Sprintf("watch: the threads of process %d may not be read by this user", pid)}
	}
	return st.Start, st.State, nil
}

// tgidOf reads the process a thread id belongs to (0 if unknown).
func tgidOf(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "Tgid:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

// startCmd starts the command in a process group of its own and in a box
// (a cgroup where the machine allows, else a mark its descendants
// inherit) whose guard, a small process, ends everything in it if mtviz is
// killed: the command gets SIGKILL from the kernel when mtviz dies, and the
// guard takes care of what it started, daemons that left its group too.
func (w *Watcher) startCmd() error {
	// What the command starts and leaves (a daemon that left its group)
	// comes to mtviz when its parent ends, to be ended with the rest.
	unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	path, err := exec.LookPath(w.opt.Cmd[0])
	if err != nil {
		return &Error{fmt.Sprintf("watch: cannot start %s: %v", w.opt.Cmd[0], errors.Unwrap(err))}
	}
	c := exec.Command(path, w.opt.Cmd[1:]...)
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	stdout, _ := c.StdoutPipe()
	stderr, _ := c.StderrPipe()
	w.box = contain.New()
	w.box.Prepare(c)
	if err := c.Start(); err != nil {
		w.box.Close()
		return &Error{fmt.Sprintf("watch: cannot start %s: %v", w.opt.Cmd[0], err)}
	}
	w.cmd, w.pid = c, c.Process.Pid
	w.start, _, _ = readStat(w.pid)
	w.lineWG.Add(2)
	go w.lines(stdout, "out")
	go w.lines(stderr, "err")
	return nil
}

// maxLine and maxLines bound what the program may write into the log: a
// longer line is shown in pieces of maxLine bytes, each a line of the log.
const (
	maxLine  = 512
	maxLines = 10000
)

// lines turns what the program writes into log events, bounded. A line
// longer than maxLine is split (at a character's boundary) into pieces, the
// later ones marked "… ": nothing after it is lost. What was read at once
// goes out in one batch.
func (w *Watcher) lines(r io.Reader, which string) {
	defer w.lineWG.Done()
	p := pieces{w: w, kind: event.KLog}
	if which == "err" {
		p.kind = event.KStderr
	}
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		chunk, err := br.ReadSlice('\n')
		p.add(chunk, err == nil)
		if br.Buffered() == 0 || len(p.batch) >= 256 {
			w.emit(p.batch)
			p.batch = nil
		}
		if err != nil && err != bufio.ErrBufferFull {
			if len(p.carry) > 0 {
				p.add(nil, true) // a last line without its newline
			}
			w.emit(p.batch)
			return
		}
	}
}

// pieces cuts a program's output into log lines of at most maxLine bytes.
type pieces struct {
	w     *Watcher
	kind  event.Kind
	n     int    // lines so far
	carry []byte // what is read of the line and not yet shown
	cont  bool   // a piece of the current line was shown
	batch []event.Event
}

// add takes what was read; whole says it ends its line.
func (p *pieces) add(b []byte, whole bool) {
	p.carry = append(p.carry, b...)
	for len(p.carry) > maxLine {
		cut := runeStart(p.carry[:maxLine])
		if cut == 0 {
			cut = maxLine // no character starts there: bytes, not text
		}
		p.line(string(p.carry[:cut]))
		p.cont = true
		p.carry = p.carry[cut:]
	}
	if whole {
		if text := strings.TrimRight(string(p.carry), "\r\n"); text != "" || !p.cont {
			p.line(text)
		}
		p.carry, p.cont = p.carry[:0], false
	}
}

func (p *pieces) line(text string) {
	if p.cont {
		text = "… " + text
	}
	p.n++
	if p.n > maxLines {
		p.w.dropped.Add(1) // drained, not shown
		return
	}
	var d event.Payload = event.Log{Text: text}
	if p.kind == event.KStderr {
		d = event.Stderr{Text: text}
	}
	p.batch = append(p.batch, event.Event{T: time.Since(p.w.opt.Start), Task: p.w.name(), PID: p.w.pid, Data: d})
}

// runeStart is where the last whole character of b ends: the start of a
// character cut short by the end of b, or len(b).
func runeStart(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if !utf8.RuneStart(b[i]) {
			continue
		}
		if utf8.FullRune(b[i:]) {
			return len(b)
		}
		return i
	}
	return len(b)
}

func (w *Watcher) name() string {
	if len(w.opt.Cmd) > 0 {
		return w.opt.Cmd[0]
	}
	return "PID " + strconv.Itoa(w.pid)
}

// emit sends lines of the program's output, those read at once in one
// batch; when the reader is far behind, they are dropped rather than
// blocking the program.
func (w *Watcher) emit(evs []event.Event) {
	if len(evs) == 0 {
		return
	}
	w.outMu.Lock()
	defer w.outMu.Unlock()
	if w.closed {
		return
	}
	select {
	case w.out <- evs:
	default:
		w.dropped.Add(int64(len(evs)))
	}
}

// say sends what the watcher itself has to say; it is never dropped.
func (w *Watcher) say(ev event.Event) {
	ev.T = time.Since(w.opt.Start)
	w.out <- []event.Event{ev}
}

// end closes the events once nothing more may come.
func (w *Watcher) end() {
	w.outMu.Lock()
	w.closed = true
	close(w.out)
	w.outMu.Unlock()
}

// Root is the watched process.
func (w *Watcher) Root() int { return w.pid }

// Scenario names what is watched, for the screen and for recordings.
func (w *Watcher) Scenario() *lesson.Scenario { return w.sc }

func (w *Watcher) scenario() *lesson.Scenario {
	what := fmt.Sprintf("process %d", w.pid)
	if len(w.opt.Cmd) > 0 {
		what = strings.Join(w.opt.Cmd, " ")
	}
	// The summary and the lesson in both of the chapter's languages, as a
	// lesson file gives them: the one in effect is loaded.
	src := fmt.Sprintf("id: watch\ntitle: %s\nsummary: {en: a program watched from the OS, zh: 从操作系统观察的程序}\n"+
		"lesson: {en: %s, zh: %s}\ntasks:\n  - name: watched\n    steps: [{log: watched}]\n",
		strconv.Quote(what), strconv.Quote(
			"Each lane is a thread of the watched program (its main thread first), drawn by the state /proc reads: "+
				"running on core n (the digit), runnable (waiting for a core), sleeping, I for uninterruptible waits (D, usually I/O), "+
				"T stopped, Z zombie. The Processes panel is its process tree as it changes; Locks lists the file locks its processes hold or wait for."),
		strconv.Quote("每条泳道是被观察程序的一个线程（主线程在最前），按 /proc 读到的状态绘制："+
			"在核心 n 上运行（数字），可运行（等待一个核心），睡眠，I 表示不可中断的等待（D，通常是 I/O），"+
			"T 已停止，Z 僵尸进程。进程树面板是它随时变化的进程树；锁面板列出它的进程持有或等待的文件锁。"))
	sc, err := lesson.Load("watch.yaml", []byte(src))
	if err != nil {
		// The source is ours; a failure is a bug, and the screen can do
		// without the text.
		return &lesson.Scenario{ID: "watch", Title: what, Rounds: 1}
	}
	sc.Tasks = nil
	return sc
}

// Events delivers what the watcher says: the program's output and its end.
func (w *Watcher) Events() <-chan []event.Event { return w.out }

// Cores is every core this process may use: a watched program is not
// limited by mtviz.
func (w *Watcher) Cores() int { return cpus.All() }

// Pause and Resume freeze the screen only: the program runs on.
func (w *Watcher) Pause()  { w.mu.Lock(); w.paused = true; w.mu.Unlock() }
func (w *Watcher) Resume() { w.mu.Lock(); w.paused = false; w.mu.Unlock() }

// Paused reports whether the screen is frozen.
func (w *Watcher) Paused() bool { w.mu.Lock(); defer w.mu.Unlock(); return w.paused }

// Key: a watched program waits for no key of ours.
func (w *Watcher) Key(rune) bool { return false }

// Run follows the program until it ends, the duration passes or ctx ends.
func (w *Watcher) Run(ctx context.Context) error {
	defer w.end()
	var timeout <-chan time.Time
	if w.opt.Duration > 0 {
		t := time.NewTimer(w.opt.Duration)
		defer t.Stop()
		timeout = t.C
	}
	if w.cmd != nil {
		return w.runCmd(ctx, timeout)
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return engine.ErrStopped
		case <-timeout:
			return nil
		case <-tick.C:
			// Gone, its PID reused, or a zombie: it has ended.
			if st, state, err := readStat(w.pid); err != nil || st != w.start || state == probe.Zombie {
				w.say(event.Event{
					Task: w.name(),
					PID:  w.pid,
					Data: event.Log{Text: words.F("process %d has ended (its exit status is for its parent to read)", w.pid)},
				})
				return nil
			}
		}
	}
}

func (w *Watcher) runCmd(ctx context.Context, timeout <-chan time.Time) error {
	// Learn that the command ended without reaping it: while it is a
	// zombie its PID, and so its group's id, stays its own, and the group
	// can be killed without naming some other process.
	exited := make(chan struct{})
	go func() {
		var info unix.Siginfo
		for {
			err := unix.Waitid(unix.P_PID, w.pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
			if err != unix.EINTR {
				break
			}
		}
		close(exited)
	}()
	ended, err := w.follow(ctx, timeout, exited)
	select {
	case <-exited:
	default:
		// Still running: it ends with mtviz, its whole group.
		syscall.Kill(-w.pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(time.Second):
			syscall.Kill(-w.pid, syscall.SIGKILL)
			<-exited
		}
	}
	if left := w.tree(); len(left) > 0 {
		w.say(event.Event{
			Task: w.name(),
			PID:  w.pid,
			Data: event.Log{Text: words.F("the watch is over (%s): mtviz ends what is left of the program: PIDs %s", ended, pidList(left))},
		})
	}
	// What the command left running goes with it: its group, and
	// everything else in its box (daemons that left the group).
	syscall.Kill(-w.pid, syscall.SIGKILL)
	w.box.Close()
	// The pipes end when every process holding them has: a moment after
	// the kill, unless one left the group; then its lines are not waited for.
	lines := make(chan struct{})
	go func() { w.lineWG.Wait(); close(lines) }()
	select {
	case <-lines:
	case <-time.After(time.Second):
	}
	w.cmd.Wait()
	w.endAdopted()
	close(w.waited)
	ws, _ := w.cmd.ProcessState.Sys().(syscall.WaitStatus)
	ps := w.cmd.ProcessState
	x := event.Exit{ReaperPID: os.Getpid(), Reaper: "mtviz", CPUTime: (ps.UserTime() + ps.SystemTime()).Seconds()}
	if ws.Signaled() {
		x.Signal = int(ws.Signal())
	} else {
		x.Code = ws.ExitStatus()
	}
	ev := event.Event{Task: w.name(), PID: w.pid, Data: x}
	if n := w.dropped.Load(); n > 0 {
		w.say(event.Event{
			Task: w.name(),
			PID:  w.pid,
			Data: event.Log{Text: words.F("%d lines of its output are not shown (past %d lines, or written faster than they could be shown)", n, maxLines)},
		})
	}
	w.say(ev)
	return err
}

// follow waits while the program lives: the command, and once it has
// exited, every process of its tree (what stayed in its group, and what
// came to mtviz as subreaper when its parent ended: orphans, daemons).
// It says why the watch ended.
func (w *Watcher) follow(ctx context.Context, timeout <-chan time.Time, exited <-chan struct{}) (string, error) {
	select {
	case <-exited:
	case <-ctx.Done():
		return words.T("stopped"), engine.ErrStopped
	case <-timeout:
		return words.T("its --duration passed"), nil
	}
	left := w.tree()
	if len(left) == 0 {
		return words.T("the program ended"), nil
	}
	w.say(event.Event{
		Task: w.name(),
		PID:  w.pid,
		Data: event.Log{Text: words.F("the command (PID %d) has exited; the watch goes on while the rest of its tree lives: PIDs %s (mtviz reaps the command when the watch ends)", w.pid, pidList(left))},
	})
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return words.T("stopped"), engine.ErrStopped
		case <-timeout:
			return words.T("its --duration passed"), nil
		case <-tick.C:
			w.reapAdopted()
			if len(w.tree()) == 0 {
				return words.T("the program ended"), nil
			}
		}
	}
}

// --pid: nothing of ours to kill).
func (w *Watcher) Running() bool {
	if w.cmd == nil {
		return false
	}
	select {
	case <-w.waited:
		return false
	default:
		return true
	}
}
