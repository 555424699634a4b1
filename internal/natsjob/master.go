package natsjob

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
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
	// (default 16384): enough to keep workers busy, few enough that a
	// task's latency is its work, not its wait in a long queue.
	Window int
	// PerMessage is how many tasks one message carries (default 1): the
	// server's work is per message, not per task.
	PerMessage int
	// Memory keeps the job's streams in memory instead of files.
	Memory bool
	// Replicas is how many copies of each stream the servers keep (0:
	// DefaultReplicas). Fewer than an existing stream has is refused.
	Replicas int
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
	// Collected is told each result once it is durable: dup when its id
	// was collected before.
	Collected func(id, sq int64, dup bool)
	// Warn is told what the master rides out: a server that does not
	// answer, publications not confirmed. It goes on.
	Warn func(msg string)
	// lose, in tests, drops the task message that begins with first
	// instead of sending it without an acknowledgement.
	lose func(first int64) bool
}

// MasterReport is what one master saw of its job.
type MasterReport struct {
	Tasks      int64
	Replicas   int
	Resumed    int64 // tasks already published when this master began
	Replayed   int64 // results already recorded when it began
	Published  int64 // task publications this master made
	Regrouped  int64 // task messages published again on their own: their group did not add up
	Collected  int64 // distinct task ids with a right result, recorded
	Duplicates int64 // results for an id collected before
	Wrong      int64 // results that were not n*n, or for no task of the job
	Elapsed    time.Duration
	// Sum is the sum of the results collected, each id's once.
	Sum sum128
	// Latencies are, for each task this master published, the time from
	// its publication to its result being recorded, in that order.
	Latencies []time.Duration
	// Record is the job as the server holds it at the end, read back
	// (nil when the master stopped before the end).
	Record *Record
}

// defaults fills in a config's defaults and checks it.
func (cfg *MasterConfig) defaults() error {
	if !cfg.Job.Valid() {
		return fmt.Errorf("job name %q: letters, digits, - and _ only", cfg.Job)
	}
	if cfg.Tasks < 1 || cfg.Tasks > MaxTasks {
		return fmt.Errorf("tasks: from 1 to %d", MaxTasks)
	}
	if cfg.PerMessage <= 0 {
		cfg.PerMessage = 1
	}
	if cfg.PerMessage > MaxPerMessage {
		return fmt.Errorf("tasks per message: at most %d", MaxPerMessage)
	}
	if cfg.Window <= 0 {
		cfg.Window = 16384
	}
	// A message's tasks take their places in the window together.
	cfg.Window = max(cfg.Window, 2*cfg.PerMessage)
	if cfg.Replicas < 0 || cfg.Replicas > 5 {
		return fmt.Errorf("replicas: from 1 to 5")
	}
	if cfg.Warn == nil {
		cfg.Warn = func(string) {}
	}
	return nil
}

// pubTimeout bounds the wait for the server's confirmation of a
// publication; one not confirmed by then is made again.
const pubTimeout = 5 * time.Second

// RunMaster runs a master until every task of the job has a result, or
// ctx ends. A master that finds the job begun (its predecessor was killed)
// goes on: it reads the results recorded, publishes every task that has
// none (a task still queued is not queued twice), and collects the rest.
// A task is done once its result is in the job's record on the server.
func RunMaster(ctx context.Context, nc *nats.Conn, cfg MasterConfig) (rep MasterReport, err error) {
	rep.Tasks = cfg.Tasks
	if err := cfg.defaults(); err != nil {
		return rep, err
	}
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(max(256, 2*cfg.Window/cfg.PerMessage)),
		jetstream.WithPublishAsyncTimeout(pubTimeout))
	if err != nil {
		return rep, err
	}
	defer js.CleanupPublisher()
	sp := jobSpec{job: cfg.Job, storage: jetstream.FileStorage, replicas: cfg.Replicas, explicit: cfg.Replicas > 0, ackWait: cfg.AckWait}
	if cfg.Memory {
		sp.storage = jetstream.MemoryStorage
	}
	if !sp.explicit {
		sp.replicas = DefaultReplicas(nc)
	}
	job, err := openRetry(ctx, js, sp, nc.ConnectedClusterName() != "")
	if err != nil {
		return rep, err
	}
	rep.Replicas = job.replicas
	if err := retry(ctx, 5*time.Second, func(c context.Context) error { return checkSize(c, job.kv, cfg.Job, cfg.Tasks, cfg.PerMessage) }); err != nil {
		return rep, err
	}
	ls, err := takeLease(ctx, job.kv, newHolder())
	if err != nil {
		return rep, err
	}
	defer ls.release()
	m, err := newMaster(ctx, nc, js, job, cfg, ls)
	if err != nil {
		return rep, err
	}
	rep.Resumed, rep.Replayed = m.resumed, m.col.collected
	if cfg.Started != nil {
		cfg.Started(rep.Resumed, rep.Replayed)
	}
	err = m.run(ctx)
	m.report(&rep)
	if err != nil {
		return rep, err
	}
	return rep, m.finish(ctx, &rep)
}

