package lesson

import (
	"fmt"

	"github.com/goccy/go-yaml/ast"
)

// Goal is what a learner playing the scheduler (run --scheduler you) tries
// to make happen, as a check that passes once they have: the balance
// ends wrong, the tasks deadlock, the consumer waits forever. It is judged
// apart from the lesson's checks: a run that misses its goal has not
// failed, and explore reports the orders that meet it.
type Goal struct {
	Text  string // what to do, in words: "make the balance end wrong"; prose, so one per language
	Check Check
	Pos   Pos
}

// goal reads `goal: {text: ..., check: {KIND: {...}}}`. The text is one a
// person reads, plain or {en: ..., zh: ...}, as a title is.
func (l *loader) goal(n ast.Node) *Goal {
	fields, ok := l.mapping(n, "goal")
	if !ok {
		return nil
	}
	g := &Goal{Pos: l.pos(n)}
	var has, applies bool
	for _, f := range fields {
		key, ok := l.key(f)
		if !ok {
			continue
		}
		switch key {
		case "text":
			g.Text, _ = l.prose(f.Value, "text of goal")
		case "check":
			g.Check, applies = l.check(f.Value, checks, "goal check")
			has = true
		default:
			l.errorf(f.Key, "unknown key %q in goal; it takes: text, check", key)
		}
	}
	if g.Text == "" {
		l.errorf(n, "goal needs text: what the learner tries to do, as in \"make the balance end wrong\"")
	}
	if !has {
		l.errorf(n, "goal needs check: the check that passes once the goal is met, as in {deadlock: {tasks: [a, b]}}")
	}
	if !applies {
		// Its check does not apply with these switches (when:), or is broken.
		return nil
	}
	return g
}

// WaitsForeverCheck: the run could not go on, and the task was among those
// left waiting for good (in a deadlock's cycle, or waiting for what no task
// left would do).
type WaitsForeverCheck struct{ Of }

// Title implements CheckSpec.
func (c *WaitsForeverCheck) Title() string { return fmt.Sprintf("%s was left waiting forever", c.Task) }

func init() {
	checks = append(checks, schema{name: "waits_forever",
		doc:   "the task was left waiting for good: in a deadlock's cycle, or when every live task waited and none could wake it (the run then ends as stuck)",
		check: func() CheckSpec { return &WaitsForeverCheck{} }, fields: []field{taskField}})
	checkExamples["waits_forever"] = `waits_forever: {task: w}`
	topKeys = append(topKeys, struct{ name, doc string }{"goal",
		"what a learner playing the scheduler (run --scheduler you) tries to make happen: {text: ..., check: {KIND: {...}}}; judged apart from the checks, and explore counts the orders that meet it"})
}

// SetText is switches as name=value, sorted, as a recording's header and
// a schedule's say them.
func SetText(set map[string]string) string { return setText(set) }
