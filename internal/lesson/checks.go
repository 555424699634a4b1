package lesson

import (
	"fmt"
	"strings"
	"time"
)

// Check is one claim a lesson makes, decided from what the engine and the
// OS reported. What it says depends on its kind, and each kind has a struct
// of its own in Spec: no field is shared between kinds or means two things.
type Check struct {
	Kind CheckKind
	Name string // what the verdict calls it (default: the kind's title)
	Pos  Pos
	Spec CheckSpec
}

// CheckSpec is one kind of check's settings: one of the *...Check structs
// below.
type CheckSpec interface {
	// Title is the check's default name.
	Title() string
}

// Of names the task a check is about: a task, or one copy of a counted
// task (worker-2).
type Of struct{ Task string }

func (o *Of) setTask(t string) { o.Task = t }

// TransitionsCheck: the task went through these states in this order.
type TransitionsCheck struct {
	Of
	States []string
}

// RuntimeCheck: the Go runtime's trace showed the task in each state.
type RuntimeCheck struct {
	Of
	States []string
}

// LinesCheck: the log lines of the tasks, in order, are exactly these.
type LinesCheck struct {
	Tasks []string // whose lines (empty: every task's)
	Lines []string
}

// BeforeCheck: the first line containing First came before the first
// containing Then.
type BeforeCheck struct{ First, Then string }

// DeadlockCheck: a wait-for cycle of exactly these tasks was found.
type DeadlockCheck struct{ Tasks []string }

// HoldsCheck: a lock's hold count went through these values, in order.
type HoldsCheck struct {
	Lock   string
	Counts []string
}

// StoppedBlockedCheck: the task was still blocked when a stop step stopped it.
type StoppedBlockedCheck struct{ Of }

// ParentCheck: the probe read the task's process with this parent.
type ParentCheck struct {
	Of
	Parent string // a process task, or Root
}

// OverlapCheck: the tasks' processes were alive at one moment.
type OverlapCheck struct{ Tasks []string }

// LifetimeCheck: the task's process lived at least this long.
type LifetimeCheck struct {
	Of
	AtLeast time.Duration
}

// LogsCheck: the task logged lines containing Match exactly Count times,
// at least Gap apart.
type LogsCheck struct {
	Of
	Match string
	Count int
	Gap   time.Duration
}

// NeverLoggedCheck: the task ran and never logged a line containing Match.
type NeverLoggedCheck struct {
	Of
	Match string
}

// AfterExitCheck: a line containing Match came after the task's process
// was last seen alive.
type AfterExitCheck struct {
	Of
	Match string
}

// GoneWithCheck: the task's process was never seen alive after Parent's
// process had ended.
type GoneWithCheck struct {
	Of
	Parent string
}

// ZombieCheck: the task's process was read in state Z, then reaped.
type ZombieCheck struct{ Of }

// AdoptedCheck: the task's process got a new parent when its parent
// ended, in the state While says, and was later reaped.
type AdoptedCheck struct {
	Of
	While string // AdoptedAlive (an orphan that lives on) or AdoptedZombie (a zombie handed on)
}

// The states an adopted check may name.
const (
	AdoptedAlive  = "alive"
	AdoptedZombie = "zombie"
)

// ExitStatusCheck: the task's process ended with Code, or by Signal.
type ExitStatusCheck struct {
	Of
	Code   int
	Signal string // KILL, TERM, INT, SEGV, ABRT; "" for an exit code
}

// SurvivedCheck: the task's process was alive after After's had ended.
type SurvivedCheck struct {
	Of
	After string
}

// TerminatedCheck: every reaped process of the task was ended by a signal.
type TerminatedCheck struct{ Of }

// ProgramCheck: a run step's program exited with Exit and printed Output.
type ProgramCheck struct {
	Program string
	Exit    int
	Output  string
}

// ReceivedCheck: the task got exactly these values, in order, each once.
type ReceivedCheck struct {
	Of
	Values []string
}

