package event

import (
	"slices"

	"mtviz/internal/lesson"
)

// Payload is what an event of one kind carries beyond its header (time,
// round, task, process): one struct per kind, holding only that kind's
// fields. Each field keeps the JSON key it has always had in a recording.
type Payload interface {
	Kind() Kind
	// put writes the payload's fields into the event's flat form.
	put(w *Wire)
}

// ObjectNamer is a payload about one named object: a lock, a counter, a
// queue, a server, the task a join waits for.
type ObjectNamer interface {
	ObjectName() string
}

// RoundStart: a round starts (the header's Round).
type RoundStart struct{}

// RoundEnd: a round ended, with every counter's value and what each
// counter lost.
type RoundEnd struct {
	Values map[string]int64 `json:"values,omitempty"`
	LostBy map[string]int64 `json:"lost_by,omitempty"`
}

// TaskStart: a task exists (State is new).
type TaskStart struct {
	TaskKind lesson.TaskKind `json:"task_kind,omitempty"`
	Daemon   bool            `json:"daemon,omitempty"`
	State    State           `json:"state,omitempty"`
}

// StateChange: a task changed state; Reason, Object and Holder for a
// block, End and By for done.
type StateChange struct {
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
}

// LockChange: a lock, rlock, gil or flock changed holder, hold count or
// waiters.
type LockChange struct {
	Object  string   `json:"object,omitempty"`
	Holder  string   `json:"holder,omitempty"`
	Count   int      `json:"count,omitempty"` // a lock's hold count
	Waiters []string `json:"waiters,omitempty"`
}

// LockFile: a flock's file, as /proc/locks names it.
type LockFile struct {
	Object string `json:"object,omitempty"`
	File   string `json:"file,omitempty"`
}

// CondChange: a condition's waiters changed.
type CondChange struct {
	Object  string   `json:"object,omitempty"`
	Waiters []string `json:"waiters,omitempty"`
}

// FlagChange: an event object was set or cleared, or its waiters changed.
type FlagChange struct {
	Object  string   `json:"object,omitempty"`
	Waiters []string `json:"waiters,omitempty"`
	Set     bool     `json:"set,omitempty"`
}

// CounterChange: a counter's value changed (the header's Task: the
// process's own copy of it).
type CounterChange struct {
	Object string `json:"object,omitempty"`
	Value  int64  `json:"value,omitempty"`
	Lost   int64  `json:"lost,omitempty"`
}

// Log: a task printed a line.
type Log struct {
	Text string `json:"text,omitempty"`
}

// Stderr: a child process wrote a line to its standard error (a panic,
// say).
type Stderr struct {
	Text string `json:"text,omitempty"`
}

// PhaseStart: a named part of the run starts.
type PhaseStart struct {
	Phase string `json:"phase,omitempty"`
}

// KeyWait: a task waits for the learner's key.
type KeyWait struct {
	Key   string `json:"key,omitempty"`
	Label string `json:"label,omitempty"`
}

// Failure: something the scenario forbids, or a failure; Object when it is
// about one.
type Failure struct {
	Object string `json:"object,omitempty"`
	Error  string `json:"error,omitempty"`
}

// Pause: the run was paused or resumed.
type Pause struct {
	Paused bool `json:"paused,omitempty"`
}

// Process: a process started (the header's PID); Program for a run step's
// program.
type Process struct {
	PPID int `json:"ppid,omitempty"`
	// GoMaxProcs is the GOMAXPROCS a process task's process said it runs
	// with, when its task sets one.
	GoMaxProcs int    `json:"gomaxprocs,omitempty"`
	Program    string `json:"program,omitempty"`
}

// Exit: a process (the header's PID) was reaped.
type Exit struct {
	Code      int    `json:"code,omitempty"`
	Signal    int    `json:"signal,omitempty"`
	Reaper    string `json:"reaper,omitempty"` // the task that reaped it ("" when mtviz's round did)
	ReaperPID int    `json:"reaper_pid,omitempty"`
	Adopted   bool   `json:"adopted,omitempty"` // the reaper adopted it as a subreaper
	// CPUTime is the kernel's account, at reaping, of the CPU seconds the
	// process and the children it reaped used (watch fills it in).
	CPUTime float64 `json:"cpu_time,omitempty"`
}

// SignalSent: a task sent Signal to Target (the header's PID: the process
// signalled); Error if it failed.
type SignalSent struct {
	Error  string `json:"error,omitempty"`
	Signal int    `json:"signal,omitempty"`
	Target string `json:"target,omitempty"`
}

// QueuePut: a task put Item on queue Object.
type QueuePut struct {
	Object string `json:"object,omitempty"`
	Item   string `json:"item,omitempty"`
}

// QueueGet: a task got Item from queue Object.
type QueueGet struct {
	Object string `json:"object,omitempty"`
	Item   string `json:"item,omitempty"`
}

// QueueChange: queue Object now holds Len items, the first of them (at
// most MaxQueueItems) in Items.
type QueueChange struct {
	Object  string   `json:"object,omitempty"`
	Waiters []string `json:"waiters,omitempty"`
	Items   []string `json:"items,omitempty"`
	Len     int      `json:"len,omitempty"`
}

// ProgramEnd: a run step's program ended (the header's PID); Error if it
// could not start.
type ProgramEnd struct {
	Error   string `json:"error,omitempty"`
	Program string `json:"program,omitempty"`
	Code    int    `json:"code,omitempty"`
	Signal  int    `json:"signal,omitempty"`
	Output  string `json:"output,omitempty"`
}

