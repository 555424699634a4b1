package natsjob

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

// groupSize is how many task messages go out as one group: all but the
// last without asking the server for an acknowledgement, the last (the
// group's marker) with one.
const groupSize = 256

// publisher publishes a master's tasks: every task that had no result
// when the master began, at most Window ahead of their results. Tasks go
// out in groups: every message of a group but the last without an
// acknowledgement, the last asking for one. The server stores a
// connection's messages in the order they came, so the marker's stream
// sequence, less the previous marker's, says whether every message of the
// group was stored: when it is not exactly the group's size (a message
// lost, refused, or one already there), or the marker is not confirmed,
// each message of the group is published again on its own with its
// message id, which the server does not queue twice, and its confirmation
// awaited (bounded); one not confirmed is made again, the same way. The
// count cannot see a lost message when another writer's (or this
// master's own re-publication of another group) landed in the same
// group: such a task is left to the sweep of tasks in no queue.
type publisher struct {
	js      jetstream.JetStream
	nc      *nats.Conn
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
	// regrouped counts messages published again on their own because
	// their group did not add up.
	regrouped atomic.Int64
	// held is the newest message, not yet sent: it goes out as the next
	// message of the group or as its marker; group is what was sent
	// without an acknowledgement since the last marker (run's only).
	held  *taskMsg
	group []taskMsg
	// base is the stream sequence of the last marker confirmed, when
	// known (confirm's only).
	base      uint64
	baseKnown bool
}

// taskMsg is one task message: its tasks and its message id.
type taskMsg struct {
	first, last int64
	id          string
}

type pending struct {
	taskMsg
	fut jetstream.PubAckFuture
	at  time.Time
	// group is what was sent before this marker without an
	// acknowledgement; nil for a message confirmed on its own.
	group []taskMsg
}

func newPublisher(js jetstream.JetStream, cfg MasterConfig, done bitset, lastSeq uint64, fatal chan<- error) *publisher {
	return &publisher{js: js, nc: js.Conn(), cfg: cfg, subject: cfg.Job.tasksSubject(), done: done, fatal: fatal,
		sent: make([]atomic.Int64, cfg.Tasks+1), slots: make(chan struct{}, cfg.Window),
		futs: make(chan pending, max(64, cfg.Window/cfg.PerMessage)), againCh: make(chan []int64, 1),
		base: lastSeq, baseKnown: true}
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
			if !p.slot(ctx) {
				return
			}
			p.sent[id].Store(now)
		}
		if !p.add(ctx, taskMsg{first, last, strconv.FormatInt(first, 10)}) {
			return
		}
	}
	if !p.closeGroup(ctx) {
		return
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

// slot takes a task's place in the window. When it has to wait for one,
// the group so far goes out first with its marker: its confirmation does
// not wait for room.
func (p *publisher) slot(ctx context.Context) bool {
	select {
	case p.slots <- struct{}{}:
		return true
	default:
	}
	if !p.closeGroup(ctx) {
		return false
	}
	select {
	case p.slots <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

// add sends the message held before m, without an acknowledgement, and
// holds m; a full group goes out with its marker.
func (p *publisher) add(ctx context.Context, m taskMsg) bool {
	if h := p.held; h != nil {
		msg := &nats.Msg{Subject: p.subject, Data: formatTasks(h.first, h.last), Header: nats.Header{jetstream.MsgIDHeader: []string{h.id}}}
		// An error here (the connection closed) shows as a group that does
		// not add up: its messages are then published one by one.
		if p.cfg.lose == nil || !p.cfg.lose(h.first) {
			_ = p.nc.PublishMsg(msg)
		}
		p.published.Add(h.last - h.first + 1)
		p.group = append(p.group, *h)
	}
	p.held = &m
	if len(p.group)+1 >= groupSize {
		return p.closeGroup(ctx)
	}
	return true
}

// closeGroup sends the held message as the group's marker, asking for an
// acknowledgement.
func (p *publisher) closeGroup(ctx context.Context) bool {
	h := p.held
	if h == nil {
		return true
	}
	p.held = nil
	group := p.group
	p.group = make([]taskMsg, 0, groupSize)
	return p.publishGroup(ctx, *h, group)
}

// publish publishes one task message, asynchronously, to be confirmed on
// its own; false when the master must stop.
func (p *publisher) publish(ctx context.Context, first, last int64, id string) bool {
	return p.publishGroup(ctx, taskMsg{first, last, id}, nil)
}

// publishGroup publishes m asking for an acknowledgement; group is what
// went before it without one, nil for none.
func (p *publisher) publishGroup(ctx context.Context, m taskMsg, group []taskMsg) bool {
	first, last, id := m.first, m.last, m.id
	data := formatTasks(first, last)
	for pause := 100 * time.Millisecond; ; pause = min(2*pause, 2*time.Second) {
		fut, err := p.js.PublishAsync(p.subject, data, jetstream.WithMsgID(id), jetstream.WithStallWait(stallWait))
		if err == nil {
			p.published.Add(last - first + 1)
			select {
			case p.futs <- pending{m, fut, time.Now(), group}:
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
		case pa := <-pd.fut.Ok():
			failing = 0
			if !p.groupStored(pd, pa) && !p.unGroup(ctx, pd.group, &again) {
				return
			}
			continue
		case err = <-pd.fut.Err():
		}
		if pd.group != nil {
			// Whether the group is stored is not known: each of its
			// messages goes again on its own, and so does the marker.
			p.baseKnown = false
		}
		if !p.unGroup(ctx, pd.group, &again) {
			return
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
		again = append(again, pending{pd.taskMsg, fut, pd.at, nil})
	}
}

// groupStored says whether a confirmed marker shows its whole group
// stored: its sequence is the previous marker's plus the group and
// itself, nothing more or less. It keeps the marker's sequence for the
// next group. A message confirmed on its own says nothing of groups.
func (p *publisher) groupStored(pd pending, pa *jetstream.PubAck) bool {
	if pd.group == nil {
		return true
	}
	ok := p.baseKnown && !pa.Duplicate && pa.Sequence == p.base+uint64(len(pd.group))+1
	// A duplicate's sequence is the first copy's, not the stream's last.
	p.base, p.baseKnown = pa.Sequence, !pa.Duplicate
	return ok
}

// unGroup publishes each message of a group that did not add up again, on
// its own, to be confirmed in turn; false when the master must stop.
func (p *publisher) unGroup(ctx context.Context, group []taskMsg, again *[]pending) bool {
	p.regrouped.Add(int64(len(group)))
	for _, m := range group {
		for {
			fut, err := p.js.PublishAsync(p.subject, formatTasks(m.first, m.last), jetstream.WithMsgID(m.id), jetstream.WithStallWait(stallWait))
			if err == nil {
				*again = append(*again, pending{m, fut, time.Now(), nil})
				break
			}
			if ferr := p.fatalErr(ctx, err); ferr != nil {
				p.stop(ferr)
				return false
			}
			select {
			case <-ctx.Done():
				return false
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return true
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
