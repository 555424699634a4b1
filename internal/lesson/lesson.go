// Package lesson is the scenario file format: the types a scenario decodes into,
// the step and check vocabulary, and the loader that turns YAML into them with
// file:line:col errors. It runs nothing.
package lesson

import (
	"fmt"
	"time"
)

// Pos is a place in a scenario file.
type Pos struct {
	File      string
	Line, Col int
}

func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// Scenario is one lesson: its text, shared objects, tasks and checks.
type Scenario struct {
	ID      string
	Title   string
	Summary string
	Lesson  string
	Rounds  int
	// RuntimeTrace asks for the Go runtime's trace by default: for lessons where
	// running versus runnable is the point (it costs mtviz some CPU).
	RuntimeTrace bool
	Objects      []Object
	Tasks        []Task
	Checks       []Check `json:"-"` // a child process runs steps; it judges nothing
	// Goal is what a learner playing the scheduler tries to make happen.
	Goal *Goal `json:"-"`
	// Switches are the lesson's own settings; Set is the value each has in
	// this load. Sweep, when set, makes the lesson a series of runs.
	Switches []Switch
	Set      map[string]string
	Sweep    *Sweep
	// Compare is the switch 'mtviz compare' goes along by default (else:
	// cores), over CompareValues (default: every value).
	Compare       string
	CompareValues []string
	// CompareChecks are claims about the comparison's variants.
	CompareChecks []Check `json:"-"`
	File          string
	// Warnings are traps the file may fall into on purpose: it loads, and
	// check and run say them.
	Warnings Errors `json:"-"`
	// Untranslated are the texts of a file written in two languages that
	// lack one (mtviz check says them).
	Untranslated Errors `json:"-"`
	// Source is the file as read, for recordings (a child process gets the
	// scenario as loaded, not its source to parse again).
	Source []byte `json:"-"`
}

// ObjectKind names what a shared object is.
type ObjectKind string

// The kinds of shared objects.
const (
	Counter   ObjectKind = "counter"
	Lock      ObjectKind = "lock"
	RLock     ObjectKind = "rlock"
	GIL       ObjectKind = "gil"
	Condition ObjectKind = "condition"
	Event     ObjectKind = "event"
	Queue     ObjectKind = "queue"
	FileLock  ObjectKind = "flock"
	Server    ObjectKind = "server"
	Semaphore ObjectKind = "semaphore"
	Local     ObjectKind = "local"
	RWLock    ObjectKind = "rwlock"
	Broker    ObjectKind = "broker"
)

// Object is a shared object that tasks use by name.
type Object struct {
	Name     string
	Kind     ObjectKind
	Value    int64         // counter: starting value; semaphore: its permits
	Interval time.Duration // gil: switch interval
	Lock     string        // condition: the lock it waits with (own lock when empty)
	Size     int           // queue: capacity, 0 = unbounded
	Delay    time.Duration // server: how long it waits before answering each byte
	// broker: how long a worker may hold a task, the job's streams in
	// memory, and the counters mtviz fills from what it reads of the
	// server (tasks waiting, in flight, redelivered; results stored).
	AckWait                                 time.Duration
	Memory                                  bool
	Waiting, InFlight, Redelivered, Results string
	Pos                                     Pos
}

// TaskKind says whether a task is a goroutine or a child process.
type TaskKind string

// The kinds of tasks.
const (
	Goroutine TaskKind = "goroutine"
	Process   TaskKind = "process"
)

// Task is a named sequence of steps that runs as a goroutine or a process.
type Task struct {
	Name   string
	Kind   TaskKind
	Daemon bool
	// Count replicates the task as name-1..name-N; CountCores means one per core.
	Count int
	// GoMaxProcs, for a process task, is the GOMAXPROCS its process runs
	// with (0: the run's cores).
	GoMaxProcs int
	// Locked runs the task's goroutine locked to its own OS thread
	// (runtime.LockOSThread) for its whole life.
	Locked bool
	Steps  []Step
	// Spawned is set by the loader when some step spawns this task: it then
	// waits for that step instead of starting with the round.
	Spawned bool
	Pos     Pos
}

// CountCores as a Task.Count means "as many as the run has cores".
const CountCores = -1

// Root is the name checks use for mtviz's own process.
const Root = "mtviz"
