package lesson

import (
	"slices"
	"strings"
	"testing"
)

const twoLanguages = `title: {en: Ask and answer, zh: 问与答}
objects:
  c: {kind: counter}
tasks:
  - name: w
    steps:
      - log: {en: "ask {c}", zh: "问 {c}"}
      - log: "{task}"
      - run: {program: sort, stdin: "b\na\n"}
      - log: {en: "answer", zh: "答"}
checks:
  - lines: {tasks: [w], values: {en: [ask 0, w, answer], zh: [问 0, w, 答]}, name: {en: in order, zh: 按顺序}}
  - before: {first: {en: ask, zh: 问}, then: {en: answer, zh: 答}, name: {en: ask first, zh: 先问}}
  - never_logged: {task: w, match: {en: never, zh: 从不}, name: {en: never, zh: 从不}}
  - logs: {task: w, match: w, count: 1, name: {en: its name, zh: 它的名字}}
`

// A check looks for the log lines in the language they are shown in: each
// of its texts may be given per language, and the one in effect is taken;
// a plain one (a task's name) is the same in both.
func TestCheckTextsPerLanguage(t *testing.T) {
	defer SetLang(Lang())
	for lg, want := range map[string][]string{"en": {"ask 0|w|answer", "ask", "answer", "never", "w"}, "zh": {"问 0|w|答", "问", "答", "从不", "w"}} {
		SetLang(lg)
		sc, err := Load("t.yaml", []byte(twoLanguages))
		if err != nil {
			t.Fatal(err)
		}
		got := []string{
			strings.Join(sc.Checks[0].Spec.(*LinesCheck).Lines, "|"),
			sc.Checks[1].Spec.(*BeforeCheck).First, sc.Checks[1].Spec.(*BeforeCheck).Then,
			sc.Checks[2].Spec.(*NeverLoggedCheck).Match, sc.Checks[3].Spec.(*LogsCheck).Match,
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", lg, got, want)
		}
		// "{task}" has nothing to translate, and stdin is what a program
		// reads, not prose: neither is noted.
		if len(sc.Untranslated) != 0 {
			t.Errorf("%s: untranslated %v, want none", lg, sc.Untranslated)
		}
	}
}

func TestTranslationNotes(t *testing.T) {
	src := strings.NewReplacer(`"{task}"`, `"done"`, `zh: "问 {c}"`, `zh: "问"`, `match: {en: never, zh: 从不}`, `match: {en: never}`).Replace(twoLanguages)
	sc, err := Load("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, u := range sc.Untranslated {
		msgs = append(msgs, u.Msg)
	}
	for _, want := range []string{
		`"text" of step "log" names {c} in en and nothing in zh: both should name the same`,
		`"match" of check "never_logged" has no zh text`,
		`"text" of step "log" is in one language only (write {en: ..., zh: ...})`,
	} {
		if !slices.Contains(msgs, want) {
			t.Errorf("notes %q lack %q", msgs, want)
		}
	}
	if len(msgs) != 3 {
		t.Errorf("notes %q, want 3", msgs)
	}
}

// A check text with neither the language in effect nor English cannot be
// looked for: the file does not load.
func TestCheckTextInNoLanguageInEffect(t *testing.T) {
	defer SetLang(Lang())
	SetLang("en")
	src := strings.Replace(twoLanguages, `match: {en: never, zh: 从不}`, `match: {zh: 从不}`, 1)
	_, err := Load("t.yaml", []byte(src))
	if err == nil || !strings.Contains(err.Error(), `"match" of check "never_logged" has no en text`) {
		t.Errorf("err %v, want one saying the match has no en text", err)
	}
}

const goalTwoLanguages = `title: {en: Two locks, zh: 两把锁}
objects:
  m1: {kind: lock}
  m2: {kind: lock}
tasks:
  - name: a
    steps: [{lock: m1}, {lock: m2}, {unlock: m2}, {unlock: m1}]
  - name: b
    steps: [{lock: m2}, {lock: m1}, {unlock: m1}, {unlock: m2}]
goal:
  text: {en: make them deadlock, zh: 让它们死锁}
  check: {deadlock: {tasks: [a, b], name: {en: a and b deadlocked, zh: a 和 b 死锁了}}}
`

// A goal's text is read as the learner reads it: one per language, the
// one in effect taken; a plain one in a bilingual file is noted.
func TestGoalTextPerLanguage(t *testing.T) {
	defer SetLang(Lang())
	for lg, want := range map[string]string{"en": "make them deadlock|a and b deadlocked", "zh": "让它们死锁|a 和 b 死锁了"} {
		SetLang(lg)
		sc, err := Load("t.yaml", []byte(goalTwoLanguages))
		if err != nil {
			t.Fatalf("%s: %v", lg, err)
		}
		if got := sc.Goal.Text + "|" + sc.Goal.Check.Name; got != want {
			t.Errorf("%s: goal %q, want %q", lg, got, want)
		}
		if len(sc.Untranslated) != 0 {
			t.Errorf("%s: untranslated %v, want none", lg, sc.Untranslated)
		}
	}
	src := strings.Replace(goalTwoLanguages, `{en: make them deadlock, zh: 让它们死锁}`, `make them deadlock`, 1)
	sc, err := Load("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Untranslated) != 1 || sc.Untranslated[0].Msg != `text of goal is in one language only (write {en: ..., zh: ...})` {
		t.Errorf("notes %v, want one saying the goal's text is in one language only", sc.Untranslated)
	}
}
