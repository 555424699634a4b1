package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"mtviz/internal/event"
	"mtviz/internal/fold"
	"mtviz/internal/lesson"
	"mtviz/internal/probe"
	"mtviz/internal/record"
)

// heavyRecording is a recording of the largest samples the reader takes:
// n samples of record.MaxProcs processes, each several megabytes of JSON
// that take about a tenth of a second each to read and check.
func heavyRecording(tb testing.TB, n int) *record.Recording {
	sc, err := lesson.Load("h.yaml", []byte("title: t\ntasks:\n  - {name: main, steps: [{log: hi}]}\n"))
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "heavy.jsonl")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := record.NewWriter(f)
	w.Header(record.NewHeader(sc, 2, time.Unix(1700000000, 0), 7, 10))
	w.Item(fold.Item{Events: []event.Event{{T: time.Millisecond, Task: "main", Data: event.TaskStart{State: event.Created}}}})
	s := probe.Sample{Cores: []float64{50, 50}}
	for i := 0; i < record.MaxProcs; i++ {
		s.Procs = append(s.Procs, probe.Proc{PID: 1000 + i, PPID: 7, Name: "p", State: "S", NThreads: 1, Threads: []probe.Thread{{TID: 1000 + i, State: "S"}}})
	}
	for k := 1; k <= n; k++ {
		s.T = time.Duration(k) * 100 * time.Millisecond
		w.Item(fold.Item{Sample: &s})
	}
	w.End(record.End{})
	f.Close()
	rec, err := record.ReadFile(path, record.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return rec
}

// While a seek across a recording of the largest samples is under way, a
// frame folds only what was read ahead in its budget, and q quits at once:
// the screen never waits for the file (it once ignored q for minutes).
func TestReplayScreenAnswersQWhileFolding(t *testing.T) {
	rec := heavyRecording(t, 12)
	r := newRoot(Config{Replay: rec})
	defer rp(r.screen.(*lessonModel)).close()
	r.Update(tea.KeyMsg{Type: tea.KeyEnd})
	rp := rp(r.screen.(*lessonModel))
	if !rp.behind || rp.play.Folded() >= rec.Count {
		t.Fatalf("one frame folded %d of %d items: the seek was not split across frames", rp.play.Folded(), rec.Count)
	}
	folded := rp.play.Folded()
	_, cmd := r.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'q'}})
	if cmd == nil {
		t.Fatal("q gave no command")
	}
	if _, quit := cmd().(tea.QuitMsg); !quit {
		t.Errorf("q did not quit: %T", cmd())
	}
	if rp.play.Folded() != folded {
		t.Error("q waited for the fold")
	}
}

// The longest a message waits for the replay screen (a frame, a key) while
// it seeks across a recording of the largest samples: ms_worst is the
// slowest Update, the time a key may wait (README, Speed).
func BenchmarkReplayUpdateWhileSeeking(b *testing.B) {
	rec := heavyRecording(b, 12)
	var worst time.Duration
	slow := map[string]time.Duration{}
	defer func() { b.Logf("slowest by kind: %v", slow) }()
	for i := 0; i < b.N; i++ {
		r := newRoot(Config{Replay: rec})
		r.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
		for _, msg := range []tea.Msg{tea.KeyMsg{Type: tea.KeyEnd}, frameMsg{}, frameMsg{}} {
			start := time.Now()
			r.Update(msg)
			worst = max(worst, time.Since(start))
			k := fmt.Sprintf("%T", msg)
			slow[k] = max(slow[k], time.Since(start))
		}
		for rp(r.screen.(*lessonModel)).behind {
			start := time.Now()
			r.Update(frameMsg{})
			worst = max(worst, time.Since(start))
			slow["frame"] = max(slow["frame"], time.Since(start))
		}
		rp(r.screen.(*lessonModel)).close()
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "ms_worst")
}
