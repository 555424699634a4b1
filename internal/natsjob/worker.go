package natsjob

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// donePoll is how often a worker looks whether its job is done.
const donePoll = 250 * time.Millisecond

// resultWait bounds the wait for the master's answer to one batch of
// results; a batch not answered is sent again.
const resultWait = 2 * time.Second

// inFlight is how many batches of results a worker may have sent and not
// yet had answered.
const inFlight = 4

// ErrJobGone is a job that left the server before the worker saw it done.
var ErrJobGone = errors.New("the job is no longer on the server")

// WorkerConfig is one worker.
type WorkerConfig struct {
	Job Job
	// Batch is how many tasks the worker pulls ahead of its work (default
	// 256). A paced worker should hold few: a task held longer than the
	// job's AckWait goes to another worker.
	Batch int
	// Pace is how long each task takes, so that a person can watch.
	Pace time.Duration
	// Waiting is told the worker waits for the master (a job not begun).
	Waiting func()
	// Took is told each task the server handed this worker, with how many
	// times the server has handed it out (more than 1: redelivered).
	Took func(id int64, delivery uint64)
	// Done is told each task whose result the master recorded and whose
	// acknowledgement was sent; duplicate: the master already had a
	// result for its id.
	Done func(id, sq int64, duplicate bool)
	// Idle is told when the worker runs out of tasks (true) and when it
	// has one again (false).
	Idle func(bool)
	// GiveUp ends the worker when it has had no server for this long
	// (0: never).
	GiveUp time.Duration
	// Warn is told what the worker rides out: a server gone, a master
	// that does not answer. It goes on.
	Warn func(msg string)
}

// WorkerReport is what one worker did.
type WorkerReport struct {
	Done       int64
	Duplicates int64
	AckErrors  int64 // acknowledgements the connection could not send
}

// RunWorker works on a job until the master says it is done (nil), ctx
// ends (its error), or the job leaves the server undone (ErrJobGone).
// Missing heartbeats, a server restarted, a master gone for a while: it
// says so through Warn and goes on. Each batch's results go to the master
// first; its tasks are acknowledged only once the master has recorded
// them, so a worker killed at any moment loses nothing: what it had not
// acknowledged, the server hands to another worker after the job's
// AckWait.
func RunWorker(ctx context.Context, nc *nats.Conn, cfg WorkerConfig) (WorkerReport, error) {
	w := &worker{nc: nc, cfg: cfg}
	if w.cfg.Batch <= 0 {
		w.cfg.Batch = 256
	}
	if w.cfg.Warn == nil {
		w.cfg.Warn = func(string) {}
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return w.report(), err
	}
	w.js = js
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	watch := make(chan error, 1)
	go func() {
		err := watchDone(wctx, js, cfg.Job, nc, cfg.GiveUp)
		watch <- err
		stop()
	}()
	for {
		err := w.session(wctx)
		if wctx.Err() != nil {
			break
		}
		w.cfg.Warn(fmt.Sprintf("%v; going on", err))
		select {
		case <-wctx.Done():
		case <-time.After(time.Second):
		}
	}
	w.wg.Wait()
	// Acknowledgements are sent without waiting for an answer: make sure
	// they have left before the caller closes the connection.
	flushTimeout := 5 * time.Second
	if ctx.Err() != nil {
		flushTimeout = 500 * time.Millisecond
	}
	nc.FlushTimeout(flushTimeout)
	if ctx.Err() != nil {
		return w.report(), ctx.Err()
	}
	return w.report(), <-watch
}

type worker struct {
	nc  *nats.Conn
	js  jetstream.JetStream
	cfg WorkerConfig
	wg  sync.WaitGroup
	mu  sync.Mutex
	rep WorkerReport
	// ackWarned: an acknowledgement failed and was said.
	ackWarned bool
	waited    bool
	idle      bool
}

func (w *worker) report() WorkerReport {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.rep
}

