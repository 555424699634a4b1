package natsjob

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// DefaultReplicas is how many copies of a job's streams a master keeps
// unless told: 3 on a cluster (losing one node then loses nothing), 1 on a
// server of its own. A cluster of fewer than 3 nodes refuses 3, and the
// master says to give --replicas.
func DefaultReplicas(nc *nats.Conn) int {
	if nc.ConnectedClusterName() == "" {
		return 1
	}
	return 3
}

// errInsufficientResources is the server's "insufficient resources": it
// cannot place a stream's replicas, or its storage is full.
const errInsufficientResources jetstream.ErrorCode = 10023

// errPlacement is a server that cannot place a job's replicas.
var errPlacement = errors.New("no room for the replicas")

// jobSpec is what a master asks of a job's streams.
type jobSpec struct {
	job      Job
	storage  jetstream.StorageType
	replicas int
	explicit bool // replicas were asked for: an existing stream with more is refused
	ackWait  time.Duration
}

// opened is a job's handles once open.
type opened struct {
	kv       jetstream.KeyValue
	tasks    jetstream.Stream
	results  jetstream.Stream
	replicas int
}

// openJob makes (or opens) a job's bucket, streams and consumer, each
// with the spec's replicas. An existing stream's replicas are never
// lowered: asked for fewer, it refuses, saying what is there; by default
// it keeps what is there.
func openJob(ctx context.Context, js jetstream.JetStream, sp jobSpec) (*opened, error) {
	o := &opened{replicas: sp.replicas}
	kv, err := js.KeyValue(ctx, sp.job.bucket())
	switch {
	case errors.Is(err, jetstream.ErrBucketNotFound):
		kv, err = js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: sp.job.bucket(), Storage: sp.storage, Replicas: sp.replicas})
		if errors.Is(err, jetstream.ErrBucketExists) {
			kv, err = js.KeyValue(ctx, sp.job.bucket())
		}
	case err == nil:
		err = sp.raiseBucket(ctx, js, kv, o)
	}
	if err != nil {
		return nil, sp.placeErr(err)
	}
	o.kv = kv
	if o.tasks, err = sp.stream(ctx, js, jetstream.StreamConfig{
		Name: sp.job.tasksStream(), Subjects: []string{sp.job.tasksSubject()},
		// A queue that one consumer, the workers', hands out. A task the
		// workers acknowledged is purged by the master every second, in one
		// operation (a work queue would remove each on its own, writing to
		// the store once per task). A task is published with its id as
		// message id, so that a master publishing it again does not queue
		// it twice.
		Retention: jetstream.LimitsPolicy, Duplicates: 2 * time.Minute,
	}, o); err != nil {
		return nil, err
	}
	if o.results, err = sp.stream(ctx, js, jetstream.StreamConfig{
		Name: sp.job.resultsStream(), Subjects: []string{sp.job.resultsSubject()},
		// The master's record: each message a batch of results it
		// collected, each task id once in the whole stream.
		Retention: jetstream.LimitsPolicy, Duplicates: 2 * time.Minute,
	}, o); err != nil {
		return nil, err
	}
	if err := sp.consumer(ctx, o); err != nil {
		return nil, err
	}
	return o, nil
}

// placeErr explains a server that cannot hold the replicas asked for.
func (sp jobSpec) placeErr(err error) error {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && (apiErr.ErrorCode == errInsufficientResources || apiErr.ErrorCode == 10074 || apiErr.ErrorCode == 10005) {
		return fmt.Errorf("%w: open job %s with %d replicas: %v; a cluster of at least %d JetStream servers is needed (give --replicas)", errPlacement, sp.job, sp.replicas, err, sp.replicas)
	}
	return fmt.Errorf("open job %s: %w", sp.job, err)
}

// keepReplicas decides the replicas of something that exists with have.
func (sp jobSpec) keepReplicas(what string, have int, o *opened) error {
	have = max(have, 1)
	if have > sp.replicas {
		if sp.explicit {
			return fmt.Errorf("job %s: %s has %d replicas; --replicas %d would lower it: give --replicas %d", sp.job, what, have, sp.replicas, have)
		}
		o.replicas = max(o.replicas, have)
	}
	return nil
}

func (sp jobSpec) raiseBucket(ctx context.Context, js jetstream.JetStream, kv jetstream.KeyValue, o *opened) error {
	st, err := kv.Status(ctx)
	if err != nil {
		return err
	}
	bs, ok := st.(*jetstream.KeyValueBucketStatus)
	if !ok {
		return nil
	}
	cfg := bs.StreamInfo().Config
	if err := sp.keepReplicas("bucket "+sp.job.bucket(), cfg.Replicas, o); err != nil {
		return err
	}
	if cfg.Replicas >= o.replicas {
		return nil
	}
	_, err = js.UpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: sp.job.bucket(), Storage: cfg.Storage, Replicas: o.replicas})
	return err
}

