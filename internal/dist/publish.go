package dist

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// stallWait is how long a publication waits for room among those not yet
// confirmed before it looks at its context again.
const stallWait = 250 * time.Millisecond

// publisher publishes a master's tasks: every task that had no result
// when the master began, at most Window ahead of their results. Each
// publication's confirmation is awaited (bounded) and one not confirmed is
// made again with the same message id, which the server does not queue
// twice.
type publisher struct {
	js      jetstream.JetStream
	cfg     MasterConfig
	subject string
	done    bitset // results recorded before this master began
	fatal   chan<- error
	sent    []atomic.Int64 // when this master published each task (UnixNano)
	slots   chan struct{}
	futs    chan pending
	againCh chan []int64
	// published counts publications made (tasks); fin says every task
	// has been published once.
	published atomic.Int64
	fin       atomic.Bool
}

type pending struct {
	first, last int64
	id          string
	fut         jetstream.PubAckFuture
	at          time.Time
}

func newPublisher(js jetstream.JetStream, cfg MasterConfig, done bitset, fatal chan<- error) *publisher {
	return &publisher{js: js, cfg: cfg, subject: cfg.Job.tasksSubject(), done: done, fatal: fatal,
		sent: make([]atomic.Int64, cfg.Tasks+1), slots: make(chan struct{}, cfg.Window),
		futs: make(chan pending, max(64, cfg.Window/cfg.PerMessage)), againCh: make(chan []int64, 1)}
}

func (p *publisher) finished() bool { return p.fin.Load() }

// release frees a task's place in the window once its result is in; it
// says whether this master published the task, and when.
func (p *publisher) release(id int64) (time.Time, bool) {
	t := p.sent[id].Load()
	if t == 0 {
		return time.Time{}, false
	}
	select {
	case <-p.slots:
	default:
	}
	return time.Unix(0, t), true
}

// again asks for the tasks ids to be published once more, under message
// ids of their own, since the server may still remember theirs.
func (p *publisher) again(ids []int64) {
	if len(ids) == 0 {
		return
	}
	select {
	case p.againCh <- append(ids[:0:0], ids...):
	default:
	}
}