// openRetry opens the job, asking again while the answer may change: no
// answer in time, and for 10 s a cluster that cannot place the replicas
// yet (its nodes are still joining, or one restarts).
func openRetry(ctx context.Context, js jetstream.JetStream, sp jobSpec, clustered bool) (*opened, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		var job *opened
		err := retry(ctx, 10*time.Second, func(c context.Context) (err error) {
			job, err = openJob(c, js, sp)
			return err
		})
		if err == nil || !clustered || !errors.Is(err, errPlacement) || time.Now().After(deadline) {
			return job, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// master is one master's state while it runs.
type master struct {
	nc      *nats.Conn
	js      jetstream.JetStream
	job     *opened
	cfg     MasterConfig
	lease   *lease
	resumed int64
	col     *collector
	pub     *publisher
	start   time.Time
	purged  uint64 // tasks purged from the task stream, up to
	taskSeq uint64 // the task stream's last sequence when it began
}

func newMaster(ctx context.Context, nc *nats.Conn, js jetstream.JetStream, job *opened, cfg MasterConfig, ls *lease) (*master, error) {
	m := &master{nc: nc, js: js, job: job, cfg: cfg, lease: ls}
	col, err := readCollected(ctx, js, job.results, cfg)
	if err != nil {
		return nil, err
	}
	m.col = col
	var ti *jetstream.StreamInfo
	if err := retry(ctx, 5*time.Second, func(c context.Context) (err error) {
		ti, err = job.tasks.Info(c)
		return err
	}); err != nil {
		return nil, fmt.Errorf("read the task stream: %w", err)
	}
	m.taskSeq = ti.State.LastSeq
	m.resumed = min(int64(ti.State.LastSeq)*int64(cfg.PerMessage), cfg.Tasks)
	return m, nil
}

// run publishes and collects until every task has a durable result.
func (m *master) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	// Every goroutine here waits on ctx: they are gone within moments.
	defer wg.Wait()
	defer cancel()
	m.start = time.Now()
	fatal := make(chan error, 4)
	sub, reqs, err := m.col.subscribe(m.nc)
	if err != nil {
		return err
	}
	defer sub.Unsubscribe()
	m.pub = newPublisher(m.js, m.cfg, m.col.done.clone(), m.taskSeq, fatal)
	m.col.released = m.pub.release
	ck := newCheckpointer(m.js, m.job.results, m.col, fatal)
	wg.Go(func() { m.pub.run(ctx) })
	wg.Go(func() { ck.run(ctx) })
	wg.Go(func() { m.keepLease(ctx, fatal) })
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	sweep := sweeper{last: time.Now()}
	for m.col.collected < m.cfg.Tasks {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-fatal:
			return err
		case msg := <-reqs:
			m.col.take(msg, ck)
		case d := <-ck.landed:
			m.col.landed(d, ck)
			sweep.progress()
		case <-tick.C:
			sweep.check(ctx, m)
			m.purgeAcked(ctx)
		}
	}
	return nil
}

// purgeAcked removes from the task stream the tasks below the workers'
// acknowledgement floor, in one operation.
func (m *master) purgeAcked(ctx context.Context) {
	c, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	cons, err := m.job.tasks.Consumer(c, consumerName)
	if err != nil {
		return
	}
	floor := cons.CachedInfo().AckFloor.Stream
	if floor <= m.purged {
		return
	}
	if err := m.job.tasks.Purge(c, jetstream.WithPurgeSequence(floor+1)); err == nil {
		m.purged = floor
	}
}

