package lesson

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"mtviz/scenarios"
)

// Every built-in lesson speaks English and the chapter's Chinese: loaded in
// zh, no text is left in one language, each text a person reads (a goal's
// too) is written in Chinese, a log line names the same placeholders in
// both languages, and each text a check looks for in the log is one a log
// line of that language can contain (else a never_logged check would pass
// on Chinese lines whatever happened). A lesson given an English-only text
// fails here.
func TestBuiltinsSpeakBoth(t *testing.T) {
	defer SetLang(Lang())
	for _, name := range scenarios.Names() {
		data, _ := scenarios.Read(name)
		for _, set := range switchSettings(t, name, data) {
			what := name
			for k, v := range set {
				what += fmt.Sprintf(" with %s=%s", k, v)
			}
			byLang := map[string]*Scenario{}
			for _, lg := range Languages {
				SetLang(lg)
				sc, err := LoadSet(name, data, set)
				if err != nil {
					t.Fatalf("%s in %s: %v", what, lg, err)
				}
				for _, u := range sc.Untranslated {
					t.Errorf("%s: %s", what, u)
				}
				logsReachable(t, what+" in "+lg, sc)
				byLang[lg] = sc
			}
			speaksChinese(t, what, byLang["zh"])
			sameShape(t, what, byLang["en"].Tasks, byLang["zh"].Tasks)
		}
	}
}

// switchSettings is the default setting and each value of each switch.
func switchSettings(t *testing.T, name string, data []byte) []map[string]string {
	t.Helper()
	sc, err := Load(name, data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out := []map[string]string{nil}
	for _, sw := range sc.Switches {
		for _, v := range sw.Values {
			out = append(out, map[string]string{sw.Name: v})
		}
	}
	return out
}

var han = regexp.MustCompile(`\p{Han}`)

// speaksChinese: the texts a person reads, loaded in zh, are Chinese.
func speaksChinese(t *testing.T, what string, sc *Scenario) {
	t.Helper()
	texts := []string{sc.Title, sc.Summary, sc.Lesson}
	checks := slices.Clone(sc.Checks)
	checks = append(checks, sc.CompareChecks...)
	if sc.Sweep != nil {
		checks = append(checks, sc.Sweep.Checks...)
	}
	if sc.Goal != nil {
		texts = append(texts, sc.Goal.Text)
		checks = append(checks, sc.Goal.Check)
	}
	for _, c := range checks {
		texts = append(texts, c.Name) // a check given no name has its kind's English title
	}
	walk(sc.Tasks, func(st Step) {
		switch d := st.Do.(type) {
		case *LogStep:
			texts = append(texts, d.Text)
		case *KeyStep:
			texts = append(texts, d.Label)
		}
	})
	for _, s := range texts {
		if !neutral(s) && !han.MatchString(s) {
			t.Errorf("%s: %q is not Chinese", what, s)
		}
	}
}

// sameShape: the two languages load the same steps, and each step's text
// names the same placeholders in both.
func sameShape(t *testing.T, what string, en, zh []Task) {
	t.Helper()
	var a, b []Step
	walk(en, func(st Step) { a = append(a, st) })
	walk(zh, func(st Step) { b = append(b, st) })
	if len(a) != len(b) {
		t.Fatalf("%s: %d steps in en, %d in zh", what, len(a), len(b))
	}
	for i := range a {
		if a[i].Op != b[i].Op {
			t.Errorf("%s: step %d is %s in en, %s in zh", what, i, a[i].Op, b[i].Op)
		}
		if pa, pb := placeholderSet(textOf(a[i])), placeholderSet(textOf(b[i])); !slices.Equal(pa, pb) {
			t.Errorf("%s: %q names %v, its zh %q names %v", what, textOf(a[i]), pa, textOf(b[i]), pb)
		}
	}
}

// logsReachable: each text a check looks for could be in a log line the
// lesson writes, in the language it is loaded in.
func logsReachable(t *testing.T, what string, sc *Scenario) {
	t.Helper()
	var lines []*regexp.Regexp
	var literal []string
	walk(sc.Tasks, func(st Step) {
		if l, ok := st.Do.(*LogStep); ok {
			lines = append(lines, lineRE(sc, l.Text))
			literal = append(literal, l.Text)
		}
	})
	whole := func(s string) bool {
		return slices.ContainsFunc(lines, func(re *regexp.Regexp) bool { return re.MatchString(s) })
	}
	part := func(s string) bool {
		return whole(s) || slices.ContainsFunc(literal, func(l string) bool { return strings.Contains(l, s) })
	}
	checks := slices.Clone(sc.Checks)
	if sc.Goal != nil {
		checks = append(checks, sc.Goal.Check)
	}
	for _, c := range checks {
		var looks []string
		can := part
		switch k := c.Spec.(type) {
		case *LinesCheck:
			looks, can = k.Lines, whole
		case *BeforeCheck:
			looks = []string{k.First, k.Then}
		case *LogsCheck:
			looks = []string{k.Match}
		case *LinesCountCheck:
			looks = []string{k.Match}
		case *NeverLoggedCheck:
			looks = []string{k.Match}
		case *AfterExitCheck:
			looks = []string{k.Match}
		}
		for _, s := range looks {
			if !can(s) {
				t.Errorf("%s: check %q looks for %q, which no log line of the lesson can be or contain", what, c.Name, s)
			}
		}
	}
}

// lineRE matches the lines a log step's text can become: each placeholder
// stands for what it is replaced by (a number, a task's name, a time).
func lineRE(sc *Scenario, text string) *regexp.Regexp {
	var names []string
	for _, tk := range sc.Tasks {
		names = append(names, regexp.QuoteMeta(tk.Name), regexp.QuoteMeta(tk.Name)+`-\d+`)
	}
	task := "(?:" + strings.Join(names, "|") + ")"
	var b strings.Builder
	rest := text
	for _, p := range Placeholders(text) {
		i := strings.Index(rest, "{"+p+"}")
		b.WriteString(regexp.QuoteMeta(rest[:i]))
		switch p {
		case "task":
			b.WriteString(task)
		case "time":
			b.WriteString(`[\d:.]+`)
		case "value":
			b.WriteString(`.*`)
		default: // pid, ppid, child, cores, a counter
			b.WriteString(`-?\d+`)
		}
		rest = rest[i+len(p)+2:]
	}
	b.WriteString(regexp.QuoteMeta(rest))
	return regexp.MustCompile("^" + b.String() + "$")
}

// walk calls f on every step, nested ones too.
func walk(tasks []Task, f func(Step)) {
	for _, tk := range tasks {
		Walk(tk.Steps, func(st *Step) { f(*st) })
	}
}

// textOf is the text a step carries, whatever its kind calls it.
func textOf(st Step) string {
	switch d := st.Do.(type) {
	case *LogStep:
		return d.Text
	case *KeyStep:
		return d.Label
	case *PutStep:
		return d.Value
	case *PhaseStep:
		return d.Name
	case *CrashStep:
		return d.Message
	case *RunStep:
		return d.Stdin
	}
	return ""
}
