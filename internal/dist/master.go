package dist

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// MaxTasks bounds a job: the master keeps a few bytes per task.
const MaxTasks = 10_000_000

// MasterConfig is one master's share of a job.
type MasterConfig struct {
	Job   Job
	Tasks int64
	// Window is how many tasks may be published and not yet collected
	// (default 4096): enough to keep workers busy, few enough that a
	// task's latency is its work, not its wait in a long queue.
	Window int
	// PerMessage is how many tasks one message carries (default 1): the
	// server's work is per message, not per task.
	PerMessage int
	// Memory keeps the job's streams in memory instead of files.
	Memory bool
	// AckWait is how long a worker may hold a task without acknowledging
	// it before the server hands it to another (default 2 s).
	AckWait time.Duration
	// Keep leaves the job's streams on the server when it is done; by
	// default they are deleted, so that an external server keeps nothing.
	Keep bool
	// Started is told, once the job is open, how many tasks were already
	// published and how many results already collected (by a master
	// before this one).
	Started func(published, collected int64)
	// Collected is told each result: dup when its id was collected before.
	Collected func(id, sq int64, dup bool)
}

// MasterReport is what one master saw of its job.
type MasterReport struct {
	Tasks      int64
	Resumed    int64 // tasks already published when this master began
	Replayed   int64 // results already in the results stream when it began
	Published  int64 // tasks this master published
	Collected  int64 // distinct task ids with a right result
	Duplicates int64 // results for an id collected before
	Wrong      int64 // results that were not n*n, or for no task of the job
	Elapsed    time.Duration
	// Latencies are, for each task this master published, the time from
	// its publication to its result being collected, in collection order.
	Latencies []time.Duration
}

// jobStreams makes (or opens) a job's streams, consumer and bucket.
func openJob(ctx context.Context, js jetstream.JetStream, cfg MasterConfig) (jetstream.KeyValue, error) {
	storage := jetstream.FileStorage
	if cfg.Memory {
		storage = jetstream.MemoryStorage
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: cfg.Job.bucket(), Storage: storage})
	if err != nil {
		return nil, fmt.Errorf("open job %s: %w", cfg.Job, err)
	}
	for _, kv2 := range []struct {
		key  string
		want int64
		what string
	}{{"tasks", cfg.Tasks, "tasks"}, {"per", int64(cfg.PerMessage), "tasks per message"}} {
		want := strconv.FormatInt(kv2.want, 10)
		if _, err := kv.Create(ctx, kv2.key, []byte(want)); errors.Is(err, jetstream.ErrKeyExists) {
			e, err := kv.Get(ctx, kv2.key)
			if err != nil {
				return nil, fmt.Errorf("open job %s: %w", cfg.Job, err)
			}
			if string(e.Value()) != want {
				return nil, fmt.Errorf("job %s on this server has %s %s, not %s: name another job", cfg.Job, e.Value(), kv2.what, want)
			}
		} else if err != nil {
			return nil, fmt.Errorf("open job %s: %w", cfg.Job, err)
		}
	}
	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: cfg.Job.tasksStream(), Subjects: []string{cfg.Job.tasksSubject()},
		// A work queue: a task leaves the stream when a worker acknowledges it.
		Retention: jetstream.WorkQueuePolicy, Storage: storage, Duplicates: 2 * time.Minute,
	}); err != nil {
		return nil, fmt.Errorf("open job %s: %w", cfg.Job, err)
	}
	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: cfg.Job.resultsStream(), Subjects: []string{cfg.Job.resultsSubject()},
		// Results are kept: a master that starts again reads them all. A
		// result is published with its task's id as message id, so the
		// server keeps one per id (within this window).
		Retention: jetstream.LimitsPolicy, Storage: storage, Duplicates: 10 * time.Minute,
	}); err != nil {
		return nil, fmt.Errorf("open job %s: %w", cfg.Job, err)
	}
	ack := cfg.AckWait
	if ack <= 0 {
		ack = 2 * time.Second
	}
	if _, err := js.CreateOrUpdateConsumer(ctx, cfg.Job.tasksStream(), jetstream.ConsumerConfig{
		Durable: consumerName, AckPolicy: jetstream.AckExplicitPolicy, AckWait: ack,
		MaxAckPending: 65536, MaxDeliver: -1,
	}); err != nil {
		return nil, fmt.Errorf("open job %s: %w", cfg.Job, err)
	}
	return kv, nil
}

