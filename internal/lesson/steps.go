package lesson

import (
	"encoding/json"
	"fmt"
	"time"
)

// Op is the name of a step.
type Op string

// The steps of the vocabulary, by name. The table in vocab.go says what
// each takes; the engine's executor and the scheduler's moves are keyed by
// these.
const (
	OpLog     Op = "log"
	OpSleep   Op = "sleep"
	OpBusy    Op = "busy"
	OpRepeat  Op = "repeat"
	OpAdd     Op = "add"
	OpLock    Op = "lock"
	OpUnlock  Op = "unlock"
	OpWait    Op = "wait"
	OpNotify  Op = "notify"
	OpSet     Op = "set"
	OpClear   Op = "clear"
	OpPut     Op = "put"
	OpGet     Op = "get"
	OpSpawn   Op = "spawn"
	OpJoin    Op = "join"
	OpPhase   Op = "phase"
	OpExit    Op = "exit"
	OpCrash   Op = "crash"
	OpEach    Op = "each"
	OpRead    Op = "read"
	OpWrite   Op = "write"
	OpStop    Op = "stop"
	OpBranch  Op = "branch"
	OpKill    Op = "kill"
	OpRun     Op = "run"
	OpRequest Op = "request"
	OpMaster  Op = "master"
	OpWork    Op = "work"
	OpKey     Op = "key"
)

// Step is one instruction of a task: its name, where the file gives it, and
// its settings in Do, a struct of its kind's own (one of the *...Step types
// below, as Op says): no field is shared between kinds or means two things.
type Step struct {
	Op  Op
	Pos Pos
	Do  StepSpec
}

// StepSpec is one kind of step's settings: one of the *...Step structs.
type StepSpec interface {
	// Bodies are the lists of steps the step runs inside it: a repeat's or
	// an each's steps, a branch's two ways; none for most.
	Bodies() [][]Step
}

// leaf is a step that holds no steps of its own.
type leaf struct{}

// Bodies implements StepSpec.
func (leaf) Bodies() [][]Step { return nil }

// LogStep prints a line; {name} placeholders are filled as it runs.
type LogStep struct {
	leaf
	Text string
}

// SleepStep sleeps For, and up to Random more, chosen at random.
type SleepStep struct {
	leaf
	For, Random time.Duration
}

// BusyStep computes For, holding the gil Hold (if any), counting work units
// into Count (if any).
type BusyStep struct {
	leaf
	For         time.Duration
	Hold, Count string
}

// RepeatStep runs Steps Times times (CountCores: once per core), or again
// and again until For has passed.
type RepeatStep struct {
	Times int
	For   time.Duration
	Steps []Step
}

// Bodies implements StepSpec.
func (s *RepeatStep) Bodies() [][]Step { return [][]Step{s.Steps} }

// AddStep adds N to Counter, as a separate read and write.
type AddStep struct {
	leaf
	Counter string
	N       int64
}

// LockStep takes Lock (for reading, shared, when Read), giving up after
// Timeout when it is above 0.
type LockStep struct {
	leaf
	Lock    string
	Read    bool
	Timeout time.Duration
}

// UnlockStep releases Lock.
type UnlockStep struct {
	leaf
	Lock string
}

// WaitStep waits on a condition or an event, giving up after Timeout when
// it is above 0.
type WaitStep struct {
	leaf
	On      string
	Timeout time.Duration
}

// NotifyStep wakes one waiter of Condition, or every one when All.
type NotifyStep struct {
	leaf
	Condition string
	All       bool
}

// SetStep sets Event.
type SetStep struct {
	leaf
	Event string
}

// ClearStep clears Event.
type ClearStep struct {
	leaf
	Event string
}

// PutStep puts Value ({name} placeholders filled) on Queue.
type PutStep struct {
	leaf
	Queue, Value string
}

// GetStep takes a value from Queue, giving up after Timeout when it is
// above 0.
type GetStep struct {
	leaf
	Queue   string
	Timeout time.Duration
}

// SpawnStep starts Tasks, Stagger apart (0: all together).
type SpawnStep struct {
	leaf
	Tasks   []string
	Stagger time.Duration
}

// JoinStep waits until Tasks have ended, giving up after Timeout when it is
// above 0.
type JoinStep struct {
	leaf
	Tasks   []string
	Timeout time.Duration
}

// PhaseStep marks the start of the phase Name.
type PhaseStep struct {
	leaf
	Name string
}

// ExitStep ends the task; in a process task, its process, with Code.
type ExitStep struct {
	leaf
	Code int
}

