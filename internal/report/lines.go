package report

import (
	"math/big"

	"mtviz/internal/compare"
	"mtviz/internal/event"
	"mtviz/internal/probe"
	"mtviz/internal/verdict"
)

// The JSON Lines, one type per kind of line, each documented here once
// (README's "The JSON Lines, field by field" says the same for readers).
// Every line begins with its type; every time is in seconds.

// Kind is a line's "type".
type Kind string

// The kinds of line.
const (
	KindEvent   Kind = "event"   // EventLine
	KindSample  Kind = "sample"  // SampleLine
	KindGoal    Kind = "goal"    // GoalLine
	KindSummary Kind = "summary" // SummaryLine
	KindVariant Kind = "variant" // VariantLine
	KindCompare Kind = "compare" // CompareLine
	KindOutcome Kind = "outcome" // OutcomeLine
	KindPoint   Kind = "point"   // PointLine
)

// EventLine is one event of the engine (or of a watched program): its time
// in seconds, then the fields of its kind, as a recording names them (its
// flat form; the line's own t stands in place of the event's).
type EventLine struct {
	Type Kind    `json:"type"`
	T    float64 `json:"t"`
	event.Wire
}

// SampleLine is one probe sample: its time, the seconds its context
// switches cover, then the sample's own fields (cores, procs, gone, locks,
// switches).
type SampleLine struct {
	Type         Kind    `json:"type"`
	T            float64 `json:"t"`
	SwitchesSpan float64 `json:"switches_span,omitempty"`
	*probe.Sample
}

// GoalLine is whether a run that followed a schedule met the lesson's
// goal, before its summary.
type GoalLine struct {
	Type    Kind            `json:"type"`
	Text    string          `json:"text"`
	Check   string          `json:"check"`
	Verdict verdict.Verdict `json:"verdict"`
	Detail  string          `json:"detail"`
	Steps   int             `json:"steps"`
}

// SummaryLine is a run's (or a sweep's, or a watch's) last line: its
// verdicts, with its duration in seconds.
type SummaryLine struct {
	Type     Kind    `json:"type"`
	Duration float64 `json:"duration"`
	verdict.Summary
}

// VariantLine is one variant of a comparison: its label, cores, switches
// and figures, then its summary's fields.
type VariantLine struct {
	Type    Kind              `json:"type"`
	Label   string            `json:"label"`
	Cores   int               `json:"cores"`
	Set     map[string]string `json:"set,omitempty"`
	Figures verdict.Figures   `json:"figures"`
	// Seconds, as every time mtviz prints (the summary's own is a Duration).
	Duration float64 `json:"duration"`
	verdict.Summary
}

// CompareLine is a comparison's table: the variants' labels, and each
// figure that differs (every one with --all-figures).
type CompareLine struct {
	Type     Kind                 `json:"type"`
	Variants []string             `json:"variants"`
	Figures  map[string]FigureRow `json:"figures"`
}

// FigureRow is one figure of a comparison: its unit, its value in each
// variant, and each value over the first variant's.
type FigureRow struct {
	Unit   string    `json:"unit"`
	Values []float64 `json:"values"`
	Ratios []float64 `json:"ratios"`
}

// OutcomeLine is what a comparison came to: its own checks, its verdict,
// and that in words.
type OutcomeLine struct {
	Type    Kind             `json:"type"`
	Checks  []verdict.Result `json:"checks"`
	Verdict verdict.Verdict  `json:"verdict"`
	State   string           `json:"state"`
}

// PointLine is one point of a sweep, as compare.Point has it.
type PointLine struct {
	Type Kind `json:"type"`
	compare.Point
}

// KindExplore is the one line of an exploration: ExploreLine.
const KindExplore Kind = "explore"

// ExploreLine is what 'mtviz explore' found: the orders, how many were
// run, and each outcome with an order that reached it.
type ExploreLine struct {
	Type       Kind                `json:"type"`
	Lesson     string              `json:"lesson"`
	Set        map[string]string   `json:"set,omitempty"`
	Orders     int                 `json:"orders"`
	Explored   int                 `json:"explored"`
	Exhaustive bool                `json:"exhaustive"`
	Stopped    bool                `json:"stopped,omitempty"`
	Classes    int                 `json:"commuting_classes"`
	Tasks      int                 `json:"tasks"`
	MinSteps   int                 `json:"min_steps"`
	MaxSteps   int                 `json:"max_steps"`
	Seconds    float64             `json:"seconds"`
	PerOrder   float64             `json:"per_order_ms"`
	Seed       uint64              `json:"seed,omitempty"`
	Outcomes   []ExploreOutcome    `json:"outcomes"`
	Shortest   map[string][]string `json:"shortest"`
	Goal       *ExploreGoal        `json:"goal,omitempty"`
}

// ExploreOutcome is one outcome of an exploration: the orders that reach
// it, the counters' final values and lost updates, each check's verdict,
// the goal's, and one order that reaches it.
type ExploreOutcome struct {
	Orders   int                        `json:"orders"`
	Final    map[string]int64           `json:"final"`
	Lost     map[string]int64           `json:"lost,omitempty"`
	Deadlock bool                       `json:"deadlock"`
	Forever  bool                       `json:"waits_forever"`
	Checks   map[string]verdict.Verdict `json:"checks"`
	Goal     *verdict.Verdict           `json:"goal,omitempty"`
	Example  []string                   `json:"example"`
}

// ExploreGoal is the lesson's goal in an exploration: how many orders
// meet it, and the shortest that does.
type ExploreGoal struct {
	Text     string   `json:"text"`
	Check    string   `json:"check"`
	Orders   int      `json:"orders"`
	Shortest []string `json:"shortest,omitempty"`
}

// KindJob is master --json's last line: JobLine.
const KindJob Kind = "job"

// JobLine is a distributed job as the server holds it when it is done
// (read back), or as the master counted it when stopped.
type JobLine struct {
	Type         Kind     `json:"type"`
	Tasks        int64    `json:"tasks"`
	Collected    int64    `json:"collected"`
	Missing      int64    `json:"missing"`
	CountedTwice int64    `json:"counted_twice"`
	Sum          *big.Int `json:"sum"`
	Wrong        int64    `json:"wrong"`
	Duplicates   int64    `json:"duplicates_ignored"`
	Replicas     int      `json:"replicas"`
	Resumed      int64    `json:"resumed_from"`
	Seconds      float64  `json:"seconds"`
	Done         bool     `json:"done"`
	ReadBack     bool     `json:"read_back"`
}
