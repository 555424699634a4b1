// Package event is the vocabulary of the engine's (internal/engine) time-stamped
// stream of events: tasks created, state changes with the reason for each
// block, locks taken and waited for, counter values, log lines, phases and
// rounds. Every reader of events (the fold, the views, the recorder, the
// verdicts, the trace export) imports it, not the engine.
package event

import (
	"fmt"
	"time"
)

// State is what a task is doing, as the engine sees it.
type State uint8

// Task states. Running here means "executing its steps"; whether the OS or the
// Go runtime had it on a core is the probe's and the runtime trace's business.
const (
	NoState State = iota // the event is not about a state
	Created
	Runnable
	Running
	Blocked
	Sleeping
	Done
)

var stateNames = [...]string{"", "new", "runnable", "running", "blocked", "sleeping", "done"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", s)
}

// MarshalText writes the state's name in JSON.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a state's name.
func (s *State) UnmarshalText(b []byte) error {
	for i, n := range stateNames {
		if i > 0 && n == string(b) {
			*s = State(i)
			return nil
		}
	}
	return fmt.Errorf("unknown state %q", b)
}

// Reason says what a blocked (or sleeping) task waits for.
type Reason string

// Block reasons.
const (
	ReasonLock     Reason = "lock"
	ReasonFileLock Reason = "flock" // the OS lock of a flock object, which another process may hold
	ReasonGIL      Reason = "gil"
	ReasonJoin     Reason = "join"
	ReasonCond     Reason = "condition"
	ReasonEvent    Reason = "event"
	ReasonQueue    Reason = "queue"
	ReasonSleep    Reason = "sleep"
	ReasonKey      Reason = "key"
	ReasonPaused   Reason = "paused"
	ReasonIO       Reason = "I/O"  // a blocking wait that holds the task's thread: a program, a blocking read
	ReasonPoll     Reason = "poll" // an I/O wait parked in Go's network poller (epoll): no thread held
	// ReasonStopped: /proc reads T (stopped by a signal, or traced); for
	// watched programs only.
	ReasonStopped Reason = "stopped"
)

// End says how a task ended.
type End string

// How tasks end.
const (
	EndNormal  End = ""                // its steps ran out
	EndStopped End = "stopped"         // a stop step stopped it (By names who)
	EndCutOff  End = "cut off"         // a daemon, cut off when the non-daemon tasks ended
	EndKilled  End = "killed"          // its process died without a word: killed, or crashed
	EndExit    End = "exit"            // an exit step (Code)
	EndFault   End = "engine fault"    // the engine failed running it
	EndNoStart End = "could not start" // its process could not be started
	EndHalted  End = "run stopped"     // the run was stopped before its end
	EndCrashed End = "crashed"         // a crash step: a panic ended its whole process
)

// CopyOp says which half of `balance = balance + n` a copy event is.
type CopyOp string

// The two halves.
const (
	CopyRead  CopyOp = "read"
	CopyWrite CopyOp = "write"
)

// Kind says what an Event reports.
type Kind string

// Event kinds, each with its payload type (payload.go), which holds the
// kind's fields and says what they mean.
const (
	KRound    Kind = "round"     // RoundStart
	KRoundEnd Kind = "round_end" // RoundEnd
	KTask     Kind = "task"      // TaskStart
	KState    Kind = "state"     // StateChange
	KLock     Kind = "lock"      // LockChange
	KLockFile Kind = "lock_file" // LockFile
	KCond     Kind = "cond"      // CondChange
	KFlag     Kind = "flag"      // FlagChange
	KCounter  Kind = "counter"   // CounterChange
	KLog      Kind = "log"       // Log
	KStderr   Kind = "stderr"    // Stderr
	KPhase    Kind = "phase"     // PhaseStart
	KKey      Kind = "key"       // KeyWait
	KError    Kind = "error"     // Failure
	KPause    Kind = "pause"     // Pause
	KProcess  Kind = "process"   // Process
	KExit     Kind = "exit"      // Exit
	KSignal   Kind = "signal"    // SignalSent
	KPut      Kind = "put"       // QueuePut
	KGet      Kind = "get"       // QueueGet
	KQueue    Kind = "queue"     // QueueChange
	KRun      Kind = "run"       // ProgramEnd
	KRefused  Kind = "refused"   // Refused
	KWork     Kind = "work"      // WorkStep
	KBroker   Kind = "broker"    // BrokerRead
	KCopy     Kind = "copy"      // CopyStep
	KDeadlock Kind = "deadlock"  // Deadlock
	KStuck    Kind = "stuck"     // Stuck
	KRuntime  Kind = "runtime"   // RuntimeState
	KEnd      Kind = "end"       // Finish
)

