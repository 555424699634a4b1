package report

import (
	"encoding/json"
	"io"
	"slices"
	"sort"
	"time"

	"mtviz/internal/compare"
	"mtviz/internal/item"
	"mtviz/internal/lesson"
	"mtviz/internal/text"
	"mtviz/internal/verdict"
)

// jsonReporter writes JSON Lines, one of the types in lines.go a line;
// strings go out through text's JSON writer, which escapes DEL and C1.
type jsonReporter struct {
	enc *json.Encoder
	// A run's lines wait here a moment to go out in time order: events
	// from child processes and samples arrive up to a tick late.
	held   []heldLine
	latest time.Duration
}

type heldLine struct {
	t time.Duration
	v any
}

// jsonLag is how long a line of a run is held for earlier ones to come.
const jsonLag = 500 * time.Millisecond

// maxHeld bounds the lines held back: a recording whose items all claim
// one moment cannot make them pile up.
const maxHeld = 4096

// NewJSON is the JSON Lines reporter.
func NewJSON(w io.Writer) Reporter {
	return &jsonReporter{enc: json.NewEncoder(text.NewJSONWriter(w))}
}

func (j *jsonReporter) Begin(*lesson.Scenario, int) {}

func (j *jsonReporter) Item(it item.Item) {
	if it.Sample != nil {
		j.hold(it.Sample.T, SampleLine{KindSample, Seconds(it.Sample.T), Seconds(it.Sample.SwitchesSpan), it.Sample})
	}
	for i := range it.Events {
		ev := it.Events[i]
		j.hold(ev.T, EventLine{KindEvent, Seconds(ev.T), ev.Wire()})
	}
	j.flush(j.latest - jsonLag)
}

// hold keeps a line until the lines before it in time have come; the held
// lines stay in time order (most come last, and are appended).
func (j *jsonReporter) hold(t time.Duration, v any) {
	i := sort.Search(len(j.held), func(i int) bool { return j.held[i].t > t })
	j.held = slices.Insert(j.held, i, heldLine{t, v})
	j.latest = max(j.latest, t)
	if n := len(j.held) - maxHeld; n > 0 {
		j.write(n)
	}
}

// flush writes, in time order, the held lines up to until.
func (j *jsonReporter) flush(until time.Duration) {
	j.write(sort.Search(len(j.held), func(i int) bool { return j.held[i].t > until }))
}

// flushAll writes every held line: the run is over.
func (j *jsonReporter) flushAll() { j.write(len(j.held)) }

// write writes the first n held lines.
func (j *jsonReporter) write(n int) {
	for _, l := range j.held[:n] {
		j.enc.Encode(l.v)
	}
	j.held = append(j.held[:0], j.held[n:]...)
}

func (j *jsonReporter) Note(string) {}

func (j *jsonReporter) Goal(sc *lesson.Scenario, g *verdict.Result, steps int) {
	if g == nil || sc.Goal == nil {
		return
	}
	j.flushAll()
	j.enc.Encode(GoalLine{KindGoal, sc.Goal.Text, g.Name, g.Verdict, g.Detail, steps})
}

func (j *jsonReporter) Summary(sum verdict.Summary) {
	j.flushAll()
	j.enc.Encode(SummaryLine{KindSummary, Seconds(sum.Duration), sum})
}

func (j *jsonReporter) Watched(sum verdict.Summary) { j.Summary(sum) }

func (j *jsonReporter) CompareBegin(*lesson.Scenario, int)                  {}
func (j *jsonReporter) VariantStart(int, int, compare.Variant)              {}
func (j *jsonReporter) SweepBegin(*lesson.Scenario, int)                    {}
func (j *jsonReporter) PointStart(int, int, compare.Variant, time.Duration) {}

func (j *jsonReporter) Variant(r compare.Result) {
	j.enc.Encode(VariantLine{KindVariant, r.Label, r.Summary.Cores, r.Set, r.Figures, Seconds(r.Summary.Duration), r.Summary})
}

func (j *jsonReporter) Table(rs []compare.Result, all bool) {
	out := CompareLine{Type: KindCompare, Figures: map[string]FigureRow{}}
	for _, r := range rs {
		out.Variants = append(out.Variants, r.Label)
	}
	for _, r := range compare.Table(rs, all) {
		out.Figures[r.Figure.Name] = FigureRow{r.Figure.Unit, r.Values, r.Ratios}
	}
	j.enc.Encode(out)
}

func (j *jsonReporter) Outcome(_ *lesson.Scenario, own []verdict.Result, sum verdict.Summary) {
	j.enc.Encode(OutcomeLine{KindOutcome, own, sum.Verdict, sum.State()})
}

func (j *jsonReporter) Point(_ *lesson.Scenario, p compare.Point) {
	j.enc.Encode(PointLine{KindPoint, p})
}

func (j *jsonReporter) SweepEnd(_ *lesson.Scenario, _ []compare.Point, sum verdict.Summary) {
	j.Summary(sum)
}