// ProcessesCheck: never more than Max of the task's processes alive at
// once, and at most Max PIDs in all; at least Min alive at once; Runs
// values through its each loops.
type ProcessesCheck struct {
	Of
	Max  int // 0: the task's count
	Min  int // 0: not checked
	Runs int // 0: not checked
}

// BlockedCheck: the task was blocked on the object at some moment.
type BlockedCheck struct {
	Of
	On string
}

// QueueCheck: the queue held at least Reached values at some moment.
type QueueCheck struct {
	Queue   string
	Reached int
}

// BoundsCheck: every value the counter was reported at is within
// [Min, Max].
type BoundsCheck struct {
	Counter  string
	Min, Max int64
}

// PIDsCheck: at least Min distinct processes of the task used CPU.
type PIDsCheck struct {
	Of
	Min int
}

// LinesCountCheck: the task (or its copies) logged lines containing
// Match at least Min and at most Max times (Max 0: no most).
type LinesCountCheck struct {
	Of
	Match    string
	Min, Max int
}

// CounterCheck: the counter ends at Equals in every round.
type CounterCheck struct {
	Counter string
	Equals  int64
}

// DriftCheck: the counter ends away from Equals in some round.
type DriftCheck struct {
	Counter    string
	Equals     int64
	NeedsCores int
}

// ThreadsCheck: the most threads read in the task's process is within
// [Min, Max] (0: no bound on that side; one of them is given).
type ThreadsCheck struct {
	Of
	Max, Min int
}

// RecordedCheck: every task of the broker's job has one result, n*n.
type RecordedCheck struct{ Broker string }

// RefusedCheck: the broker's server refused the task's own connection.
type RefusedCheck struct {
	Of
	Broker string
}

// RedeliveredCheck: the tasks the killed task held were handed out again
// and done.
type RedeliveredCheck struct {
	Of
	Broker string
}

// ResumedCheck: the master Task went on where the killed master After
// stopped.
type ResumedCheck struct {
	Of
	After  string
	Broker string
}

// CPUTimeCheck: no process of the tasks used more than Max CPU seconds.
type CPUTimeCheck struct {
	Tasks []string
	Max   float64
}

// CPUCheck: the lesson's processes used at most Max cores during a phase.
// It is decided only when the phase could have used more.
type CPUCheck struct {
	Phase string
	Max   float64
}

// CPUMinCheck: the lesson's processes used at least Min cores during a phase.
type CPUMinCheck struct {
	Phase      string
	Min        float64
	NeedsCores int
}

// CPURatioCheck: cores used during Phase over cores used during Over is at
// least Min.
type CPURatioCheck struct {
	Phase, Over string
	Min         float64
	NeedsCores  int
}

// Curve is what a sweep check says of one figure along the swept switch.
type Curve struct {
	Figure     string
	Series     []string // which series (empty: all)
	Factor     float64
	NeedsCores int
}

// GrowsCheck: the figure at the largest point is at least Factor × the
// one at the smallest.
type GrowsCheck struct{ Curve }

// LevelsOffCheck: the figure grows up to tasks = cores, then never exceeds
// Factor × its value there.
type LevelsOffCheck struct{ Curve }

// RisesCheck: the figure at the largest point is at least Factor × its
// value where tasks = cores.
type RisesCheck struct{ Curve }

// MoreCheck, a comparison's check: figure of variant Of is at least Factor
// × the same figure of variant Than.
type MoreCheck struct {
	Figure   string
	Of, Than string // switch values naming the variants
	Factor   float64
}

func join(ts []string) string { return strings.Join(ts, " and ") }

// Title implements CheckSpec.
func (c *TransitionsCheck) Title() string {
	return fmt.Sprintf("%s went %s", c.Task, strings.Join(c.States, " → "))
}

// Title implements CheckSpec.
func (c *RuntimeCheck) Title() string {
	return fmt.Sprintf("the runtime showed %s %s", c.Task, strings.Join(c.States, ", "))
}

