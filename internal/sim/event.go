// Package sim is the scenario engine: it runs a scenario's tasks as goroutines
// (and, through the child helper, as processes) and emits a time-stamped stream
// of events: tasks created, state changes with the reason for each block, locks
// taken and waited for, counter values, log lines, phases and rounds.
package sim

import (
	"fmt"
	"time"
)

// State is what a task is doing, as the engine sees it.
type State uint8

// Task states. Running here means "executing its steps"; whether the OS or the
// Go runtime had it on a core is the probe's business.
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

// Kind says what an Event reports.
type Kind string

// Event kinds.
const (
	KRound    Kind = "round"     // a round starts: Value is its number
	KRoundEnd Kind = "round_end" // a round ended: Values holds every counter
	KTask     Kind = "task"      // a task exists: Text is its kind, Daemon says so
	KState    Kind = "state"     // a task changed state; Reason and Object say why
	KLock     Kind = "lock"      // a lock's holder, hold count or waiters changed
	KCounter  Kind = "counter"   // a counter's value (and lost updates) changed
	KLog      Kind = "log"       // a task printed a line
	KPhase    Kind = "phase"     // a named part of the run starts
	KKey      Kind = "key"       // a task waits for the learner's key: Object is the key, Text the label
	KError    Kind = "error"     // a task did something the scenario forbids, e.g. unlocked a lock it did not hold
	KPause    Kind = "pause"     // the run was paused (Value 1) or resumed (Value 0)
	KProcess  Kind = "process"   // a process task's process started: PID, and Value its parent's PID
	KExit     Kind = "exit"      // a process was reaped: Value the exit code (-1 if a signal ended it), Text the wait status, Reason who reaped it
	KPut      Kind = "put"       // a task put Text on queue Object
	KGet      Kind = "get"       // a task got Text from queue Object
	KQueue    Kind = "queue"     // queue Object now holds Items
	KRun      Kind = "run"       // a run step's program (Object) ended: Value the exit code, Text its output
	KRefused  Kind = "refused"   // a connection to the engine offered a wrong key and was refused
	KCopy     Kind = "copy"      // a task read a counter into its private copy, or wrote it back: Value
	KDeadlock Kind = "deadlock"  // a cycle in the wait-for graph: Items are its tasks, Text says who waits for what
	KRuntime  Kind = "runtime"   // the Go runtime's trace: Reason is running, runnable or waiting; Value the P it ran on
	KEnd      Kind = "end"       // the run is over
)

// Event is one thing that happened, stamped with the time since the run began.
type Event struct {
	T       time.Duration    `json:"t"`
	Kind    Kind             `json:"kind"`
	Round   int              `json:"round,omitempty"`
	Task    string           `json:"task,omitempty"`
	State   State            `json:"state,omitempty"`
	Reason  string           `json:"reason,omitempty"`
	Object  string           `json:"object,omitempty"`
	Holder  string           `json:"holder,omitempty"`
	Count   int              `json:"count,omitempty"`
	Waiters []string         `json:"waiters,omitempty"`
	Value   int64            `json:"value,omitempty"`
	Lost    int64            `json:"lost,omitempty"`
	Values  map[string]int64 `json:"values,omitempty"`
	Items   []string         `json:"items,omitempty"`
	LostBy  map[string]int64 `json:"lost_by,omitempty"`
	Text    string           `json:"text,omitempty"`
	Daemon  bool             `json:"daemon,omitempty"`
	PID     int              `json:"pid,omitempty"`
	// Folded counts state changes of a busy task that were not sent one by one
	// (a task switching state thousands of times a second is sent once a tick).
	Folded int64 `json:"folded,omitempty"`
}

// Block reasons.
const (
	ReasonLock   = "lock"
	ReasonGIL    = "gil"
	ReasonJoin   = "join"
	ReasonCond   = "condition"
	ReasonEvent  = "event"
	ReasonQueue  = "queue"
	ReasonSleep  = "sleep"
	ReasonKey    = "key"
	ReasonPaused = "paused"
	ReasonCutOff = "cut off: daemon"
	ReasonKilled = "killed"
	ReasonIO     = "I/O"
)