func (p *publisher) run(ctx context.Context) {
	confirmed := make(chan struct{})
	go func() {
		defer close(confirmed)
		p.confirm(ctx)
	}()
	defer func() { <-confirmed }()
	per := int64(p.cfg.PerMessage)
	for first := int64(1); first <= p.cfg.Tasks; first += per {
		last := min(first+per-1, p.cfg.Tasks)
		n := int64(0)
		for id := first; id <= last; id++ {
			if !p.done.get(id) {
				n++
			}
		}
		if n == 0 {
			continue
		}
		now := time.Now().UnixNano()
		for id := first; id <= last; id++ {
			if p.done.get(id) {
				continue
			}
			select {
			case p.slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			p.sent[id].Store(now)
		}
		if !p.publish(ctx, first, last, strconv.FormatInt(first, 10)) {
			return
		}
	}
	p.fin.Store(true)
	for round := 1; ; round++ {
		select {
		case <-ctx.Done():
			return
		case ids := <-p.againCh:
			for _, id := range ids {
				first := id - (id-1)%per
				if !p.publish(ctx, first, min(first+per-1, p.cfg.Tasks), fmt.Sprintf("%d.%d", first, round)) {
					return
				}
			}
		}
	}
}

// publish publishes one task message, asynchronously; false when the
// master must stop.
func (p *publisher) publish(ctx context.Context, first, last int64, id string) bool {
	data := formatTasks(first, last)
	for pause := 100 * time.Millisecond; ; pause = min(2*pause, 2*time.Second) {
		fut, err := p.js.PublishAsync(p.subject, data, jetstream.WithMsgID(id), jetstream.WithStallWait(stallWait))
		if err == nil {
			p.published.Add(last - first + 1)
			select {
			case p.futs <- pending{first, last, id, fut, time.Now()}:
				return true
			case <-ctx.Done():
				return false
			}
		}
		if err := p.fatalErr(ctx, err); err != nil {
			p.stop(err)
			return false
		}
		if errors.Is(err, jetstream.ErrTooManyStalledMsgs) {
			// Too many not yet confirmed: wait for room, not for ever.
			if ctx.Err() != nil {
				return false
			}
			pause = 50 * time.Millisecond
			continue
		}
		p.cfg.Warn(fmt.Sprintf("publish tasks %d to %d: %v; trying again", first, last, err))
		select {
		case <-ctx.Done():
			return false
		case <-time.After(pause):
		}
	}
}

func (p *publisher) stop(err error) {
	select {
	case p.fatal <- err:
	default:
	}
}

// confirm waits for each publication's confirmation in turn; one that
// failed or timed out is published again, with its message id, and waited
// for in its turn, until the server confirms it.
func (p *publisher) confirm(ctx context.Context) {
	var again []pending
	failing := 0
	var warned time.Time
	for {
		var pd pending
		if len(again) > 0 {
			pd, again = again[0], again[1:]
		} else {
			select {
			case <-ctx.Done():
				return
			case pd = <-p.futs:
			}
		}
		var err error
		select {
		case <-ctx.Done():
			return
		case <-pd.fut.Ok():
			failing = 0
			continue
		case err = <-pd.fut.Err():
		}
		if ferr := p.fatalErr(ctx, err); ferr != nil {
			p.stop(ferr)
			return
		}
		if failing++; failing > 1 {
			// Many in a row: the server is electing a leader, or gone.
			select {
			case <-ctx.Done():
				return
			case <-time.After(min(time.Duration(failing)*10*time.Millisecond, 500*time.Millisecond)):
			}
		}
		if time.Since(warned) > 2*time.Second {
			warned = time.Now()
			p.cfg.Warn(fmt.Sprintf("the server has not confirmed tasks %d to %d for %v (%v); publishing them again", pd.first, pd.last, time.Since(pd.at).Round(time.Second), err))
		}
		fut, err := p.js.PublishAsync(p.subject, formatTasks(pd.first, pd.last), jetstream.WithMsgID(pd.id), jetstream.WithStallWait(stallWait))
		for err != nil {
			if ctx.Err() != nil {
				return
			}
			if ferr := p.fatalErr(ctx, err); ferr != nil {
				p.stop(ferr)
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(250 * time.Millisecond):
			}
			fut, err = p.js.PublishAsync(p.subject, formatTasks(pd.first, pd.last), jetstream.WithMsgID(pd.id), jetstream.WithStallWait(stallWait))
		}
		again = append(again, pending{pd.first, pd.last, pd.id, fut, pd.at})
	}
}

// fatalErr says whether a publication's failure ends the master: storage
// full, the job deleted. Anything else is tried again.
func (p *publisher) fatalErr(ctx context.Context, err error) error {
	return jobFatal(ctx, p.js, p.cfg.Job, p.cfg.Job.tasksStream(), err)
}

// jobFatal tells a server's refusal that no retry can cure: its storage is
// full, or the job's stream is gone.
func jobFatal(ctx context.Context, js jetstream.JetStream, job Job, stream string, err error) error {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode {
		case errInsufficientResources, 10077, 10047, 10054:
			// insufficient resources, store failed, storage limits, message too large
			return fmt.Errorf("job %s: the server refuses to store more: %v (its storage is full?)", job, err)
		case jetstream.JSErrCodeStreamNotFound:
			return fmt.Errorf("job %s was deleted from the server before it was done", job)
		}
	}
	if errors.Is(err, jetstream.ErrNoStreamResponse) || errors.Is(err, nats.ErrNoResponders) {
		c, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if _, serr := js.Stream(c, stream); errors.Is(serr, jetstream.ErrStreamNotFound) {
			return fmt.Errorf("job %s was deleted from the server before it was done", job)
		}
	}
	return nil
}