// stream creates a stream, or opens it and raises its replicas to the
// job's; its storage must be the one asked for.
func (sp jobSpec) stream(ctx context.Context, js jetstream.JetStream, cfg jetstream.StreamConfig, o *opened) (jetstream.Stream, error) {
	cfg.Storage, cfg.Replicas = sp.storage, o.replicas
	s, err := js.Stream(ctx, cfg.Name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		s, err = js.CreateStream(ctx, cfg)
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			s, err = js.Stream(ctx, cfg.Name)
		}
	}
	if err != nil {
		return nil, sp.placeErr(err)
	}
	have := s.CachedInfo().Config
	if have.Storage != sp.storage {
		return nil, fmt.Errorf("job %s: stream %s keeps its messages in %s storage, not %s: name another job", sp.job, cfg.Name, have.Storage, sp.storage)
	}
	if err := sp.keepReplicas("stream "+cfg.Name, have.Replicas, o); err != nil {
		return nil, err
	}
	if have.Replicas < o.replicas {
		have.Replicas = o.replicas
		if s, err = js.UpdateStream(ctx, have); err != nil {
			return nil, sp.placeErr(err)
		}
	}
	return s, nil
}

// consumer makes or updates the workers' consumer, with the job's
// replicas and AckWait.
func (sp jobSpec) consumer(ctx context.Context, o *opened) error {
	if c, err := o.tasks.Consumer(ctx, consumerName); err == nil {
		if err := sp.keepReplicas("consumer "+consumerName, c.CachedInfo().Config.Replicas, o); err != nil {
			return err
		}
	} else if !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return fmt.Errorf("open job %s: %w", sp.job, err)
	}
	ack := sp.ackWait
	if ack <= 0 {
		ack = 2 * time.Second
	}
	if _, err := o.tasks.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable: consumerName, AckPolicy: jetstream.AckExplicitPolicy, AckWait: ack,
		MaxAckPending: 65536, MaxDeliver: -1, Replicas: o.replicas,
	}); err != nil {
		return sp.placeErr(err)
	}
	return nil
}

// checkSize makes sure a begun job is the same job: as many tasks, as
// many per message.
func checkSize(ctx context.Context, kv jetstream.KeyValue, job Job, tasks int64, per int) error {
	for _, kv2 := range []struct {
		key  string
		want int64
		what string
	}{{"tasks", tasks, "tasks"}, {"per", int64(per), "tasks per message"}} {
		want := strconv.FormatInt(kv2.want, 10)
		if _, err := kv.Create(ctx, kv2.key, []byte(want)); errors.Is(err, jetstream.ErrKeyExists) {
			e, err := kv.Get(ctx, kv2.key)
			if err != nil {
				return fmt.Errorf("open job %s: %w", job, err)
			}
			if string(e.Value()) != want {
				return fmt.Errorf("job %s on this server has %s %s, not %s: name another job", job, clean(e.Value()), kv2.what, want)
			}
		} else if err != nil {
			return fmt.Errorf("open job %s: %w", job, err)
		}
	}
	return nil
}

// clean bounds and strips a value read from the server before it goes in
// a message.
func clean(b []byte) string {
	if len(b) > 64 {
		b = b[:64]
	}
	out := make([]rune, 0, len(b))
	for _, r := range string(b) {
		if r < ' ' || r > '~' {
			r = '?'
		}
		out = append(out, r)
	}
	return string(out)
}

// retry calls f, each call bounded by each, until it succeeds, ctx ends,
// or it fails in a way asking again cannot cure.
func retry(ctx context.Context, each time.Duration, f func(ctx context.Context) error) error {
	pause := 100 * time.Millisecond
	for {
		c, cancel := context.WithTimeout(ctx, each)
		err := f(c)
		cancel()
		if err == nil || ctx.Err() != nil || !transient(err) {
			if ctx.Err() != nil && err != nil {
				return ctx.Err()
			}
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 2*time.Second)
	}
}

// transient is an error that asking again may cure: no answer in time,
// nobody to answer yet (a stream's leader being elected), a connection
// being made again.
func transient(err error) bool {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		// 10008: JetStream temporarily unavailable (an election).
		return apiErr.ErrorCode == 10008
	}
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) || errors.Is(err, nats.ErrNoResponders) ||
		errors.Is(err, jetstream.ErrNoHeartbeat) || errors.Is(err, nats.ErrConnectionReconnecting) || errors.Is(err, nats.ErrDisconnected) ||
		errors.Is(err, jetstream.ErrJetStreamNotEnabled) || errors.Is(err, nats.ErrJetStreamNotEnabled)
}
