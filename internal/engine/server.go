package engine

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	evt "mtviz/internal/event"
	"mtviz/internal/guard"
	"mtviz/internal/lesson"
)

// ServerCommand is the hidden subcommand under which mtviz runs a server
// object in a child process of its own.
const ServerCommand = "__server"

// Limits of a server: it listens on 127.0.0.1 only, but any local program
// can connect, so what one connection can cost is bounded.
const (
	serverRead  = 64               // bytes read at a time
	serverWrite = 10 * time.Second // a client that does not read its answers is dropped
)

// maxServerConns is how many connections a server serves at once; one more
// is closed at once. A variable, for the tests.
var maxServerConns = 4096

// server is a server object's process: a child of mtviz for the whole run.
// mtviz holds the write end of the server's stdin; the server exits when it
// reads EOF there, which happens when mtviz closes it at the end of the run
// or however mtviz dies. Pdeathsig and a process group of its own back
// that up, as for every child mtviz starts.
type server struct {
	name   string // "server NAME": its events' task
	addr   string
	cmd    *exec.Cmd
	stdin  *os.File
	exited chan struct{} // reaped, and its exit recorded
}

// startServers starts the run's server objects; their addresses are what
// request steps connect to, in mtviz and in every child process.
func (e *Engine) startServers() error {
	for _, o := range e.sc.Objects {
		if o.Kind != lesson.Server {
			continue
		}
		s, err := e.startServer(o)
		if err != nil {
			return fmt.Errorf("start server %s: %w", o.Name, err)
		}
		e.servers = append(e.servers, s)
		if e.addrs == nil {
			e.addrs = map[string]string{}
		}
		e.addrs[o.Name] = s.addr
	}
	return nil
}

