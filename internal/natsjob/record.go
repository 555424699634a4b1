package natsjob

import (
	"context"
	"errors"
	"strconv"

	"github.com/nats-io/nats.go/jetstream"
)

// State is a job as the server holds it: its queue and its results. It is
// read from the server, not from what a master or a worker says.
type State struct {
	Tasks       int64  // the job's size, as its master set it (0: no master yet)
	Published   uint64 // tasks the task stream took in (its last sequence)
	Left        uint64 // tasks not yet acknowledged
	Waiting     uint64 // tasks no worker has been handed yet
	InFlight    int    // tasks handed to a worker and not acknowledged
	Redelivered uint64 // deliveries past each task's first, so far
	Results     uint64 // results the master recorded
	Done        bool   // the master said every task has its result
}

// ReadState reads a job's state; a job not yet begun reads as zero.
func ReadState(ctx context.Context, js jetstream.JetStream, job Job) (State, error) {
	var st State
	kv, err := js.KeyValue(ctx, job.bucket())
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	if e, err := kv.Get(ctx, "tasks"); err == nil {
		st.Tasks, _ = strconv.ParseInt(string(e.Value()), 10, 64)
	}
	if _, err := kv.Get(ctx, "done"); err == nil {
		st.Done = true
	}
	if s, err := js.Stream(ctx, job.tasksStream()); err == nil {
		i := s.CachedInfo()
		st.Published, st.Left = i.State.LastSeq, i.State.Msgs
		if c, err := s.Consumer(ctx, consumerName); err == nil {
			ci := c.CachedInfo()
			st.Waiting, st.InFlight = ci.NumPending, ci.NumAckPending
			// Not yet acknowledged: not yet handed out, or held.
			st.Left = ci.NumPending + uint64(ci.NumAckPending)
			// Each task is delivered in stream order; every delivery past
			// the last task delivered is a redelivery.
			if ci.Delivered.Consumer > ci.Delivered.Stream {
				st.Redelivered = ci.Delivered.Consumer - ci.Delivered.Stream
			}
		}
	}
	if s, err := js.Stream(ctx, job.resultsStream()); err == nil && s.CachedInfo().State.Msgs > 0 {
		// Each message of the record says how many results it holds with it.
		if m, err := s.GetLastMsgForSubject(ctx, job.resultsSubject()); err == nil {
			st.Results, _ = strconv.ParseUint(m.Header.Get(collectedHeader), 10, 64)
		}
	}
	return st, nil
}

// maxListed is how many task ids a Record lists of each kind of problem.
const maxListed = 32

// Record is a job's results as the server stores them, read whole.
type Record struct {
	State
	Recorded                 int64   // task ids with exactly one result, and a right one
	Missing                  []int64 // ids with no result (the first maxListed)
	Twice                    []int64 // ids with more than one result
	Wrong                    []int64 // results that are not n*n, or for no task of the job
	NMissing, NTwice, NWrong int64
	// Sum is the sum of the results, each task's once.
	Sum sum128
}

// ReadRecord reads every result of a job from its results stream.
func ReadRecord(ctx context.Context, js jetstream.JetStream, job Job) (Record, error) {
	st, err := ReadState(ctx, js, job)
	r := Record{State: st}
	if err != nil || st.Tasks <= 0 || st.Tasks > MaxTasks {
		return r, err
	}
	count := make([]uint8, st.Tasks+1)
	s, err := js.Stream(ctx, job.resultsStream())
	if err != nil {
		return r, err
	}
	var last uint64
	err = readResults(ctx, js, s, func(id, sq int64) {
		switch {
		case id > st.Tasks || sq != id*id:
			r.NWrong++
			if len(r.Wrong) < maxListed {
				r.Wrong = append(r.Wrong, id)
			}
		case count[id] < 255:
			if count[id] == 0 {
				r.Sum.add(sq)
			}
			count[id]++
		}
	}, func(bad int) { r.NWrong += int64(bad) }, &last)
	if err != nil {
		return r, err
	}
	for id := int64(1); id <= st.Tasks; id++ {
		switch {
		case count[id] == 0:
			r.NMissing++
			if len(r.Missing) < maxListed {
				r.Missing = append(r.Missing, id)
			}
		case count[id] > 1:
			r.NTwice++
			if len(r.Twice) < maxListed {
				r.Twice = append(r.Twice, id)
			}
		default:
			r.Recorded++
		}
	}
	return r, nil
}