// Title implements CheckSpec.
func (c *LinesCheck) Title() string { return "the lines came in the expected order" }

// Title implements CheckSpec.
func (c *BeforeCheck) Title() string { return fmt.Sprintf("%q came before %q", c.First, c.Then) }

// Title implements CheckSpec.
func (c *DeadlockCheck) Title() string {
	return fmt.Sprintf("a deadlock of %s was found", join(c.Tasks))
}

// Title implements CheckSpec.
func (c *HoldsCheck) Title() string {
	return fmt.Sprintf("%s's hold count went %s", c.Lock, strings.Join(c.Counts, ", "))
}

// Title implements CheckSpec.
func (c *StoppedBlockedCheck) Title() string {
	return fmt.Sprintf("%s was still blocked when stopped", c.Task)
}

// Title implements CheckSpec.
func (c *ParentCheck) Title() string { return fmt.Sprintf("%s's parent is %s", c.Task, c.Parent) }

// Title implements CheckSpec.
func (c *OverlapCheck) Title() string {
	return fmt.Sprintf("%s ran at the same time as separate processes", strings.Join(c.Tasks, ", "))
}

// Title implements CheckSpec.
func (c *LifetimeCheck) Title() string { return fmt.Sprintf("%s lived at least %s", c.Task, c.AtLeast) }

// Title implements CheckSpec.
func (c *LogsCheck) Title() string {
	return fmt.Sprintf("%s logged %q %d times", c.Task, c.Match, c.Count)
}

// Title implements CheckSpec.
func (c *NeverLoggedCheck) Title() string { return fmt.Sprintf("%s never logged %q", c.Task, c.Match) }

// Title implements CheckSpec.
func (c *AfterExitCheck) Title() string {
	return fmt.Sprintf("%q came after %s exited", c.Match, c.Task)
}

// Title implements CheckSpec.
func (c *GoneWithCheck) Title() string {
	return fmt.Sprintf("%s was gone when %s was", c.Task, c.Parent)
}

// Title implements CheckSpec.
func (c *ZombieCheck) Title() string { return fmt.Sprintf("%s was a zombie, then reaped", c.Task) }

// Title implements CheckSpec.
func (c *AdoptedCheck) Title() string {
	if c.While == AdoptedZombie {
		return fmt.Sprintf("%s was handed on, a zombie, when its parent ended", c.Task)
	}
	return fmt.Sprintf("%s was adopted, alive, after its parent ended", c.Task)
}

// Title implements CheckSpec.
func (c *ExitStatusCheck) Title() string {
	if c.Signal != "" {
		return fmt.Sprintf("%s was killed by SIG%s and is gone", c.Task, c.Signal)
	}
	return fmt.Sprintf("%s exited with %d and is gone", c.Task, c.Code)
}

// Title implements CheckSpec.
func (c *SurvivedCheck) Title() string {
	return fmt.Sprintf("%s went on after %s ended", c.Task, c.After)
}

// Title implements CheckSpec.
func (c *TerminatedCheck) Title() string { return fmt.Sprintf("%s was ended by a signal", c.Task) }

// Title implements CheckSpec.
func (c *ProgramCheck) Title() string { return fmt.Sprintf("%s exited with %d", c.Program, c.Exit) }

// Title implements CheckSpec.
func (c *ReceivedCheck) Title() string {
	return fmt.Sprintf("%s received %s in order", c.Task, strings.Join(c.Values, ", "))
}

// Title implements CheckSpec.
func (c *ProcessesCheck) Title() string {
	if c.Min > 0 {
		return fmt.Sprintf("at least %d %s processes at once", c.Min, c.Task)
	}
	if c.Max == 0 {
		return fmt.Sprintf("at most one %s process per copy", c.Task)
	}
	return fmt.Sprintf("at most %d %s processes", c.Max, c.Task)
}

// Title implements CheckSpec.
func (c *BlockedCheck) Title() string { return fmt.Sprintf("%s was blocked on %s", c.Task, c.On) }

