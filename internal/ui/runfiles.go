package ui

import (
	"errors"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"mtviz/internal/fold"
	"mtviz/internal/outfile"
	"mtviz/internal/session"
	"mtviz/internal/text"
	"mtviz/internal/words"
)

// Outputs hands each run the screen starts its files: --record's and
// --trace's, nil when not asked for. The first call gives the first run's,
// made before anything ran; each later call new files (outfile.Runs).
type Outputs interface {
	Next() (rec, perfetto *outfile.File, err error)
}

// runFiles writes every run of the screen's lessons to files of its own,
// and puts each in place once its run is over.
type runFiles struct {
	outs Outputs
	wg   sync.WaitGroup
	mu   sync.Mutex
	err  error // why a run's files could not be written: the first such
}

// filesMsg says a run's files are in place, or why not.
type filesMsg struct {
	s     *session.Session
	paths []string
	err   error
}

// open gives a run its files, set in opt; the log line says where they go.
func (f *runFiles) open(opt *session.Options) (files []*outfile.File, note fold.Entry) {
	if f == nil || f.outs == nil {
		return nil, note
	}
	rec, perfetto, err := f.outs.Next()
	if err != nil {
		f.fail(err)
		return nil, fold.Entry{Text: words.F("this run is not written: %s", text.Clean(err.Error())), Class: fold.Bad}
	}
	var said []string
	if rec != nil {
		opt.Record = rec
		files = append(files, rec)
		said = append(said, "--record "+rec.Path())
	}
	if perfetto != nil {
		opt.Perfetto = perfetto
		files = append(files, perfetto)
		said = append(said, "--trace "+perfetto.Path())
	}
	return files, fold.Entry{Text: text.Clean(words.F("this run is written to %s", strings.Join(said, words.T(", ")))), Class: fold.Quiet}
}

// close puts a run's files in place once its session is over: whole, or
// not at all when the run could not be written. The message says which.
func (f *runFiles) close(s *session.Session, files []*outfile.File) tea.Cmd {
	if len(files) == 0 {
		return nil
	}
	done := make(chan filesMsg, 1)
	f.wg.Add(1)
	// Its own goroutine, not a command: the files are put in place even
	// when the screen has quit before a command could run.
	go func() {
		defer f.wg.Done()
		<-s.Done()
		err := s.RecordError()
		var paths []string
		for _, file := range files {
			if err != nil {
				file.Abort()
				continue
			}
			err = file.Commit()
			paths = append(paths, file.Path())
		}
		if err != nil {
			f.fail(err)
		}
		done <- filesMsg{s, paths, err}
	}()
	return func() tea.Msg { return <-done }
}

func (f *runFiles) fail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil {
		f.err = err
	}
}

// wait waits, at most d, for every run's files to be put in place, and
// says why one could not be, if one could not.
func (f *runFiles) wait(d time.Duration) error {
	if f == nil {
		return nil
	}
	done := make(chan struct{})
	go func() {
		f.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(d):
		return errors.New("a run did not end in time to finish its files")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// filesDone says in the log where the shown run's files are (the source
// passes only the shown run's message: an earlier run's log is gone), or why they
// could not be written.
func (m *lessonModel) filesDone(msg filesMsg) {
	if msg.err != nil {
		m.tl.AddLog(fold.Entry{Text: text.Clean(words.F("the run's files could not be written: %s", msg.err.Error())), Class: fold.Bad})
	} else {
		m.tl.AddLog(fold.Entry{Text: text.Clean(words.F("the run is written: %s", strings.Join(msg.paths, words.T(", ")))), Class: fold.Quiet})
	}
	m.render()
}
