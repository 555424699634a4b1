package natsjob

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"math/bits"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Results reach the master as requests: a worker sends the results of a
// batch of tasks and the master answers once they are in the job's record
// on the server (the results stream, which only the master writes, each
// task id once). Only then does the worker acknowledge the tasks: a task
// is done once its result is durable, and a result is written once.

// maxRequest bounds a worker's batch of results, as a message.
const maxRequest = 48 << 10

// maxRecordMsg bounds one message of the record.
const maxRecordMsg = 32 << 10

// collectedHeader says, on each message of the record, how many results
// the record holds with it.
const collectedHeader = "Mtviz-Collected"

// bitset is a set of task ids.
type bitset []uint64

func newBitset(n int64) bitset    { return make(bitset, n/64+1) }
func (b bitset) get(i int64) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b bitset) set(i int64)      { b[i/64] |= 1 << (i % 64) }
func (b bitset) clone() bitset    { return append(bitset(nil), b...) }

// sum128 is a sum of squares that may pass int64 (10 million tasks do).
type sum128 struct{ hi, lo uint64 }

func (s *sum128) add(v int64) {
	var c uint64
	s.lo, c = bits.Add64(s.lo, uint64(v), 0)
	s.hi += c
}

// Big is the sum as a number.
func (s sum128) Big() *big.Int {
	b := new(big.Int).SetUint64(s.hi)
	return b.Lsh(b, 64).Add(b, new(big.Int).SetUint64(s.lo))
}

// batch is results on their way into the record, and the workers to
// answer once they are in.
type batch struct {
	data    []byte
	ids     []int64
	answers []answer
}

type answer struct {
	msg  *nats.Msg
	dups []int64
}

// collector is the master's count of results: taken (in the record or on
// their way), collected (in the record).
type collector struct {
	cfg       MasterConfig
	taken     bitset
	done      bitset // in the record when the master began
	collected int64
	dups      int64
	wrong     int64
	sum       sum128
	last      uint64 // the record's last sequence, as read
	busy      bool   // a batch is being written
	pending   *batch
	latencies []time.Duration
	released  func(id int64) (time.Time, bool)
}

// readCollected reads the job's record from its start: what a master
// before this one collected.
func readCollected(ctx context.Context, js jetstream.JetStream, results jetstream.Stream, cfg MasterConfig) (*collector, error) {
	c := &collector{cfg: cfg, taken: newBitset(cfg.Tasks), pending: &batch{}}
	err := readResults(ctx, js, results, func(id, sq int64) {
		switch {
		case id > cfg.Tasks || sq != id*id:
			c.wrong++
		case c.taken.get(id):
			c.dups++
		default:
			c.taken.set(id)
			c.collected++
			c.sum.add(sq)
		}
	}, func(bad int) { c.wrong += int64(bad) }, &c.last)
	if err != nil {
		return nil, fmt.Errorf("read the results recorded: %w", err)
	}
	c.done = c.taken.clone()
	return c, nil
}

