package dist

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// donePoll is how often a worker looks whether its job is done.
const donePoll = 250 * time.Millisecond

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
	// Done is told each task whose result the server stored and whose
	// acknowledgement was sent; duplicate: the server already had a result
	// for its id, and refused this one.
	Done func(id, sq int64, duplicate bool)
	// Idle is told when the worker runs out of tasks (true) and when it
	// has one again (false).
	Idle func(bool)
}

// WorkerReport is what one worker did.
type WorkerReport struct {
	Done       int64
	Duplicates int64
}

type held struct {
	msg         jetstream.Msg
	first, last int64
	fut         jetstream.PubAckFuture
}

// RunWorker works on a job until the master says it is done, the job is
// deleted, or ctx ends. Each task's result is published first; the task
// is acknowledged only once the server has stored the result, so a worker
// killed at any moment loses nothing: what it had not acknowledged, the
// server hands to another worker after the job's AckWait.
func RunWorker(ctx context.Context, nc *nats.Conn, cfg WorkerConfig) (WorkerReport, error) {
	var rep WorkerReport
	batch := cfg.Batch
	if batch <= 0 {
		batch = 256
	}
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(2*max(batch, 64)))
	if err != nil {
		return rep, err
	}
	defer js.CleanupPublisher()
	var cons jetstream.Consumer
	for said := false; ; said = true {
		cons, err = js.Consumer(ctx, cfg.Job.tasksStream(), consumerName)
		if err == nil {
			break
		}
		if !errors.Is(err, jetstream.ErrStreamNotFound) && !errors.Is(err, jetstream.ErrConsumerNotFound) && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, nats.ErrTimeout) {
			return rep, err
		}
		if !said && cfg.Waiting != nil {
			cfg.Waiting()
		}
		select {
		case <-ctx.Done():
			return rep, nil
		case <-time.After(donePoll):
		}
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(batch))
	if err != nil {
		return rep, err
	}
	defer it.Stop()
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		watchDone(watchCtx, js, cfg.Job)
		it.Stop()
	}()
	defer wg.Wait()

	acks := make(chan held, batch)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for h := range acks {
			var dup bool
			select {
			case pa := <-h.fut.Ok():
				dup = pa.Duplicate
			case <-h.fut.Err():
				// The result was not stored: the task goes back to the queue.
				h.msg.Nak()
				continue
			}
			h.msg.Ack()
			for id := h.first; id <= h.last; id++ {
				rep.Done++
				if dup {
					rep.Duplicates++
				}
				if cfg.Done != nil {
					cfg.Done(id, id*id, dup)
				}
			}
		}
	}()
	// Idle until the first task comes: the caller shows the wait before it.
	idle := true
	for {
		msg, err := nextOrIdle(it, &idle, cfg.Idle)
		if err != nil {
			break
		}
		first, last, perr := ParseTasks(msg.Data())
		if perr != nil {
			// Not a task of ours: never hand it out again.
			msg.Term()
			continue
		}
		var delivery uint64 = 1
		if md, err := msg.Metadata(); err == nil {
			delivery = md.NumDelivered
		}
		out := make([]byte, 0, 24*(last-first+1))
		stopped := false
		for id := first; id <= last && !stopped; id++ {
			if cfg.Took != nil {
				cfg.Took(id, delivery)
			}
			if cfg.Pace > 0 {
				select {
				case <-time.After(cfg.Pace):
				case <-ctx.Done():
					stopped = true
				}
			}
			out = appendResult(out, id, id*id)
		}
		if stopped {
			break
		}
		// The message id is the first task's: a second result for it is
		// refused by the server.
		fut, err := js.PublishAsync(cfg.Job.resultsSubject(), out, jetstream.WithMsgID(strconv.FormatInt(first, 10)), jetstream.WithStallWait(stallWait))
		if err != nil {
			msg.Nak()
			continue
		}
		acks <- held{msg, first, last, fut}
	}
	close(acks)
	stopWatch()
	wg.Wait()
	// Acknowledgements are published without waiting for an answer; make
	// sure they have left before the caller closes the connection.
	nc.FlushTimeout(5 * time.Second)
	return rep, nil
}

// nextOrIdle waits for the next task, telling idle when there is none for
// a moment (and when there is one again).
func nextOrIdle(it jetstream.MessagesContext, idle *bool, say func(bool)) (jetstream.Msg, error) {
	type got struct {
		m   jetstream.Msg
		err error
	}
	if say == nil {
		return it.Next()
	}
	ch := make(chan got, 1)
	go func() {
		m, err := it.Next()
		ch <- got{m, err}
	}()
	select {
	case g := <-ch:
		if *idle {
			*idle = false
			say(false)
		}
		return g.m, g.err
	case <-time.After(20 * time.Millisecond):
	}
	if !*idle {
		*idle = true
		say(true)
	}
	g := <-ch
	*idle = false
	say(false)
	return g.m, g.err
}

// watchDone returns when the job's bucket says done, or has gone, or ctx
// ends.
func watchDone(ctx context.Context, js jetstream.JetStream, job Job) {
	var kv jetstream.KeyValue
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(donePoll):
		}
		var err error
		if kv == nil {
			kv, err = js.KeyValue(ctx, job.bucket())
			if errors.Is(err, jetstream.ErrBucketNotFound) {
				return
			}
			if err != nil {
				continue
			}
		}
		_, err = kv.Get(ctx, "done")
		if err == nil || errors.Is(err, jetstream.ErrBucketNotFound) {
			return
		}
	}
}