// RunMaster runs a master until every task of the job has a result, or
// ctx ends. A master that finds the job begun (its predecessor was killed)
// goes on where it stopped: tasks already published are not published
// again, and results already in the results stream are collected first.
func RunMaster(ctx context.Context, nc *nats.Conn, cfg MasterConfig) (rep MasterReport, err error) {
	rep.Tasks = cfg.Tasks
	if !cfg.Job.Valid() {
		return rep, fmt.Errorf("job name %q: letters, digits, - and _ only", cfg.Job)
	}
	if cfg.Tasks < 1 || cfg.Tasks > MaxTasks {
		return rep, fmt.Errorf("tasks: from 1 to %d", MaxTasks)
	}
	window := cfg.Window
	if window <= 0 {
		window = 4096
	}
	if cfg.PerMessage <= 0 {
		cfg.PerMessage = 1
	}
	if cfg.PerMessage > MaxPerMessage {
		return rep, fmt.Errorf("tasks per message: at most %d", MaxPerMessage)
	}
	// A message's tasks take their places in the window together.
	window = max(window, 2*cfg.PerMessage)
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(max(64, 2*window/max(1, cfg.PerMessage))))
	if err != nil {
		return rep, err
	}
	defer js.CleanupPublisher()
	// Opening is idempotent: an answer lost on a busy machine is asked
	// for again rather than waited for until ctx ends.
	var kv jetstream.KeyValue
	for {
		actx, cancel := context.WithTimeout(ctx, 10*time.Second)
		kv, err = openJob(actx, js, cfg)
		cancel()
		if err == nil || ctx.Err() != nil || !transient(err) {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if err != nil {
		return rep, err
	}
	tasks, err := js.Stream(ctx, cfg.Job.tasksStream())
	if err != nil {
		return rep, err
	}
	ti, err := tasks.Info(ctx)
	if err != nil {
		return rep, err
	}
	// Messages are published in order, PerMessage tasks each: the
	// stream's last sequence is how far a master before this one got.
	rep.Resumed = min(int64(ti.State.LastSeq)*int64(cfg.PerMessage), cfg.Tasks)
	results, err := js.Stream(ctx, cfg.Job.resultsStream())
	if err != nil {
		return rep, err
	}
	ri, err := results.Info(ctx)
	if err != nil {
		return rep, err
	}
	rep.Replayed = int64(ri.State.Msgs)
	if cfg.Started != nil {
		cfg.Started(rep.Resumed, rep.Replayed)
	}
	start := time.Now()
	sent := make([]atomic.Int64, cfg.Tasks+1) // when this master published each task (UnixNano)
	slots := make(chan struct{}, window)

	// Collect results from the beginning of the stream.
	cons, err := js.OrderedConsumer(ctx, cfg.Job.resultsStream(), jetstream.OrderedConsumerConfig{})
	if err != nil {
		return rep, err
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(1024))
	if err != nil {
		return rep, err
	}
	defer it.Stop()

	pubCtx, stopPub := context.WithCancel(ctx)
	var pubWG sync.WaitGroup
	var pubErr error
	var published atomic.Int64
	pubWG.Add(1)
	go func() {
		defer pubWG.Done()
		pubErr = publishTasks(pubCtx, js, cfg, rep.Resumed+1, sent, slots, &published)
	}()
	defer func() {
		stopPub()
		pubWG.Wait()
		rep.Published = published.Load()
	}()
	stopIt := context.AfterFunc(ctx, it.Stop)
	defer stopIt()

	seen := make([]bool, cfg.Tasks+1)
	for rep.Collected < cfg.Tasks {
		msg, err := it.Next()
		if err != nil {
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			return rep, fmt.Errorf("collect results: %w", err)
		}
		now := time.Now()
		bad := ParseResults(msg.Data(), func(id, sq int64) {
			dup := false
			switch {
			case id > cfg.Tasks || sq != id*id:
				rep.Wrong++
				return
			case seen[id]:
				dup = true
				rep.Duplicates++
			default:
				seen[id] = true
				rep.Collected++
				if t := sent[id].Load(); t != 0 {
					rep.Latencies = append(rep.Latencies, now.Sub(time.Unix(0, t)))
					select {
					case <-slots:
					default:
					}
				}
			}
			if cfg.Collected != nil {
				cfg.Collected(id, sq, dup)
			}
		})
		rep.Wrong += int64(bad)
	}
	rep.Elapsed = time.Since(start)
	stopPub()
	pubWG.Wait()
	if pubErr != nil && !errors.Is(pubErr, context.Canceled) {
		return rep, pubErr
	}
	// Workers watch this key: the job is done, they may go.
	if _, err := kv.Put(ctx, "done", []byte("1")); err != nil {
		return rep, fmt.Errorf("say the job is done: %w", err)
	}
	if !cfg.Keep {
		// Workers see the key within their next poll; then the job goes.
		time.Sleep(2 * donePoll)
		DeleteJob(ctx, js, cfg.Job)
	}
	return rep, nil
}

// transient is an error that asking again may cure.
func transient(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) || errors.Is(err, nats.ErrNoResponders)
}

