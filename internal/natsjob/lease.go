package natsjob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sys/unix"
)

// A job has one master at a time: it holds the job's lease, a key in the
// job's bucket that it renews every leaseEvery. A second master refuses
// at once, naming the holder; a master whose holder stopped renewing (it
// was killed) takes the job over. Whatever the lease says, the results
// stream takes a master's writes only in sequence (each expects the last
// one it wrote), so two masters can never both record a result.
const (
	leaseKey   = "master"
	leaseEvery = time.Second
	// leaseStale is how long a lease not renewed is taken to be dead.
	leaseStale = 3 * time.Second
)

// Holder is a master as its lease names it.
type Holder struct {
	Host  string    `json:"host"`
	PID   int       `json:"pid"`
	ID    string    `json:"id"`
	Since time.Time `json:"since"`
}

func (h Holder) String() string {
	return fmt.Sprintf("the master with pid %d on %s (since %s)", h.PID, clean([]byte(h.Host)), h.Since.Format(time.TimeOnly))
}

func newHolder() Holder {
	b := make([]byte, 8)
	rand.Read(b)
	host, _ := os.Hostname()
	return Holder{Host: host, PID: os.Getpid(), ID: hex.EncodeToString(b), Since: time.Now().Round(time.Second)}
}

// ErrHeld is a job another master holds.
var ErrHeld = errors.New("another master holds the job")

// lease is a master's hold on its job.
type lease struct {
	kv  jetstream.KeyValue
	me  Holder
	val []byte
	rev uint64
}

// takeLease takes the job's lease: at once if nobody holds it or its
// holder is a dead process on this machine; after leaseStale if its
// holder does not renew it; never if it does.
func takeLease(ctx context.Context, kv jetstream.KeyValue, me Holder) (*lease, error) {
	val, _ := json.Marshal(me)
	l := &lease{kv: kv, me: me, val: val}
	for {
		var rev uint64
		err := retry(ctx, 5*time.Second, func(c context.Context) (err error) {
			rev, err = kv.Create(c, leaseKey, val)
			return err
		})
		if err == nil {
			l.rev = rev
			return l, nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return nil, fmt.Errorf("take the job's lease: %w", err)
		}
		var e jetstream.KeyValueEntry
		err = retry(ctx, 5*time.Second, func(c context.Context) (err error) {
			e, err = kv.Get(c, leaseKey)
			return err
		})
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue // released meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("read the job's lease: %w", err)
		}
		if err := l.takeOver(ctx, e); err != nil {
			return nil, err
		}
		if l.rev != 0 {
			return l, nil
		}
	}
}

// takeOver takes a lease someone holds if its holder is gone; l.rev stays
// 0 if the lease changed meanwhile and must be looked at again.
func (l *lease) takeOver(ctx context.Context, e jetstream.KeyValueEntry) error {
	var h Holder
	if len(e.Value()) > 1024 || json.Unmarshal(e.Value(), &h) != nil {
		h = Holder{Host: "?"}
	}
	host, _ := os.Hostname()
	local := h.Host == host && h.PID > 0
	switch {
	case local && h.PID != l.me.PID && !alive(h.PID):
		// Its holder is a process of this machine that has ended.
	case local && h.PID != l.me.PID:
		return fmt.Errorf("%w: %s holds it", ErrHeld, h)
	default:
		// Wait to see whether its holder renews it.
		deadline := time.Now().Add(leaseStale)
		for time.Now().Before(deadline) {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(leaseEvery / 4):
			}
			c, cancel := context.WithTimeout(ctx, 2*time.Second)
			now, err := l.kv.Get(c, leaseKey)
			cancel()
			if errors.Is(err, jetstream.ErrKeyNotFound) {
				return nil
			}
			if err == nil && now.Revision() != e.Revision() {
				return fmt.Errorf("%w: %s holds it", ErrHeld, h)
			}
		}
	}
	var rev uint64
	err := retry(ctx, 5*time.Second, func(c context.Context) (err error) {
		rev, err = l.kv.Update(c, leaseKey, l.val, e.Revision())
		return err
	})
	if isWrongSeq(err) {
		return nil // someone else moved first: look again
	}
	if err != nil {
		return fmt.Errorf("take the job's lease over: %w", err)
	}
	l.rev = rev
	return nil
}

// renew renews the lease once. A lease another master took is lost for
// good: ErrHeld.
func (l *lease) renew(ctx context.Context) error {
	c, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	rev, err := l.kv.Update(c, leaseKey, l.val, l.rev)
	if isWrongSeq(err) || errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("%w: another master took the job over", ErrHeld)
	}
	if err == nil {
		l.rev = rev
	}
	return err
}

// release gives the lease up, if it is still this master's.
func (l *lease) release() {
	c, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.kv.Delete(c, leaseKey, jetstream.LastRevision(l.rev))
}

// isWrongSeq is a write refused because the stream (or key) is not where
// the writer thought.
func isWrongSeq(err error) bool {
	var apiErr *jetstream.APIError
	return errors.Is(err, jetstream.ErrKeyExists) || errors.As(err, &apiErr) &&
		(apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence || apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant)
}

// alive says whether a process of this machine runs: one that has ended
// and waits to be reaped (a zombie) does not.
func alive(pid int) bool {
	if unix.Kill(pid, 0) == unix.ESRCH {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return !errors.Is(err, os.ErrNotExist)
	}
	// The state follows the name, which is in parentheses and may hold any.
	i := strings.LastIndexByte(string(b), ')')
	return i < 0 || i+2 >= len(b) || b[i+2] != 'Z' && b[i+2] != 'X'
}
