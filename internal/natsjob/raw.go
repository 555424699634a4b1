package natsjob

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// RawPublish measures the floor the workers' pipeline is compared with:
// one client publishing n small messages to a stream of its own and
// waiting for the server's acknowledgement of each, pipelined. The stream
// is deleted afterwards.
func RawPublish(ctx context.Context, nc *nats.Conn, n int, memory bool) (time.Duration, error) {
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(4096))
	if err != nil {
		return 0, err
	}
	defer js.CleanupPublisher()
	storage := jetstream.FileStorage
	if memory {
		storage = jetstream.MemoryStorage
	}
	const name, subj = "mtviz-raw", "mtviz.raw"
	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{subj}, Storage: storage}); err != nil {
		return 0, err
	}
	defer js.DeleteStream(context.Background(), name)
	start := time.Now()
	futs := make([]jetstream.PubAckFuture, 0, n)
	for i := 1; i <= n; i++ {
		f, err := js.PublishAsync(subj, formatResult(int64(i), int64(i)*int64(i)), jetstream.WithStallWait(stallWait))
		for errors.Is(err, jetstream.ErrTooManyStalledMsgs) && ctx.Err() == nil {
			f, err = js.PublishAsync(subj, formatResult(int64(i), int64(i)*int64(i)), jetstream.WithStallWait(stallWait))
		}
		if err != nil {
			return 0, err
		}
		futs = append(futs, f)
	}
	for _, f := range futs {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return 0, fmt.Errorf("raw publish: %w", err)
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	return time.Since(start), nil
}