func (e *Engine) startServer(o lesson.Object) (*server, error) {
	exe, err := self()
	if err != nil {
		return nil, err
	}
	// The listener is made here, so its address is known before the server
	// runs; the server inherits it as descriptor 3.
	ln, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	lf, err := ln.File()
	addr := ln.Addr().String()
	ln.Close()
	if err != nil {
		return nil, err
	}
	defer lf.Close()
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	s := &server{name: "server " + o.Name, addr: addr, stdin: w, exited: make(chan struct{})}
	cmd := exec.Command(exe, ServerCommand, o.Delay.String(), o.Name)
	cmd.Env = programEnv()
	cmd.Stdin, cmd.ExtraFiles = r, []*os.File{lf}
	errPipe := e.stderrEvents(s.name)
	if errPipe != nil {
		cmd.Stderr = errPipe
		defer errPipe.Close()
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	e.box.Prepare(cmd)
	if err := startOwned(cmd); err != nil {
		w.Close()
		return nil, err
	}
	s.cmd = cmd
	pid := cmd.Process.Pid
	e.emit(evt.Event{Task: s.name, PID: pid, Data: evt.Process{PPID: os.Getpid()}})
	guard.Go(func() {
		defer close(s.exited)
		cmd.Wait()
		disown(pid)
		x := evt.Exit{Code: -1, ReaperPID: os.Getpid()}
		if st := cmd.ProcessState; st != nil {
			x.Code, x.Signal = exitStatus(unix.WaitStatus(st.Sys().(syscall.WaitStatus)))
		}
		e.emit(evt.Event{Task: s.name, PID: pid, Data: x})
	})
	return s, nil
}

// stopServers ends the run's servers: EOF on their stdin, and SIGKILL for
// one that has not gone a second later. It returns once each is reaped.
func (e *Engine) stopServers() {
	for _, s := range e.servers {
		s.stdin.Close()
	}
	for _, s := range e.servers {
		select {
		case <-s.exited:
		case <-time.After(time.Second):
			e.emit(evt.Event{PID: s.cmd.Process.Pid, Data: evt.SignalSent{Target: s.name, Signal: int(syscall.SIGKILL)}})
			s.cmd.Process.Kill()
			<-s.exited
		}
	}
	e.servers = nil
}

// stderrEvents returns the write end of a pipe whose lines become stderr
// events of the task (what a child writes there, a Go panic say, goes to
// the log, not over the screen); nil if no pipe could be made.
func (e *Engine) stderrEvents(task string) *os.File {
	r, w, err := os.Pipe()
	if err != nil {
		return nil
	}
	guard.Go(func() {
		defer r.Close()
		sc := bufio.NewScanner(r)
		var st stackTrim
		say := func(line string) { e.emit(evt.Event{Task: task, Data: evt.Stderr{Text: line}}) }
		for sc.Scan() {
			if line, ok := st.line(sc.Text()); ok {
				say(line)
			}
		}
		if line, ok := st.end(); ok {
			say(line)
		}
	})
	return w
}

// stackTrim shortens a Go stack trace in a child's standard error: the
// frames of a goroutine are mtviz's own code (the step that panicked, the
// engine that ran it), with paths of the machine it was built on, and say
// nothing of the lesson; the panic's message, which names the step, and
// the goroutine's header stay, and the frames become one line saying how
// many were left out.
type stackTrim struct {
	in      bool // inside a goroutine's frames
	frames  int  // lines left out of it so far
	created bool // the last line was "created by ..."
}

// line takes one line of standard error and says what to log, if anything.
func (t *stackTrim) line(s string) (string, bool) {
	if t.in {
		if s == "" {
			return t.end()
		}
		t.frames++
		// A goroutine's last frame says who created it: its file line
		// ends the frames, whether more follows or not.
		last := t.created && strings.HasPrefix(s, "\t")
		t.created = strings.HasPrefix(s, "created by ")
		if last {
			return t.end()
		}
		return "", false
	}
	if strings.HasPrefix(s, "goroutine ") && strings.HasSuffix(s, "]:") {
		t.in, t.frames = true, 0
	}
	return s, true
}

// end closes a goroutine's frames: the line that stands for them.
func (t *stackTrim) end() (string, bool) {
	if !t.in {
		return "", false
	}
	t.in, t.created = false, false
	if t.frames == 0 {
		return "", false
	}
	lines := "lines"
	if t.frames == 1 {
		lines = "line"
	}
	return fmt.Sprintf("  (%d %s of the stack trace left out: mtviz's own code, which ran the step)", t.frames, lines), true
}

// RunServer is the body of a server's process: it serves the listener it
// inherited until its stdin ends (mtviz closed it, or died).
func RunServer() int {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "mtviz: "+ServerCommand+" is for mtviz's own server processes")
		return 2
	}
	delay, err := time.ParseDuration(os.Args[2])
	if err != nil || delay < 0 {
		fmt.Fprintln(os.Stderr, "mtviz server: bad delay", os.Args[2])
		return 2
	}
	f := os.NewFile(3, "listener")
	ln, err := net.FileListener(f)
	f.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "mtviz server:", err)
		return 1
	}
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	serve(ln, delay)
	return 0
}

// serve answers every connection of ln until ln is closed.
func serve(ln net.Listener, delay time.Duration) {
	slots := make(chan struct{}, maxServerConns)
	var wg sync.WaitGroup
	defer wg.Wait()
	var mu sync.Mutex
	conns := map[net.Conn]bool{}
	defer func() {
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
	}()
	backoff := 5 * time.Millisecond
	for {
		c, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			// Out of descriptors, say: wait a little and go on serving.
			time.Sleep(backoff)
			backoff = min(2*backoff, time.Second)
			continue
		}
		backoff = 5 * time.Millisecond
		select {
		case slots <- struct{}{}:
		default:
			c.Close() // too many at once
			continue
		}
		mu.Lock()
		conns[c] = true
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			answer(c, delay)
			mu.Lock()
			delete(conns, c)
			mu.Unlock()
			<-slots
		}()
	}
}

// answer serves one connection: for every byte read, one byte back,
// `delay` after it arrived. Bytes that arrive together are answered
// together.
func answer(c net.Conn, delay time.Duration) {
	defer c.Close()
	buf := make([]byte, serverRead)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			time.Sleep(delay)
			c.SetWriteDeadline(time.Now().Add(serverWrite))
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
