package spec

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
	for _, name := range Placeholders(st.Text) {
		if BuiltinPlaceholders[name] {
			continue
		}
		if o := l.objs[name]; o == nil || o.Kind != Counter && o.Kind != Local {
			l.errorf(n, "text names {%s}, which is neither a counter declared under objects nor one of {task}, {pid}, {ppid}, {child}, {value}, {cores}, {time}", name)
		}
	}
}

func ruleRepeat(l *loader, st *Step, n ast.Node) {
	hasTimes := false
	if m, ok := n.(*ast.MappingNode); ok {
		hasTimes = hasKey(m.Values, "times")
	}
	switch {
	case st.Dur > 0 && hasTimes:
		l.errorf(n, "repeat takes times or for, not both")
	case st.Dur > 0:
	case !hasTimes:
		l.errorf(n, "repeat needs times (how many) or for (how long)")
	case st.Times != CountCores && (st.Times < 1 || st.Times > maxTimes):
		l.errorf(n, "repeat times must be from 1 to %d", maxTimes)
	}
}

func ruleKey(l *loader, st *Step, n ast.Node) {
	reserved := keymap.Reserved()
	if len([]rune(st.Object)) != 1 || slices.Contains(reserved, st.Object) {
		shown := make([]string, len(reserved))
		for i, k := range reserved {
			shown[i] = strings.ReplaceAll(k, " ", "space")
		}
		l.errorf(n, "key must be one character, and not one the lesson screen uses (%s)", strings.Join(shown, " "))
	}
}

func rulePositive(l *loader, st *Step, n ast.Node) {
	if st.Dur <= 0 {
		l.errorf(n, "%s needs a duration above 0", st.Op)
	}
}

func ruleExit(l *loader, st *Step, n ast.Node) {
	if st.N < 0 || st.N > 255 {
		l.errorf(n, "exit code must be from 0 to 255")
	}
}

func ruleKill(l *loader, st *Step, n ast.Node) {
	switch st.Signal {
	case "":
		st.Signal = "TERM"
	case "TERM", "KILL", "INT":
	default:
		l.errorf(n, "signal must be TERM, KILL or INT, not %q", st.Signal)
	}
}

func ruleRequest(l *loader, st *Step, n ast.Node) {
	hasTimes := false
	if m, ok := n.(*ast.MappingNode); ok {
		hasTimes = hasKey(m.Values, "times")
	}
	switch {
	case st.Dur > 0 && hasTimes:
		l.errorf(n, "request takes times or for, not both")
	case st.Dur > 0:
	case !hasTimes:
		st.Times = 1
	case st.Times < 1 || st.Times > maxTimes:
		l.errorf(n, "request times must be from 1 to %d", maxTimes)
	}
	switch st.Mode {
	case "":
		st.Mode = ModePoll
	case ModePoll, ModeBlock:
	default:
		l.errorf(n, "request mode must be poll or block, not %q", st.Mode)
	}
}

func ruleMaster(l *loader, st *Step, n ast.Node) {
	switch {
	case st.N == 0:
		st.N = 1000
	case st.N < 1 || st.N > 1_000_000:
		l.errorf(n, "master tasks must be from 1 to 1000000")
	}
}

func ruleWork(l *loader, st *Step, n ast.Node) {
	if st.Dur < 0 || st.Dur > time.Minute {
		l.errorf(n, "work pace must be from 0 to 1m")
	}
}

func ruleRun(l *loader, st *Step, n ast.Node) {
	if strings.TrimSpace(st.Program) == "" {
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
