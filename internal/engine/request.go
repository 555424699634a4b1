package engine

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"runtime"
	"syscall"
	"time"

	evt "mtviz/internal/event"
	"mtviz/internal/lesson"
)

// dialTimeout bounds connecting to a server on loopback, which is at once
// unless its backlog is full.
const dialTimeout = 5 * time.Second

// conn is one connection to a server, in one of the two ways of waiting.
type conn interface {
	ask() error // write one byte, read the answer
	wake()      // make a blocked ask return; safe from another goroutine
	close()
}

func compileRequest(w *world, in *instr) error {
	r := do[*lesson.RequestStep](in)
	in.work = w.counters[r.Count]
	in.addr = w.e.addrs[r.Server]
	if in.addr == "" {
		return fmt.Errorf("%s: server %q is not running", in.st.Pos, r.Server)
	}
	return nil
}

// runRequest asks a server again and again, as many times or for as long
// as the step says, and counts the answers. Between requests it looks at a
// pause and a stop; a stop during a wait wakes the wait (the connection is
// shut from the stop's side), so a stopped task never hangs in a read.
func runRequest(t *task, in *instr) bool {
	st := do[*lesson.RequestStep](in)
	reason := evt.ReasonPoll
	var c conn
	var err error
	if st.Mode == lesson.ModeBlock {
		// The goroutine keeps its thread while it waits: one thread per
		// waiting request, as in a thread-per-connection server.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		reason = evt.ReasonIO
		c, err = dialBlocking(in.addr)
	} else {
		c, err = dialPoll(in.addr)
	}
	if err != nil {
		t.emit(evt.Event{Task: t.name, Data: evt.Failure{Object: st.Server, Error: fmt.Sprintf("could not connect to server %s: %v", st.Server, err)}})
		return !t.halted()
	}
	done, watched := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(watched)
		select {
		case <-t.stop:
			c.wake()
		case <-done:
		}
	}()
	defer func() {
		close(done)
		<-watched // nothing wakes c once it is closed: its descriptor may be reused
		c.close()
	}()
	var end time.Time
	times := st.Times
	if st.For > 0 {
		end = time.Now().Add(st.For)
	} else if times < 1 {
		times = 1 // as the loader says, for steps built in Go
	}
	// The task is shown blocked for the whole loop: between two waits it
	// runs for microseconds, and a state change per request would cost
	// more CPU than the requests themselves.
	t.set(evt.Blocked, reason, st.Server, "")
	for n := 0; st.For > 0 && time.Now().Before(end) || st.For <= 0 && n < times; n++ {
		if t.halted() || t.w.e.paused.Load() && !t.pauseWait() {
			return false
		}
		if err := c.ask(); err != nil {
			if t.halted() {
				return false
			}
			t.emit(evt.Event{Task: t.name, Data: evt.Failure{Object: st.Server, Error: fmt.Sprintf("request to server %s: %v", st.Server, err)}})
			break
		}
		if in.work != nil {
			t.mine(in.work).v.Add(1)
		}
	}
	t.running()
	return true
}

// pollConn waits the Go way: a net.Conn, whose reads park the goroutine in
// the runtime's network poller (epoll on Linux) and free its thread.
type pollConn struct {
	c   net.Conn
	buf [1]byte
}

func dialPoll(addr string) (conn, error) {
	c, err := net.DialTimeout("tcp", addr, dialTimeout)
	if err != nil {
		return nil, err
	}
	return &pollConn{c: c}, nil
}

func (p *pollConn) ask() error {
	p.buf[0] = 1
	if _, err := p.c.Write(p.buf[:]); err != nil {
		return err
	}
	_, err := io.ReadFull(p.c, p.buf[:])
	return err
}

func (p *pollConn) wake()  { p.c.Close() }
func (p *pollConn) close() { p.c.Close() }

// blockConn waits the old way: a socket in blocking mode, read with
// read(2) on the calling thread, which the kernel puts to sleep until the
// answer comes.
type blockConn struct {
	fd  int
	buf [1]byte
}

func dialBlocking(addr string) (conn, error) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil || !ap.Addr().Is4() {
		return nil, fmt.Errorf("not an IPv4 address: %q", addr)
	}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	// A send timeout bounds connect(2) too.
	tv := syscall.NsecToTimeval(dialTimeout.Nanoseconds())
	syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_SNDTIMEO, &tv)
	sa := &syscall.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	deadline := time.Now().Add(dialTimeout)
	for {
		// A signal can interrupt connect; the connection goes on, and
		// calling again says how it went.
		err = syscall.Connect(fd, sa)
		if err != syscall.EINTR && err != syscall.EALREADY {
			break
		}
		if time.Now().After(deadline) {
			err = syscall.ETIMEDOUT
			break
		}
		if err == syscall.EALREADY {
			time.Sleep(time.Millisecond)
		}
	}
	if err == syscall.EISCONN {
		err = nil
	}
	if err != nil {
		syscall.Close(fd)
		return nil, err
	}
	return &blockConn{fd: fd}, nil
}

func (b *blockConn) ask() error {
	b.buf[0] = 1
	for {
		n, err := syscall.Write(b.fd, b.buf[:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n == 1 {
			break
		}
	}
	for {
		n, err := syscall.Read(b.fd, b.buf[:])
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return err
		case n == 0:
			return io.EOF
		}
		return nil
	}
}

// wake shuts the socket down, which ends a read(2) blocked on it; closing
// the descriptor would not.
func (b *blockConn) wake() { syscall.Shutdown(b.fd, syscall.SHUT_RDWR) }

func (b *blockConn) close() { syscall.Close(b.fd) }