// keepLease renews the master's lease until ctx ends; a lease another
// master took ends this one.
func (m *master) keepLease(ctx context.Context, fatal chan<- error) {
	tk := time.NewTicker(leaseEvery)
	defer tk.Stop()
	failing := time.Time{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
		}
		err := m.lease.renew(ctx)
		switch {
		case errors.Is(err, ErrHeld):
			select {
			case fatal <- fmt.Errorf("job %s: %w", m.cfg.Job, err):
			default:
			}
			return
		case err != nil && failing.IsZero():
			failing = time.Now()
		case err != nil && time.Since(failing) > leaseStale:
			m.cfg.Warn(fmt.Sprintf("the server has not taken this master's lease for %v: %v", time.Since(failing).Round(time.Second), err))
		case err == nil:
			failing = time.Time{}
		}
	}
}

// sweeper publishes again the tasks that have no result and are in no
// queue: lost however they were (a node's disk, say). It acts when the
// queue is empty, nothing is being handed out, and no result came for a
// while.
type sweeper struct {
	last   time.Time
	rounds int
}

func (s *sweeper) progress() { s.last = time.Now() }

func (s *sweeper) check(ctx context.Context, m *master) {
	if time.Since(s.last) < 10*time.Second || !m.pub.finished() {
		return
	}
	c, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	cons, err := m.job.tasks.Consumer(c, consumerName)
	if err != nil {
		return
	}
	ci := cons.CachedInfo()
	if ci.NumPending > 0 || ci.NumAckPending > 0 || m.col.inFlight() {
		return
	}
	s.rounds++
	s.last = time.Now()
	missing := m.col.missing()
	m.cfg.Warn(fmt.Sprintf("%d tasks have no result and are in no queue: publishing them again", len(missing)))
	m.pub.again(missing)
}

func (m *master) report(rep *MasterReport) {
	rep.Collected, rep.Duplicates, rep.Wrong, rep.Sum = m.col.collected, m.col.dups, m.col.wrong, m.col.sum
	rep.Latencies = m.col.latencies
	if m.pub != nil {
		rep.Published = m.pub.published.Load()
		rep.Regrouped = m.pub.regrouped.Load()
	}
	if !m.start.IsZero() {
		rep.Elapsed = time.Since(m.start)
	}
}

// finish says the job is done, reads the record back, and removes the
// job unless told to keep it.
func (m *master) finish(ctx context.Context, rep *MasterReport) error {
	// Workers watch this key: the job is done, they may go.
	if err := retry(ctx, 5*time.Second, func(c context.Context) error {
		_, err := m.job.kv.Put(c, "done", []byte("1"))
		return err
	}); err != nil {
		return fmt.Errorf("say the job is done: %w", err)
	}
	// A node just back in its cluster may not answer yet: ask again.
	rctx, cancel := context.WithTimeout(ctx, time.Minute)
	var r Record
	err := retry(rctx, 30*time.Second, func(c context.Context) (err error) {
		r, err = ReadRecord(c, m.js, m.cfg.Job)
		return err
	})
	cancel()
	if err != nil {
		return fmt.Errorf("read the job's record back: %w", err)
	}
	m.purgeAcked(ctx)
	rep.Record = &r
	if !m.cfg.Keep {
		m.waitWorkersGone(ctx)
		DeleteJob(context.WithoutCancel(ctx), m.js, m.cfg.Job)
	}
	return nil
}

// waitWorkersGone gives the workers a moment to see the job done before
// it goes: until no worker is pulling, at most 3 s.
func (m *master) waitWorkersGone(ctx context.Context) {
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return
		case <-time.After(2 * donePoll):
		}
		c, cancel := context.WithTimeout(ctx, time.Second)
		ci, err := m.job.tasks.Consumer(c, consumerName)
		cancel()
		if err != nil || ci.CachedInfo().NumWaiting == 0 {
			return
		}
	}
}

// DeleteJob removes a job's streams and bucket from the server, each
// within a few seconds.
func DeleteJob(ctx context.Context, js jetstream.JetStream, job Job) {
	c, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	js.DeleteStream(c, job.tasksStream())
	js.DeleteStream(c, job.resultsStream())
	js.DeleteKeyValue(c, job.bucket())
}

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
