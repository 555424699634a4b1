package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"mtviz/internal/event"
	"mtviz/internal/fold"
	"mtviz/internal/lesson"
	"mtviz/internal/probe"
	"mtviz/internal/record"
	"mtviz/internal/testutil"
)

// bigRecording writes a recording of about size bytes shaped as a busy
// sixteen-lane run records (about 500 KB a second, 6,000 events a second):
// every 100 ms a batch of 600 lock, counter and state events and a sample
// of a process with 18 threads. It returns the recorded time.
func bigRecording(tb testing.TB, path string, size int64) time.Duration {
	sc, err := lesson.Load("sixteen.yaml", []byte(testutil.SixteenLanes))
	if err != nil {
		tb.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := record.NewWriter(f)
	w.Header(record.NewHeader(sc, 2, time.Now(), 4000, 10))
	var evs []event.Event
	for i := 1; i <= 16; i++ {
		evs = append(evs, event.Event{Task: fmt.Sprintf("w-%d", i), Data: event.TaskStart{TaskKind: lesson.Goroutine, State: event.Created}})
	}
	w.Item(fold.Item{Events: evs})
	var t time.Duration
	for i := 0; ; i++ {
		if i%64 == 0 {
			if st, _ := f.Stat(); st != nil && st.Size() >= size {
				break
			}
		}
		evs = evs[:0]
		for k := 0; k < 600; k++ {
			task := fmt.Sprintf("w-%d", 1+k%16)
			at := t + time.Duration(k)*100*time.Microsecond
			switch k % 4 {
			case 0:
				evs = append(evs, event.Event{T: at, Task: task, Data: event.StateChange{State: event.Blocked, Reason: event.ReasonLock, Object: "m", Holder: "w-1"}})
			case 1:
				evs = append(evs, event.Event{T: at, Data: event.LockChange{Object: "m", Holder: task, Count: 1, Waiters: []string{"w-2", "w-3"}}})
			case 2:
				evs = append(evs, event.Event{T: at, Data: event.CounterChange{Object: "c", Value: int64(i*600 + k)}})
			default:
				evs = append(evs, event.Event{T: at, Task: task, Data: event.StateChange{State: event.Running}})
			}
		}
		w.Item(fold.Item{Events: evs})
		p := probe.Proc{PID: 4000, PPID: 1, Name: "mtviz", State: "R", CPU: 150, NThreads: 18}
		for th := 0; th < 18; th++ {
			p.Threads = append(p.Threads, probe.Thread{TID: 4000 + th, Name: "mtviz", State: "S", CPU: 8, Core: th % 2})
		}
		t += 100 * time.Millisecond
		w.Item(fold.Item{Sample: &probe.Sample{T: t, Cores: []float64{80, 70}, Procs: []probe.Proc{p}}})
	}
	w.End(record.End{})
	return t
}

// replayRSS replays a recording headless in a process of its own, and
// returns its peak resident memory and how long it took.
func replayRSS(tb testing.TB, path string) (rssMB float64, took time.Duration) {
	c := exec.Command(os.Args[0], "replay", "--headless", path)
	c.Env = append(os.Environ(), "MTVIZ_MAIN=1")
	start := time.Now()
	out, _ := c.CombinedOutput()
	took = time.Since(start)
	// The recording's lesson has no checks: it decides nothing (exit 3).
	if c.ProcessState == nil || c.ProcessState.ExitCode() != exitUndecided {
		tb.Fatalf("exit %v, want %d: %.500s", c.ProcessState, exitUndecided, out)
	}
	ru := c.ProcessState.SysUsage().(*syscall.Rusage)
	return float64(ru.Maxrss) / 1024, took
}

// A recording is read as a stream: replaying 64 MB headless stays far under
// 300 MB of memory (reading it whole took 1 GB for 25 MB).
func TestReplayMemoryDoesNotGrowWithTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.jsonl")
	bigRecording(t, path, 64<<20)
	rss, _ := replayRSS(t, path)
	if rss > 300 {
		t.Errorf("replaying 64 MB took %.0f MB of memory", rss)
	}
	t.Logf("peak memory %.0f MB", rss)
}

// Replaying a 250 MB recording headless: how many times faster than the
// recorded run, and the peak memory (README, Speed).
func BenchmarkReplayHeadless250MB(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.jsonl")
	span := bigRecording(b, path, 250<<20)
	st, _ := os.Stat(path)
	b.ResetTimer()
	var rss float64
	var took time.Duration
	for i := 0; i < b.N; i++ {
		r, d := replayRSS(b, path)
		rss, took = max(rss, r), took+d
	}
	b.ReportMetric(span.Seconds()/(took.Seconds()/float64(b.N)), "x_realtime")
	b.ReportMetric(rss, "MB_rss")
	b.ReportMetric(float64(st.Size())/1e6, "MB_file")
	b.ReportMetric(span.Seconds(), "s_recorded")
	b.ReportMetric(float64(st.Size())/1e3/span.Seconds(), "KB/s_recorded")
}