// Known reports whether the kind is one this engine emits.
func (k Kind) Known() bool {
	_, ok := takes[k]
	return ok
}

// Event is one thing that happened, stamped with the time since the run
// began: a header every kind has, and Data, the kind's own fields.
type Event struct {
	T     time.Duration
	Round int
	// Task is the task it happened to, or that did it; for a server
	// object's process, "server NAME".
	Task string
	// PID is the process the event happened in (0 or mtviz's PID: mtviz
	// itself); for process, exit and run events, the process they are about.
	PID int
	// Data is the kind's own fields: one type per kind (StateChange for
	// KState, LockChange for KLock, ...), read through the accessor of its
	// kind (ev.StateChange()) or a type switch.
	Data Payload
}

// Kind is what the event reports, as its payload says ("" for an event
// without one).
func (e Event) Kind() Kind {
	if e.Data == nil {
		return ""
	}
	return e.Data.Kind()
}

// WorkOp says what a master or a worker did.
type WorkOp string

// What masters and workers do.
const (
	WorkBegun     WorkOp = "begun"     // a master opened its job: Tasks, Published and Collected before it
	WorkCollected WorkOp = "collected" // a master collected every result: Tasks, Collected, Duplicates
	WorkTook      WorkOp = "took"      // a worker was handed task ID, for the Delivery-th time
	WorkDone      WorkOp = "done"      // a worker's result for ID was stored (Duplicate: the server had one) and the task acknowledged
	WorkRefused   WorkOp = "refused"   // the server refused the worker's key; Addr is where it connected from
)

// Work is one step of a master or a worker in a broker's job.
type Work struct {
	Op         WorkOp `json:"op"`
	ID         int64  `json:"id,omitempty"`
	Delivery   uint64 `json:"delivery,omitempty"`
	Duplicate  bool   `json:"duplicate,omitempty"`
	Tasks      int64  `json:"tasks,omitempty"`
	Published  int64  `json:"published,omitempty"`
	Collected  int64  `json:"collected,omitempty"`
	Duplicates int64  `json:"duplicates,omitempty"`
	Addr       string `json:"addr,omitempty"`
}

// BrokerState is a job as mtviz read it from its broker's server, not as
// a master or a worker said. Final: read whole at the round's end, with
// every result counted by task id.
type BrokerState struct {
	Tasks       int64 `json:"tasks"`
	Published   int64 `json:"published"`
	Left        int64 `json:"left"`
	Waiting     int64 `json:"waiting"`
	InFlight    int64 `json:"in_flight"`
	Redelivered int64 `json:"redelivered"`
	Results     int64 `json:"results"`
	Final       bool  `json:"final,omitempty"`
	// External: a server mtviz did not start, whose log mtviz cannot read.
	External bool    `json:"external,omitempty"`
	Recorded int64   `json:"recorded,omitempty"`
	Missing  []int64 `json:"missing,omitempty"`
	Twice    []int64 `json:"twice,omitempty"`
	Wrong    []int64 `json:"wrong,omitempty"`
	NMissing int64   `json:"n_missing,omitempty"`
	NTwice   int64   `json:"n_twice,omitempty"`
	NWrong   int64   `json:"n_wrong,omitempty"`
}

// WaitEdge is one arrow of the wait-for graph: Task waits for Holder,
// through a lock it holds (Reason lock, Object the lock) or because it joins
// it (Reason join).
type WaitEdge struct {
	Task   string `json:"task"`
	Reason Reason `json:"reason"`
	Object string `json:"object,omitempty"`
	Holder string `json:"holder"`
	Ended  bool   `json:"ended,omitempty"` // the holder has ended (it took the lock with it)
}

// MaxQueueItems is how many of a queue's items an event carries: a queue of
// a million values is shown by its length and its head.
const MaxQueueItems = 32

// ReasonTurn: a task at its gate, able to take its step, waits for the
// scheduler to give it its turn.
const ReasonTurn Reason = "turn"

// KTurn: a task was given its turn and takes one visible step (Turn).
const KTurn Kind = "turn"