// Title implements CheckSpec.
func (c *QueueCheck) Title() string { return fmt.Sprintf("%s reached %d values", c.Queue, c.Reached) }

// Title implements CheckSpec.
func (c *BoundsCheck) Title() string {
	return fmt.Sprintf("%s stayed from %d to %d", c.Counter, c.Min, c.Max)
}

// Title implements CheckSpec.
func (c *PIDsCheck) Title() string {
	return fmt.Sprintf("at least %d processes of %s did work", c.Min, c.Task)
}

// Title implements CheckSpec.
func (c *LinesCountCheck) Title() string {
	if c.Max > 0 {
		return fmt.Sprintf("%s logged %q %d to %d times", c.Task, c.Match, c.Min, c.Max)
	}
	return fmt.Sprintf("%s logged %q at least %d times", c.Task, c.Match, c.Min)
}

// Title implements CheckSpec.
func (c *CounterCheck) Title() string {
	return fmt.Sprintf("%s ends at %d in every round", c.Counter, c.Equals)
}

// Title implements CheckSpec.
func (c *DriftCheck) Title() string {
	return fmt.Sprintf("%s drifts from %d in some round", c.Counter, c.Equals)
}

// Title implements CheckSpec.
func (c *ThreadsCheck) Title() string {
	switch {
	case c.Max > 0 && c.Min > 0:
		return fmt.Sprintf("%s had %d to %d threads", c.Task, c.Min, c.Max)
	case c.Min > 0:
		return fmt.Sprintf("%s had at least %d threads", c.Task, c.Min)
	}
	return fmt.Sprintf("%s had at most %d threads", c.Task, c.Max)
}

// Title implements CheckSpec.
func (c *RecordedCheck) Title() string {
	return fmt.Sprintf("every task of %s has its result, once", c.Broker)
}

// Title implements CheckSpec.
func (c *RefusedCheck) Title() string { return fmt.Sprintf("the server refused %s's key", c.Task) }

// Title implements CheckSpec.
func (c *RedeliveredCheck) Title() string {
	return fmt.Sprintf("%s's tasks were redelivered and done", c.Task)
}

// Title implements CheckSpec.
func (c *ResumedCheck) Title() string {
	return fmt.Sprintf("%s went on where %s stopped", c.Task, c.After)
}

// Title implements CheckSpec.
func (c *CPUTimeCheck) Title() string {
	return fmt.Sprintf("each process of %s used at most %.2f CPU seconds", join(c.Tasks), c.Max)
}

// Title implements CheckSpec.
func (c *CPUCheck) Title() string { return fmt.Sprintf("%s uses at most %.1f cores", c.Phase, c.Max) }

// Title implements CheckSpec.
func (c *CPUMinCheck) Title() string {
	return fmt.Sprintf("%s uses at least %.1f cores", c.Phase, c.Min)
}

// Title implements CheckSpec.
func (c *CPURatioCheck) Title() string {
	return fmt.Sprintf("%s uses at least %.1fx the cores of %s", c.Phase, c.Min, c.Over)
}

// Title implements CheckSpec.
func (c *GrowsCheck) Title() string { return c.Figure + " grows" }

// Title implements CheckSpec.
func (c *LevelsOffCheck) Title() string { return c.Figure + " levels off" }

// Title implements CheckSpec.
func (c *RisesCheck) Title() string { return c.Figure + " rises" }

// Title implements CheckSpec.
func (c *MoreCheck) Title() string {
	return fmt.Sprintf("%s of %s is at least %.3gx that of %s", c.Figure, c.Of, c.Factor, c.Than)
}

// CurveOf returns a sweep check's curve, if it is one.
func CurveOf(s CheckSpec) (*Curve, bool) {
	switch c := s.(type) {
	case *GrowsCheck:
		return &c.Curve, true
	case *LevelsOffCheck:
		return &c.Curve, true
	case *RisesCheck:
		return &c.Curve, true
	}
	return nil, false
}