// Refused: a connection offered a wrong key and was refused (the header's
// PID); or, by a broker's server (Object), from Addr.
type Refused struct {
	Object string `json:"object,omitempty"`
	Error  string `json:"error,omitempty"`
	Addr   string `json:"addr,omitempty"` // a client's address, as a broker's server saw it
}

// WorkStep: a master or worker step of a broker's job (Object).
type WorkStep struct {
	Object string `json:"object,omitempty"`
	Work   *Work  `json:"work,omitempty"`
}

// BrokerRead: a broker's job (Object) as mtviz read it from the server.
type BrokerRead struct {
	Object string       `json:"object,omitempty"`
	Broker *BrokerState `json:"broker,omitempty"`
}

// CopyStep: a task read a counter (Object) into its private copy, or wrote
// it back.
type CopyStep struct {
	Object string `json:"object,omitempty"`
	Value  int64  `json:"value,omitempty"` // the counter's value, or the private copy's
	Copy   CopyOp `json:"copy,omitempty"`
	N      int64  `json:"n,omitempty"`
}

// Deadlock: a cycle in the wait-for graph.
type Deadlock struct {
	Cycle []string   `json:"cycle,omitempty"`
	Edges []WaitEdge `json:"edges,omitempty"`
}

// Stuck: every live task waits for good, with no cycle: Edges, each
// waiting task's wait.
type Stuck struct {
	Edges []WaitEdge `json:"edges,omitempty"`
}

// RuntimeState: the Go runtime's trace says a goroutine is running,
// runnable, blocked or done, on P.
type RuntimeState struct {
	State State  `json:"state,omitempty"`
	P     int    `json:"p,omitempty"`
	Why   string `json:"why,omitempty"` // the runtime's own reason for a wait
}

// Turn: a task was given its turn and takes one visible step (Text: the
// step, in words).
type Turn struct {
	Object string `json:"object,omitempty"`
	Text   string `json:"text,omitempty"`
}

// Finish: the run is over.
type Finish struct{}

func (RoundStart) Kind() Kind    { return KRound }
func (RoundEnd) Kind() Kind      { return KRoundEnd }
func (TaskStart) Kind() Kind     { return KTask }
func (StateChange) Kind() Kind   { return KState }
func (LockChange) Kind() Kind    { return KLock }
func (LockFile) Kind() Kind      { return KLockFile }
func (CondChange) Kind() Kind    { return KCond }
func (FlagChange) Kind() Kind    { return KFlag }
func (CounterChange) Kind() Kind { return KCounter }
func (Log) Kind() Kind           { return KLog }
func (Stderr) Kind() Kind        { return KStderr }
func (PhaseStart) Kind() Kind    { return KPhase }
func (KeyWait) Kind() Kind       { return KKey }
func (Failure) Kind() Kind       { return KError }
func (Pause) Kind() Kind         { return KPause }
func (Process) Kind() Kind       { return KProcess }
func (Exit) Kind() Kind          { return KExit }
func (SignalSent) Kind() Kind    { return KSignal }
func (QueuePut) Kind() Kind      { return KPut }
func (QueueGet) Kind() Kind      { return KGet }
func (QueueChange) Kind() Kind   { return KQueue }
func (ProgramEnd) Kind() Kind    { return KRun }
func (Refused) Kind() Kind       { return KRefused }
func (WorkStep) Kind() Kind      { return KWork }
func (BrokerRead) Kind() Kind    { return KBroker }
func (CopyStep) Kind() Kind      { return KCopy }
func (Deadlock) Kind() Kind      { return KDeadlock }
func (Stuck) Kind() Kind         { return KStuck }
func (RuntimeState) Kind() Kind  { return KRuntime }
func (Turn) Kind() Kind          { return KTurn }
func (Finish) Kind() Kind        { return KEnd }

func (p StateChange) ObjectName() string   { return p.Object }
func (p LockChange) ObjectName() string    { return p.Object }
func (p LockFile) ObjectName() string      { return p.Object }
func (p CondChange) ObjectName() string    { return p.Object }
func (p FlagChange) ObjectName() string    { return p.Object }
func (p CounterChange) ObjectName() string { return p.Object }
func (p Failure) ObjectName() string       { return p.Object }
func (p QueuePut) ObjectName() string      { return p.Object }
func (p QueueGet) ObjectName() string      { return p.Object }
func (p QueueChange) ObjectName() string   { return p.Object }
func (p Refused) ObjectName() string       { return p.Object }
func (p WorkStep) ObjectName() string      { return p.Object }
func (p BrokerRead) ObjectName() string    { return p.Object }
func (p CopyStep) ObjectName() string      { return p.Object }
func (p Turn) ObjectName() string          { return p.Object }

// Payloads is one zero payload of each kind, in the order of the kinds.
func Payloads() []Payload { return slices.Clone(payloads[:]) }

// payloads is one zero payload of each kind.
var payloads = [...]Payload{RoundStart{}, RoundEnd{}, TaskStart{}, StateChange{}, LockChange{}, LockFile{}, CondChange{},
	FlagChange{}, CounterChange{}, Log{}, Stderr{}, PhaseStart{}, KeyWait{}, Failure{}, Pause{}, Process{}, Exit{},
	SignalSent{}, QueuePut{}, QueueGet{}, QueueChange{}, ProgramEnd{}, Refused{}, WorkStep{}, BrokerRead{}, CopyStep{},
	Deadlock{}, Stuck{}, RuntimeState{}, Turn{}, Finish{}}