// CrashStep panics with Message, ending the process the task runs in.
type CrashStep struct {
	leaf
	Message string
}

// EachStep takes values from Queue until Until, running Steps for each.
type EachStep struct {
	Queue, Until string
	Steps        []Step
}

// Bodies implements StepSpec.
func (s *EachStep) Bodies() [][]Step { return [][]Step{s.Steps} }

// ReadStep copies Counter into the task's private copy.
type ReadStep struct {
	leaf
	Counter string
}

// WriteStep sets Counter to the task's private copy plus Add.
type WriteStep struct {
	leaf
	Counter string
	Add     int64
}

// StopStep stops Tasks at their next step or wait.
type StopStep struct {
	leaf
	Tasks []string
}

// BranchStep runs IfSet when Event is set, IfClear when it is clear.
type BranchStep struct {
	Event          string
	IfSet, IfClear []Step
}

// Bodies implements StepSpec.
func (s *BranchStep) Bodies() [][]Step { return [][]Step{s.IfSet, s.IfClear} }

// KillStep sends Signal (TERM, KILL or INT) to the processes of Tasks: a
// process task (every copy), or one copy of a counted task.
type KillStep struct {
	leaf
	Tasks  []string
	Signal string
}

// RunStep runs Program with Args as a child process, writing Stdin to it.
type RunStep struct {
	leaf
	Program string
	Args    []string
	Stdin   string
}

// RequestStep asks Server Times times, or again and again for For, waiting
// as Mode says (ModePoll or ModeBlock), counting the answers into Count.
type RequestStep struct {
	leaf
	Server string
	Times  int
	For    time.Duration
	Count  string
	Mode   string
}

// The modes of a request step.
const (
	// ModePoll waits through Go's network poller (epoll): no thread is held.
	ModePoll = "poll"
	// ModeBlock waits in a blocking read(2) on a thread of its own.
	ModeBlock = "block"
)

// MasterStep is the master of Broker's job of Tasks tasks.
type MasterStep struct {
	leaf
	Broker string
	Tasks  int64
}

// WorkStep is a worker of Broker's job, taking Pace for each task, counting
// the tasks done into Count; WrongKey presents a wrong key.
type WorkStep struct {
	leaf
	Broker   string
	Pace     time.Duration
	Count    string
	WrongKey bool
}

// KeyStep waits for the learner to press Key, which does what Label says;
// headless runs press it after Auto, and so does the screen when Always.
type KeyStep struct {
	leaf
	Key, Label string
	Auto       time.Duration
	Always     bool
}

// Walk calls f on every step of ss and of the steps inside them, in order.
func Walk(ss []Step, f func(st *Step)) {
	for i := range ss {
		f(&ss[i])
		if ss[i].Do == nil {
			continue
		}
		for _, body := range ss[i].Do.Bodies() {
			Walk(body, f)
		}
	}
}

// Has says whether some step of ss, or of the steps inside them, is op.
func Has(ss []Step, op Op) bool {
	found := false
	Walk(ss, func(st *Step) { found = found || st.Op == op })
	return found
}

// Counts is the counter a step counts into: an add's, a write's, or what a
// busy, request or work step counts ("" for none).
func (s *Step) Counts() string {
	switch d := s.Do.(type) {
	case *AddStep:
		return d.Counter
	case *WriteStep:
		return d.Counter
	case *BusyStep:
		return d.Count
	case *RequestStep:
		return d.Count
	case *WorkStep:
		return d.Count
	}
	return ""
}

// Queue is the queue a put, get or each step uses ("" for other steps).
func (s *Step) Queue() string {
	switch d := s.Do.(type) {
	case *PutStep:
		return d.Queue
	case *GetStep:
		return d.Queue
	case *EachStep:
		return d.Queue
	}
	return ""
}

// UnmarshalJSON reads a step as encoding/json wrote it, its settings into
// the struct its name says (a child process gets its scenario so).
func (s *Step) UnmarshalJSON(b []byte) error {
	var raw struct {
		Op  Op
		Pos Pos
		Do  json.RawMessage
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	e := lookup(steps, string(raw.Op))
	if e == nil || e.step == nil {
		return fmt.Errorf("unknown step %q", raw.Op)
	}
	do := e.step()
	if len(raw.Do) > 0 {
		if err := json.Unmarshal(raw.Do, do); err != nil {
			return fmt.Errorf("step %q: %w", raw.Op, err)
		}
	}
	*s = Step{Op: raw.Op, Pos: raw.Pos, Do: do}
	return nil
}
