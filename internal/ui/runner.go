package ui

import (
	"context"

	tea "github.com/charmbracelet/bubbletea"

	"mtviz/internal/fold"
	"mtviz/internal/session"
)

// runner does a screen's runs (a comparison's variants, a sweep's points)
// on a goroutine of its own, and hands what they send to the screen in
// batches. The screen can stop it, and learns when its processes are gone.
type runner struct {
	ch     chan tea.Msg
	cancel context.CancelFunc
	done   chan struct{} // closed when the work has returned
	gone   chan struct{} // closed when the screen no longer reads
}

type (
	runBatch []tea.Msg
	runEnd   struct{}
)

// startRunner runs work. Its send drops what the screen cannot take once
// the runs are cancelled; its last delivers, even then, unless the screen
// is gone (a sweep's points after s).
func startRunner(work func(ctx context.Context, send, last func(tea.Msg))) *runner {
	ctx, cancel := context.WithCancel(context.Background())
	r := &runner{ch: make(chan tea.Msg, 1024), cancel: cancel, done: make(chan struct{}), gone: make(chan struct{})}
	go func() {
		defer close(r.done)
		defer close(r.ch)
		send := func(msg tea.Msg) {
			select {
			case r.ch <- msg:
			case <-ctx.Done():
			}
		}
		last := func(msg tea.Msg) {
			select {
			case r.ch <- msg:
			case <-r.gone:
			}
		}
		work(ctx, send, last)
	}()
	return r
}

// wait reads what the work sent, a batch at a time; runEnd ends the last.
func (r *runner) wait() tea.Cmd {
	ch := r.ch
	return func() tea.Msg {
		first, ok := <-ch
		if !ok {
			return runBatch{runEnd{}}
		}
		batch := runBatch{first}
		for len(batch) < 4096 {
			select {
			case msg, ok := <-ch:
				if !ok {
					return append(batch, runEnd{})
				}
				batch = append(batch, msg)
			default:
				return batch
			}
		}
		return batch
	}
}

// cancelRuns cancels the work and says when it is over (nil: no runner).
func (r *runner) cancelRuns() <-chan struct{} {
	if r == nil {
		return nil
	}
	r.cancel()
	select {
	case <-r.gone:
	default:
		close(r.gone)
	}
	return r.done
}

// stop cancels the work; its message comes once the work is over.
func (r *runner) stop() tea.Cmd {
	done := r.cancelRuns()
	return func() tea.Msg {
		if done != nil {
			<-done
		}
		return stoppedMsg{}
	}
}

// liveRuns is the callback of compare.Run and compare.RunSweep for a screen
// that draws each run's own fold (session.Read): it sends the screen each
// new session once, as msg makes it, and no item (the session folded them).
func liveRuns(send func(tea.Msg), msg func(*session.Session) tea.Msg) func(*session.Session, fold.Item) {
	var last *session.Session
	return func(s *session.Session, _ fold.Item) {
		if s != last {
			last = s
			send(msg(s))
		}
	}
}