// DeleteJob removes a job's streams and bucket from the server.
func DeleteJob(ctx context.Context, js jetstream.JetStream, job Job) {
	js.DeleteStream(ctx, job.tasksStream())
	js.DeleteStream(ctx, job.resultsStream())
	js.DeleteKeyValue(ctx, job.bucket())
}

// publishTasks publishes tasks from..Tasks, at most len(slots) ahead of
// their results; a publication the server did not confirm is made again
// (the task's id as message id keeps the server from storing it twice).
func publishTasks(ctx context.Context, js jetstream.JetStream, cfg MasterConfig, from int64, sent []atomic.Int64, slots chan struct{}, published *atomic.Int64) error {
	type pending struct {
		first, last int64
		fut         jetstream.PubAckFuture
	}
	futs := make(chan pending, cap(slots))
	var checkErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		for p := range futs {
			select {
			case <-p.fut.Ok():
				continue
			case <-p.fut.Err():
			}
			// Not confirmed: publish again, waiting for the answer.
			var err error
			for try := 0; try < 5; try++ {
				if _, err = js.Publish(ctx, cfg.Job.tasksSubject(), formatTasks(p.first, p.last), jetstream.WithMsgID(strconv.FormatInt(p.first, 10))); err == nil {
					break
				}
				if ctx.Err() != nil {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
			if err != nil && checkErr == nil {
				checkErr = fmt.Errorf("publish tasks %d to %d: %w", p.first, p.last, err)
			}
		}
	}()
	var err error
	per := int64(cfg.PerMessage)
	for first := from; first <= cfg.Tasks && err == nil; first += per {
		last := min(first+per-1, cfg.Tasks)
		now := time.Now().UnixNano()
		for id := first; id <= last && err == nil; id++ {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				err = ctx.Err()
			}
			sent[id].Store(now)
		}
		if err != nil {
			break
		}
		fut, perr := js.PublishAsync(cfg.Job.tasksSubject(), formatTasks(first, last), jetstream.WithMsgID(strconv.FormatInt(first, 10)),
			jetstream.WithStallWait(stallWait))
		if perr != nil {
			err = fmt.Errorf("publish tasks %d to %d: %w", first, last, perr)
			break
		}
		published.Add(last - first + 1)
		futs <- pending{first, last, fut}
	}
	close(futs)
	<-done
	if err == nil {
		err = checkErr
	}
	return err
}

// stallWait is how long a publication may wait for room among those not
// yet confirmed: long enough for a busy machine.
const stallWait = 10 * time.Second

// Percentile is the p-th percentile (0..100) of ds, nearest rank.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(p/100*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}