// watchDone returns nil when the job's bucket says done, ErrJobGone when
// the bucket it saw has gone (three looks in a row), ctx's error when ctx
// ends.
func watchDone(ctx context.Context, js jetstream.JetStream, job Job, nc *nats.Conn, giveUp time.Duration) error {
	seen, gone := false, 0
	lost := time.Time{}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(donePoll):
		}
		switch {
		case nc.IsConnected():
			lost = time.Time{}
		case lost.IsZero():
			lost = time.Now()
		case giveUp > 0 && time.Since(lost) > giveUp:
			return fmt.Errorf("no server for %v: giving up", giveUp)
		}
		c, cancel := context.WithTimeout(ctx, 2*time.Second)
		kv, err := js.KeyValue(c, job.bucket())
		if err == nil {
			seen, gone = true, 0
			_, err = kv.Get(c, "done")
			if err == nil {
				cancel()
				return nil
			}
		}
		cancel()
		if seen && errors.Is(err, jetstream.ErrBucketNotFound) {
			if gone++; gone >= 3 {
				return fmt.Errorf("%w: job %s was deleted before this worker saw it done", ErrJobGone, job)
			}
		}
	}
}

// session pulls tasks from the workers' consumer until ctx ends or the
// pull fails; its error says why.
func (w *worker) session(ctx context.Context) error {
	cons, err := w.consumer(ctx)
	if err != nil {
		return err
	}
	msgs := make(chan jetstream.Msg, w.cfg.Batch)
	// The client calls the handler in its own goroutine, one message at a
	// time: a full channel holds the next pull back. The session's end
	// lets a handler still waiting go (its message is redelivered).
	ended := make(chan struct{})
	var mu sync.Mutex
	var last error
	cc, err := cons.Consume(func(m jetstream.Msg) {
		select {
		case msgs <- m:
		case <-ctx.Done():
		case <-ended:
		}
	}, jetstream.PullMaxMessages(w.cfg.Batch), jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		// Missing heartbeats, a leader changed: the client pulls again
		// by itself. What ends the pull closes cc, after being said here.
		mu.Lock()
		last = err
		mu.Unlock()
	}))
	if err != nil {
		return fmt.Errorf("pull tasks: %w", err)
	}
	defer cc.Stop()
	stopCC := context.AfterFunc(ctx, cc.Stop)
	defer stopCC()
	defer close(ended) // first of the three: a waiting handler goes before Stop
	pullErr := make(chan error, 1)
	go func() {
		select {
		case <-cc.Closed():
		case <-ctx.Done():
			pullErr <- ctx.Err()
			return
		}
		mu.Lock()
		err := last
		mu.Unlock()
		if err == nil {
			err = jetstream.ErrMsgIteratorClosed
		}
		pullErr <- err
	}()
	sem := make(chan struct{}, inFlight)
	for {
		b, err := w.next(ctx, msgs, pullErr)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("pull tasks: %w", err)
		}
		res, ok := w.work(ctx, b)
		if !ok {
			return ctx.Err()
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		w.wg.Go(func() {
			defer func() { <-sem }()
			w.deliver(ctx, b, res)
		})
	}
}

// consumer waits for the job's consumer: the master makes it.
func (w *worker) consumer(ctx context.Context) (jetstream.Consumer, error) {
	for {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		cons, err := w.js.Consumer(c, w.cfg.Job.tasksStream(), consumerName)
		cancel()
		if err == nil {
			return cons, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, jetstream.ErrStreamNotFound) || errors.Is(err, jetstream.ErrConsumerNotFound) {
			if !w.waited && w.cfg.Waiting != nil {
				w.cfg.Waiting()
			}
			w.waited = true
		} else if !transient(err) {
			w.cfg.Warn(fmt.Sprintf("find job %s: %v", w.cfg.Job, err))
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(donePoll):
		}
	}
}

// held is a task message taken and the tasks it holds.
type held struct {
	msg         jetstream.Msg
	first, last int64
}

