// Package guard turns a panic in one of mtviz's own goroutines into an
// orderly end: the terminal is restored and child processes are stopped
// before the program exits, which a bare panic in a goroutine would skip.
package guard

import (
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

var (
	handler  atomic.Pointer[func()]
	once     sync.Once
	mu       sync.Mutex
	first    *Panic
	panicked = make(chan struct{})
)

// Panic is a recovered panic with the stack where it happened.
type Panic struct {
	Value any
	Stack []byte
}

func (p *Panic) Error() string { return fmt.Sprintf("internal error: %v\n%s", p.Value, p.Stack) }

// OnPanic sets what to do when a guarded goroutine panics (for example, end
// the terminal program). It runs once, in its own goroutine.
func OnPanic(f func()) {
	if f == nil {
		handler.Store(nil)
		return
	}
	handler.Store(&f)
}

// Recover is deferred first thing in every long-lived goroutine. On a panic
// it records it, calls the handler, and parks the goroutine; with no handler
// it prints the panic and exits at once (children die with their link to
// mtviz).
func Recover() {
	r := recover()
	if r == nil {
		return
	}
	p := &Panic{Value: r, Stack: debug.Stack()}
	mu.Lock()
	if first == nil {
		first = p
		close(panicked)
	}
	mu.Unlock()
	h := handler.Load()
	if h == nil {
		fmt.Fprintln(os.Stderr, p.Error())
		os.Exit(2)
	}
	once.Do(func() { go (*h)() })
	select {}
}

// Signal is closed when a guarded goroutine first panics.
func Signal() <-chan struct{} { return panicked }

// Panicked returns the first recovered panic, or nil.
func Panicked() *Panic {
	mu.Lock()
	defer mu.Unlock()
	return first
}

// Go runs f in a guarded goroutine.
func Go(f func()) {
	go func() {
		defer Recover()
		f()
	}()
}
