package lesson

import (
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"mtviz/internal/keymap"
)

// The rules a single field cannot express, each named by its step's entry
// in the vocabulary.

func rulePlaceholders(l *loader, st *Step, n ast.Node) {
	text := ""
	switch d := st.Do.(type) {
	case *LogStep:
		text = d.Text
	case *PutStep:
		text = d.Value
	}
	for _, name := range Placeholders(text) {
		if BuiltinPlaceholders[name] {
			continue
		}
		if o := l.objs[name]; o == nil || o.Kind != Counter && o.Kind != Local {
			l.errorf(n, "text names {%s}, which is neither a counter declared under objects nor one of {task}, {pid}, {ppid}, {child}, {value}, {cores}, {time}", name)
		}
	}
}

// timesOrFor checks a step that runs a number of times or for a while:
// one of them, not both; none leaves times at its default (0: required).
func (l *loader) timesOrFor(n ast.Node, op Op, times *int, d time.Duration, def int) {
	hasTimes := false
	if m, ok := n.(*ast.MappingNode); ok {
		hasTimes = hasKey(m.Values, "times")
	}
	switch {
	case d > 0 && hasTimes:
		l.errorf(n, "%s takes times or for, not both", op)
	case d > 0:
	case !hasTimes && def == 0:
		l.errorf(n, "%s needs times (how many) or for (how long)", op)
	case !hasTimes:
		*times = def
	case *times == CountCores && op == OpRepeat:
	case *times < 1 || *times > maxTimes:
		l.errorf(n, "%s times must be from 1 to %d", op, maxTimes)
	}
}

func ruleRepeat(l *loader, st *Step, n ast.Node) {
	r := st.Do.(*RepeatStep)
	l.timesOrFor(n, OpRepeat, &r.Times, r.For, 0)
}

func ruleKey(l *loader, st *Step, n ast.Node) {
	reserved := keymap.Reserved()
	k := st.Do.(*KeyStep).Key
	if len([]rune(k)) != 1 || slices.Contains(reserved, k) {
		shown := make([]string, len(reserved))
		for i, k := range reserved {
			shown[i] = strings.ReplaceAll(k, " ", "space")
		}
		l.errorf(n, "key must be one character, and not one the lesson screen uses (%s)", strings.Join(shown, " "))
	}
}

func rulePositive(l *loader, st *Step, n ast.Node) {
	var d time.Duration
	switch s := st.Do.(type) {
	case *SleepStep:
		d = s.For
	case *BusyStep:
		d = s.For
	}
	if d <= 0 {
		l.errorf(n, "%s needs a duration above 0", st.Op)
	}
}

func ruleExit(l *loader, st *Step, n ast.Node) {
	if c := st.Do.(*ExitStep).Code; c < 0 || c > 255 {
		l.errorf(n, "exit code must be from 0 to 255")
	}
}

func ruleKill(l *loader, st *Step, n ast.Node) {
	k := st.Do.(*KillStep)
	switch k.Signal {
	case "":
		k.Signal = "TERM"
	case "TERM", "KILL", "INT":
	default:
		l.errorf(n, "signal must be TERM, KILL or INT, not %q", k.Signal)
	}
}

func ruleRequest(l *loader, st *Step, n ast.Node) {
	r := st.Do.(*RequestStep)
	l.timesOrFor(n, OpRequest, &r.Times, r.For, 1)
	switch r.Mode {
	case "":
		r.Mode = ModePoll
	case ModePoll, ModeBlock:
	default:
		l.errorf(n, "request mode must be poll or block, not %q", r.Mode)
	}
}

func ruleMaster(l *loader, st *Step, n ast.Node) {
	m := st.Do.(*MasterStep)
	switch {
	case m.Tasks == 0:
		m.Tasks = 1000
	case m.Tasks < 1 || m.Tasks > 1_000_000:
		l.errorf(n, "master tasks must be from 1 to 1000000")
	}
}

func ruleWork(l *loader, st *Step, n ast.Node) {
	if p := st.Do.(*WorkStep).Pace; p < 0 || p > time.Minute {
		l.errorf(n, "work pace must be from 0 to 1m")
	}
}

func ruleRun(l *loader, st *Step, n ast.Node) {
	if strings.TrimSpace(st.Do.(*RunStep).Program) == "" {
		l.errorf(n, "run needs a program")
	}
}

func hasKey(entries []*ast.MappingValueNode, key string) bool {
	for _, kv := range entries {
		if k, _ := scalar(kv.Key); k == key {
			return true
		}
	}
	return false
}
