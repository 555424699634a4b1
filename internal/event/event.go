// Package event is the vocabulary of the engine's (internal/engine) time-stamped
// stream of events: tasks created, state changes with the reason for each
// block, locks taken and waited for, counter values, log lines, phases and
// rounds. Every reader of events (the fold, the views, the recorder, the
// verdicts, the trace export) imports it, not the engine.
package event

import (
	"fmt"
	"time"

	"mtviz/internal/spec"
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

// Event kinds. Each comment names the fields the kind uses; no field is used
// by a kind with another meaning.
const (
	KRound    Kind = "round"     // a round starts: Round
	KRoundEnd Kind = "round_end" // a round ended: Values (every counter), LostBy
	KTask     Kind = "task"      // a task exists: TaskKind, Daemon, State (new)
	KState    Kind = "state"     // a task changed state: State; Reason, Object, Holder for a block; End, By for done; Folded
	KLock     Kind = "lock"      // a lock, rlock, gil or flock changed: Object, Holder, Count, Waiters
	KLockFile Kind = "lock_file" // a flock's file, as /proc/locks names it: Object, File
	KCond     Kind = "cond"      // a condition's waiters changed: Object, Waiters
	KFlag     Kind = "flag"      // an event object was set or cleared, or its waiters changed: Object, Set, Waiters
	KCounter  Kind = "counter"   // a counter's value changed: Object, Value, Lost (Task: the process's own copy)
	KLog      Kind = "log"       // a task printed a line: Text
	KStderr   Kind = "stderr"    // a child process wrote a line to its standard error (a panic, say): Text
	KPhase    Kind = "phase"     // a named part of the run starts: Phase
	KKey      Kind = "key"       // a task waits for the learner's key: Key, Label
	KError    Kind = "error"     // something the scenario forbids, or a failure: Error
	KPause    Kind = "pause"     // the run was paused or resumed: Paused
	KProcess  Kind = "process"   // a process started: PID, PPID; Program for a run step's program; GoMaxProcs when its task sets it
	KExit     Kind = "exit"      // a process was reaped: PID, Code, Signal, Reaper, ReaperPID, Adopted
	KSignal   Kind = "signal"    // a task sent a signal: Target, PID, Signal, Error if it failed
	KPut      Kind = "put"       // a task put Item on queue Object
	KGet      Kind = "get"       // a task got Item from queue Object
	KQueue    Kind = "queue"     // queue Object now holds Len items, the first of them in Items; Waiters
	KRun      Kind = "run"       // a run step's program ended: Program, PID, Code, Signal, Output; Error if it could not start
	KRefused  Kind = "refused"   // a connection offered a wrong key and was refused: PID; or, by a broker's server (Object), Addr
	KWork     Kind = "work"      // a master or worker step of a broker's job (Object): Work
	KBroker   Kind = "broker"    // a broker's job as mtviz read it from the server (Object): Broker
	KCopy     Kind = "copy"      // a task read a counter into its private copy, or wrote it back: Copy, Object, Value, N
	KDeadlock Kind = "deadlock"  // a cycle in the wait-for graph: Cycle, Edges
	KStuck    Kind = "stuck"     // every live task waits for good, with no cycle: Edges, each waiting task's wait
	KRuntime  Kind = "runtime"   // the Go runtime's trace: State (running, runnable, blocked, done), P, Why
	KEnd      Kind = "end"       // the run is over
)

var known = map[Kind]bool{}

func init() {
	for _, k := range []Kind{KRound, KRoundEnd, KTask, KState, KLock, KLockFile, KCond, KFlag, KCounter, KLog, KStderr, KPhase,
		KKey, KError, KPause, KProcess, KExit, KSignal, KPut, KGet, KQueue, KRun, KRefused, KWork, KBroker, KCopy, KDeadlock, KStuck, KRuntime, KEnd} {
		known[k] = true
	}
}

// Known reports whether the kind is one this engine emits.
func (k Kind) Known() bool { return known[k] }

// Event is one thing that happened, stamped with the time since the run began.
type Event struct {
	T     time.Duration `json:"t"`
	Kind  Kind          `json:"kind"`
	Round int           `json:"round,omitempty"`
	// Task is the task it happened to, or that did it; for a server
	// object's process, "server NAME".
	Task string `json:"task,omitempty"`
	// PID is the process the event happened in (0 or mtviz's PID: mtviz
	// itself); for process, exit and run events, the process they are about.
	PID int `json:"pid,omitempty"`

	TaskKind spec.TaskKind `json:"task_kind,omitempty"`
	Daemon   bool          `json:"daemon,omitempty"`

	State  State  `json:"state,omitempty"`
	Reason Reason `json:"reason,omitempty"`
	Object string `json:"object,omitempty"` // the shared object, or for a join the task joined
	Holder string `json:"holder,omitempty"`
	End    End    `json:"end,omitempty"`
	By     string `json:"by,omitempty"` // the task that stopped this one
	// Folded counts state changes of a busy task that were not sent one by
	// one (a task switching state thousands of times a second is sent once a
	// tick).
	Folded int64 `json:"folded,omitempty"`

	Count   int      `json:"count,omitempty"` // a lock's hold count
	Waiters []string `json:"waiters,omitempty"`
	File    string   `json:"file,omitempty"`
	Set     bool     `json:"set,omitempty"`

	Value  int64            `json:"value,omitempty"` // a counter's value, or a private copy's
	Lost   int64            `json:"lost,omitempty"`
	Values map[string]int64 `json:"values,omitempty"`
	LostBy map[string]int64 `json:"lost_by,omitempty"`
	Copy   CopyOp           `json:"copy,omitempty"`
	N      int64            `json:"n,omitempty"`

	Item  string   `json:"item,omitempty"`
	Items []string `json:"items,omitempty"`
	Len   int      `json:"len,omitempty"`

	Text  string `json:"text,omitempty"`
	Phase string `json:"phase,omitempty"`
	Key   string `json:"key,omitempty"`
	Label string `json:"label,omitempty"`
	Error string `json:"error,omitempty"`

	Paused bool `json:"paused,omitempty"`

	PPID int `json:"ppid,omitempty"`
	// GoMaxProcs is the GOMAXPROCS a process task's process said it runs
	// with, when its task sets one.
	GoMaxProcs int    `json:"gomaxprocs,omitempty"`
	Program    string `json:"program,omitempty"`
	Code       int    `json:"code,omitempty"`
	Signal     int    `json:"signal,omitempty"`
	Reaper     string `json:"reaper,omitempty"` // the task that reaped it ("" when mtviz's round did)
	ReaperPID  int    `json:"reaper_pid,omitempty"`
	Adopted    bool   `json:"adopted,omitempty"` // the reaper adopted it as a subreaper
	// CPUTime is the kernel's account, at reaping, of the CPU seconds the
	// process and the children it reaped used (watch fills it in).
	CPUTime float64 `json:"cpu_time,omitempty"`
	Target  string  `json:"target,omitempty"`
	Output  string  `json:"output,omitempty"`

	Cycle []string   `json:"cycle,omitempty"`
	Edges []WaitEdge `json:"edges,omitempty"`

	P   int    `json:"p,omitempty"`
	Why string `json:"why,omitempty"` // the runtime's own reason for a wait

	Addr   string       `json:"addr,omitempty"` // a client's address, as a broker's server saw it
	Work   *Work        `json:"work,omitempty"`
	Broker *BrokerState `json:"broker,omitempty"`

	// Data is what the event carries, one type per kind; while it is nil
	// the fields above hold it.
	Data Payload `json:"-"`
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

// KTurn: a task was given its turn and takes one visible step: Object, Text
// (the step, in words).
const KTurn Kind = "turn"

func init() { known[KTurn] = true }