// readResults reads every message of a results stream up to its last
// sequence now, which it stores in last.
func readResults(ctx context.Context, js jetstream.JetStream, results jetstream.Stream, each func(id, sq int64), bad func(int), last *uint64) error {
	var info *jetstream.StreamInfo
	if err := retry(ctx, 5*time.Second, func(c context.Context) (err error) {
		info, err = results.Info(c)
		return err
	}); err != nil {
		return err
	}
	*last = info.State.LastSeq
	if info.State.Msgs == 0 {
		return nil
	}
	name := info.Config.Name
	var cons jetstream.Consumer
	if err := retry(ctx, 5*time.Second, func(c context.Context) (err error) {
		cons, err = js.OrderedConsumer(c, name, jetstream.OrderedConsumerConfig{})
		return err
	}); err != nil {
		return err
	}
	for seq := uint64(0); seq < info.State.LastSeq; {
		b, err := cons.Fetch(256, jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		n := 0
		for msg := range b.Messages() {
			n++
			md, err := msg.Metadata()
			if err == nil {
				seq = md.Sequence.Stream
			}
			bad(ParseResults(msg.Data(), each))
		}
		if err := b.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if n == 0 {
			return fmt.Errorf("read results: the stream stopped at %d of %d", seq, info.State.LastSeq)
		}
	}
	return nil
}

// subscribe listens for the workers' results.
func (c *collector) subscribe(nc *nats.Conn) (*nats.Subscription, chan *nats.Msg, error) {
	ch := make(chan *nats.Msg, 4096)
	sub, err := nc.ChanSubscribe(c.cfg.Job.collectSubject(), ch)
	if err != nil {
		return nil, nil, fmt.Errorf("listen for results: %w", err)
	}
	sub.SetPendingLimits(-1, 256<<20)
	return sub, ch, nil
}

// take reads a worker's results: new ones go into the batch to write,
// those taken before are duplicates; the worker is answered once all
// are in the record.
func (c *collector) take(msg *nats.Msg, ck *checkpointer) {
	if len(msg.Data) > maxRequest {
		c.wrong++
		respond(msg, []byte("error: more results than one message may carry"), c.cfg.Warn)
		return
	}
	p := c.pending
	var dups []int64
	c.wrong += int64(ParseResults(msg.Data, func(id, sq int64) {
		switch {
		case id > c.cfg.Tasks || sq != id*id:
			c.wrong++
		case c.taken.get(id):
			c.dups++
			dups = append(dups, id)
		default:
			c.taken.set(id)
			p.data = appendResult(p.data, id, sq)
			p.ids = append(p.ids, id)
		}
	}))
	if msg.Reply != "" {
		p.answers = append(p.answers, answer{msg, dups})
	}
	c.flush(ck)
}

// flush hands the pending batch to the checkpointer if it is free. A
// batch of duplicates only is answered at once when nothing is being
// written: what it duplicates is in the record.
func (c *collector) flush(ck *checkpointer) {
	p := c.pending
	if c.busy || len(p.answers) == 0 && len(p.ids) == 0 {
		return
	}
	if len(p.ids) == 0 {
		c.answer(p)
		c.pending = &batch{}
		return
	}
	c.busy = true
	ck.in <- p // never blocks: one batch at a time
	c.pending = &batch{data: make([]byte, 0, len(p.data)), ids: make([]int64, 0, len(p.ids))}
}

// landed counts a batch now in the record and answers its workers.
func (c *collector) landed(b *batch, ck *checkpointer) {
	c.busy = false
	now := time.Now()
	for _, id := range b.ids {
		c.collected++
		c.sum.add(id * id)
		if t, ok := c.released(id); ok {
			c.latencies = append(c.latencies, now.Sub(t))
		}
		if c.cfg.Collected != nil {
			c.cfg.Collected(id, id*id, false)
		}
	}
	c.answer(b)
	c.flush(ck)
}

func (c *collector) answer(b *batch) {
	for _, a := range b.answers {
		out := []byte("ok")
		for _, id := range a.dups {
			if c.cfg.Collected != nil {
				c.cfg.Collected(id, id*id, true)
			}
			out = append(out, '\n')
			out = strconv.AppendInt(out, id, 10)
		}
		respond(a.msg, out, c.cfg.Warn)
	}
}

func respond(msg *nats.Msg, data []byte, warn func(string)) {
	if err := msg.Respond(data); err != nil {
		// The worker asks again when no answer comes.
		warn(fmt.Sprintf("answer a worker: %v", err))
	}
}

func (c *collector) inFlight() bool { return c.busy || len(c.pending.ids) > 0 }

// missing lists the tasks with no result taken.
func (c *collector) missing() []int64 {
	var ids []int64
	for id := int64(1); id <= c.cfg.Tasks; id++ {
		if !c.taken.get(id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// checkpointer writes batches into the record, one at a time, each
// message expecting the record's last sequence to be the one this master
// wrote before it: a record another master wrote to ends this one, so a
// result is never recorded twice.
type checkpointer struct {
	js      jetstream.JetStream
	cfg     MasterConfig
	subject string
	last    uint64
	total   int64
	prefix  string
	n       int
	fatal   chan<- error
	in      chan *batch
	landed  chan *batch
}

func newCheckpointer(js jetstream.JetStream, results jetstream.Stream, c *collector, fatal chan<- error) *checkpointer {
	return &checkpointer{js: js, cfg: c.cfg, subject: c.cfg.Job.resultsSubject(), last: c.last, total: c.collected,
		prefix: newHolder().ID, fatal: fatal, in: make(chan *batch, 1), landed: make(chan *batch, 1)}
}

func (k *checkpointer) run(ctx context.Context) {
	for {
		var b *batch
		select {
		case <-ctx.Done():
			return
		case b = <-k.in:
		}
		data, n := b.data, int64(0)
		for len(data) > 0 {
			chunk := data
			if len(chunk) > maxRecordMsg {
				cut := maxRecordMsg
				for chunk[cut-1] != '\n' {
					cut--
				}
				chunk = data[:cut-1]
				data = data[cut:]
			} else {
				data = nil
			}
			lines := int64(1)
			for _, ch := range chunk {
				if ch == '\n' {
					lines++
				}
			}
			n += lines
			if !k.write(ctx, chunk, k.total+n) {
				return
			}
		}
		k.total += n
		select {
		case k.landed <- b:
		case <-ctx.Done():
			return
		}
	}
}

// write writes one message of the record until the server confirms it;
// false when the master must stop.
func (k *checkpointer) write(ctx context.Context, data []byte, total int64) bool {
	k.n++
	id := k.prefix + "-" + strconv.Itoa(k.n)
	msg := &nats.Msg{Subject: k.subject, Data: data, Header: nats.Header{collectedHeader: []string{strconv.FormatInt(total, 10)}}}
	start := time.Now()
	warned := false
	for pause := 50 * time.Millisecond; ; pause = min(2*pause, time.Second) {
		c, cancel := context.WithTimeout(ctx, pubTimeout)
		pa, err := k.js.PublishMsg(c, msg, jetstream.WithExpectLastSequence(k.last), jetstream.WithMsgID(id))
		cancel()
		switch {
		case err == nil:
			k.last = pa.Sequence
			return true
		case ctx.Err() != nil:
			return false
		case isWrongSeq(err):
			if k.oursLanded(ctx, id) {
				k.last++
				return true
			}
			k.stop(fmt.Errorf("job %s: another master wrote results to it; this one stops", k.cfg.Job))
			return false
		}
		if ferr := jobFatal(ctx, k.js, k.cfg.Job, k.cfg.Job.resultsStream(), err); ferr != nil {
			k.stop(ferr)
			return false
		}
		if !warned && time.Since(start) > 2*time.Second {
			warned = true
			k.cfg.Warn(fmt.Sprintf("the server has not recorded results for %v (%v); trying again", time.Since(start).Round(time.Second), err))
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(pause):
		}
	}
}

// oursLanded says whether the message after the last one this master
// knows of is its own (written, its confirmation lost). It asks until the
// server answers or ctx ends.
func (k *checkpointer) oursLanded(ctx context.Context, id string) bool {
	for {
		c, cancel := context.WithTimeout(ctx, 2*time.Second)
		s, err := k.js.Stream(c, k.cfg.Job.resultsStream())
		var m *jetstream.RawStreamMsg
		if err == nil {
			m, err = s.GetMsg(c, k.last+1)
		}
		cancel()
		if err == nil {
			return m.Header.Get(nats.MsgIdHdr) == id
		}
		if errors.Is(err, jetstream.ErrMsgNotFound) || ctx.Err() != nil {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func (k *checkpointer) stop(err error) {
	select {
	case k.fatal <- err:
	default:
	}
}
