package report

import (
	"mtviz/internal/compare"
	"mtviz/internal/probe"
	"mtviz/internal/sim"
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

// EventLine is one event of the engine (or of a watched program): its time,
// then the fields of its kind, as sim.Event names them.
type EventLine struct {
	Type Kind    `json:"type"`
	T    float64 `json:"t"`
	*sim.Event
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
