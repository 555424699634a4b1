package engine

import (
	"context"
	"io"
	"runtime/trace"
	"sort"
	"sync"
	"testing"
	"time"

	evt "mtviz/internal/event"
)

// BenchmarkProcessStart measures the time from spawning a process task to
// its first event from the child process (its hello), and reports the
// median over the iterations.
func BenchmarkProcessStart(b *testing.B) {
	sc := load(b, `
tasks:
  - name: main
    steps: [{spawn: p}, {join: p}]
  - name: p
    kind: process
    steps: [{log: hi}]
`)
	var ds []time.Duration
	for i := 0; i < b.N; i++ {
		e := New(sc, Options{Tick: 5 * time.Millisecond})
		done := make(chan error)
		go func() { done <- e.Run(context.Background()) }()
		var spawned, first time.Duration
		for batch := range e.Events() {
			for _, ev := range batch {
				if ev.Task == "p" && ev.Kind() == evt.KState && ev.StateChange().State == evt.Runnable && ev.PID == 0 && spawned == 0 {
					spawned = ev.T
				}
				if ev.Task == "p" && ev.Kind() == evt.KProcess && first == 0 {
					first = ev.T
				}
			}
		}
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		ds = append(ds, first-spawned)
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(ds[len(ds)*9/10].Microseconds())/1000, "p90-ms")
}

// Instrumented lock against sync.Mutex, uncontended: one task locks and
// unlocks in a loop (quiet, as the collector makes a busy task).
func BenchmarkLockUncontended(b *testing.B) {
	w := &world{e: New(load(b, "tasks: [{steps: [{log: x}]}]"), Options{})}
	l := &lock{name: "m", w: w, mu: newMutex()}
	t := &task{name: "a", w: w, stop: make(chan struct{})}
	t.quiet.Store(true)
	b.Run("mtviz", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			l.acquire(t)
			l.release(t)
		}
	})
	b.Run("sync.Mutex", func(b *testing.B) {
		var mu sync.Mutex
		for i := 0; i < b.N; i++ {
			mu.Lock()
			//lint:ignore SA2001 the cost of an empty critical section is what is measured
			mu.Unlock()
		}
	})
}

// contendLock has GOMAXPROCS goroutines fight for one instrumented lock,
// each as a quiet task (as the collector makes a busy one).
func contendLock(b *testing.B) {
	w := &world{e: New(load(b, "tasks: [{steps: [{log: x}]}]"), Options{})}
	l := &lock{name: "m", w: w, mu: newMutex()}
	b.SetParallelism(1)
	b.RunParallel(func(pb *testing.PB) {
		t := &task{name: "a", w: w, stop: make(chan struct{})}
		t.quiet.Store(true)
		for pb.Next() {
			l.acquire(t)
			l.release(t)
		}
	})
}

// The same, with two goroutines fighting for the lock.
func BenchmarkLockContended(b *testing.B) {
	b.Run("mtviz", contendLock)
	b.Run("sync.Mutex", func(b *testing.B) {
		var mu sync.Mutex
		b.SetParallelism(1)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				mu.Lock()
				//lint:ignore SA2001 the cost of an empty critical section is what is measured
				mu.Unlock()
			}
		})
	})
}

// BenchmarkTraceCost: the lock-heavy worst case (two goroutines fighting for
// one instrumented lock) with the runtime trace off and on. The trace is
// written to io.Discard: the live reader's own work is not counted.
func BenchmarkTraceCost(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "off"
		if on {
			name = "on"
		}
		b.Run(name, func(b *testing.B) {
			if on {
				if err := trace.Start(io.Discard); err != nil {
					b.Skip("the runtime trace is in use: ", err)
				}
				defer trace.Stop()
			}
			contendLock(b)
		})
	}
}