// next waits for a task, then takes those already there, up to a batch.
func (w *worker) next(ctx context.Context, msgs chan jetstream.Msg, pullErr chan error) ([]held, error) {
	var m jetstream.Msg
	select {
	case m = <-msgs:
	case err := <-pullErr:
		return nil, err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-w.idleAfter():
		// None for a moment: the worker is idle until one comes.
		w.setIdle(true)
		select {
		case m = <-msgs:
		case err := <-pullErr:
			return nil, err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	w.setIdle(false)
	var b []held
	size := 0
	for {
		if h, ok := w.parse(m); ok {
			b = append(b, h)
			size += int(h.last-h.first+1) * 24
		}
		if len(b) >= w.cfg.Batch || size >= maxRequest/2 {
			return b, nil
		}
		select {
		case m = <-msgs:
		default:
			return b, nil
		}
	}
}

// idleAfter is when a worker waiting for a task says it is idle: after
// 20 ms, if anyone listens.
func (w *worker) idleAfter() <-chan time.Time {
	if w.cfg.Idle == nil {
		return nil
	}
	return time.After(20 * time.Millisecond)
}

// setIdle tells Idle that the worker waits, or works again.
func (w *worker) setIdle(idle bool) {
	if w.cfg.Idle == nil || w.idle == idle {
		return
	}
	w.idle = idle
	w.cfg.Idle(idle)
}

func (w *worker) parse(m jetstream.Msg) (held, bool) {
	first, last, err := ParseTasks(m.Data())
	if err != nil {
		// Not a task of ours: never hand it out again.
		if err := m.Term(); err != nil {
			w.ackFailed(err)
		}
		return held{}, false
	}
	return held{m, first, last}, true
}

// work does a batch's tasks; false when ctx ended first.
func (w *worker) work(ctx context.Context, b []held) ([]byte, bool) {
	out := make([]byte, 0, 24*len(b))
	for _, h := range b {
		var delivery uint64 = 1
		if w.cfg.Took != nil {
			if md, err := h.msg.Metadata(); err == nil {
				delivery = md.NumDelivered
			}
		}
		for id := h.first; id <= h.last; id++ {
			if w.cfg.Took != nil {
				w.cfg.Took(id, delivery)
			}
			if w.cfg.Pace > 0 {
				select {
				case <-time.After(w.cfg.Pace):
				case <-ctx.Done():
					return nil, false
				}
			}
			out = appendResult(out, id, id*id)
		}
	}
	return out, true
}

// deliver sends a batch's results to the master until it answers that
// they are recorded, then acknowledges the batch's tasks. While no master
// answers, it asks again; the tasks it holds meanwhile go to another
// worker after AckWait, and its own late acknowledgement is harmless
// (the results are recorded by then).
func (w *worker) deliver(ctx context.Context, b []held, res []byte) {
	subj := w.cfg.Job.collectSubject()
	warned := false
	for pause := 100 * time.Millisecond; ; pause = min(2*pause, time.Second) {
		c, cancel := context.WithTimeout(ctx, resultWait)
		reply, err := w.nc.RequestWithContext(c, subj, res)
		cancel()
		if err == nil {
			dups, perr := parseAnswer(reply.Data)
			if perr == nil {
				w.acked(b, dups)
				return
			}
			err = perr
		}
		if ctx.Err() != nil {
			return
		}
		if !warned {
			warned = true
			w.cfg.Warn(fmt.Sprintf("the master has not taken results (%v); trying again", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
	}
}

// parseAnswer reads the master's answer: "ok", then the ids it already
// had, one a line.
func parseAnswer(b []byte) (map[int64]bool, error) {
	if len(b) > maxRequest {
		return nil, errors.New("an answer too long")
	}
	s := string(b)
	if len(s) < 2 || s[:2] != "ok" || len(s) > 2 && s[2] != '\n' {
		return nil, fmt.Errorf("the master refused the results: %q", clean(b))
	}
	if len(s) == 2 {
		return nil, nil
	}
	dups := map[int64]bool{}
	for _, line := range strings.Split(s[3:], "\n") {
		id, err := ParseTask([]byte(line))
		if err != nil {
			return nil, fmt.Errorf("an answer that is not one: %q", clean([]byte(line)))
		}
		dups[id] = true
	}
	return dups, nil
}

// acked acknowledges a batch whose results are recorded.
func (w *worker) acked(b []held, dups map[int64]bool) {
	for _, h := range b {
		if err := h.msg.Ack(); err != nil {
			w.ackFailed(err)
		}
		w.mu.Lock()
		for id := h.first; id <= h.last; id++ {
			w.rep.Done++
			if dups[id] {
				w.rep.Duplicates++
			}
		}
		w.mu.Unlock()
		if w.cfg.Done != nil {
			for id := h.first; id <= h.last; id++ {
				w.cfg.Done(id, id*id, dups[id])
			}
		}
	}
}

// ackFailed counts an acknowledgement that could not be sent: the server
// hands the task out again after AckWait, and its result is recorded
// already, so nothing is lost; the first is said.
func (w *worker) ackFailed(err error) {
	w.mu.Lock()
	w.rep.AckErrors++
	first := !w.ackWarned
	w.ackWarned = true
	w.mu.Unlock()
	if first {
		w.cfg.Warn(fmt.Sprintf("acknowledge a task: %v (it will be handed out again; its result is recorded)", err))
	}
}
