package lesson

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mtviz/scenarios"
)

var update = flag.Bool("update", false, "rewrite testdata/broken/*.want from the loader's answers")

// Every file in testdata/broken is refused, and its first error is the one
// in the .want beside it: line:col: message.
func TestBrokenFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/broken/*.yaml")
	if len(files) < 40 {
		t.Fatalf("found %d broken files, expected the whole set", len(files))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Load(filepath.Base(f), data)
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("Load accepted a broken file (err %v)", err)
			}
			got := strings.TrimPrefix(es[0].Error(), filepath.Base(f)+":")
			wantFile := strings.TrimSuffix(f, ".yaml") + ".want"
			if *update {
				os.WriteFile(wantFile, []byte(got+"\n"), 0o644)
				return
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatal(err)
			}
			if got != strings.TrimSpace(string(want)) {
				t.Errorf("first error\n got: %s\nwant: %s", got, strings.TrimSpace(string(want)))
			}
		})
	}
}

func TestBuiltinScenariosLoad(t *testing.T) {
	names := scenarios.Names()
	if len(names) == 0 {
		t.Fatal("no embedded scenarios")
	}
	for _, n := range names {
		data, _ := scenarios.Read(n)
		sc, err := Load(n, data)
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		if sc.ID != scenarios.ID(n) {
			t.Errorf("%s: id %q does not match the file name", n, sc.ID)
		}
		checks := len(sc.Checks)
		if sc.Sweep != nil {
			checks += len(sc.Sweep.Checks)
		}
		if sc.Title == "" || sc.Summary == "" || sc.Lesson == "" || checks == 0 {
			t.Errorf("%s: a built-in lesson needs a title, summary, lesson text and checks (its own or its sweep's)", n)
		}
		// Every value of every switch must load too.
		for _, sw := range sc.Switches {
			for _, v := range sw.Values {
				if _, err := Reload(sc, map[string]string{sw.Name: v}); err != nil {
					t.Errorf("%s with %s=%s: %v", n, sw.Name, v, err)
				}
			}
		}
	}
}

func TestGoodFileDecodes(t *testing.T) {
	src := `id: demo
title: Demo
rounds: 3
objects:
  c: {kind: counter, value: 7}
  m: {kind: rlock}
  g: {kind: gil, interval: 2ms}
tasks:
  - steps:
      - spawn: [w]
      - join: w
  - name: w
    count: cores
    daemon: yes
    steps:
      - repeat:
          times: 2
          steps:
            - lock: m
            - add: {counter: c, n: -3}
            - unlock: {lock: m}
      - busy: {for: 10ms, hold: g, count: c}
      - log: "c is {c}"
checks:
  - counter: {counter: c, equals: 1}
`
	sc, err := Load("demo.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Rounds != 3 || len(sc.Objects) != 3 || sc.Objects[0].Value != 7 || sc.Objects[2].Interval.Milliseconds() != 2 {
		t.Errorf("objects decoded wrong: %+v", sc.Objects)
	}
	if sc.Tasks[0].Name != "Thread-1" || sc.Tasks[0].Spawned || !sc.Tasks[1].Spawned {
		t.Errorf("task names or spawned flags wrong: %q %v %v", sc.Tasks[0].Name, sc.Tasks[0].Spawned, sc.Tasks[1].Spawned)
	}
	w := sc.Tasks[1]
	if w.Count != CountCores || !w.Daemon {
		t.Errorf("count or daemon wrong: %+v", w)
	}
	goodSteps(t, w.Steps)
	if c, ok := sc.Checks[0].Spec.(*CounterCheck); sc.Checks[0].Name == "" || !ok || c.Equals != 1 {
		t.Errorf("check decoded wrong: %+v", sc.Checks[0])
	}
	if p := w.Steps[0].Pos; p.Line != 16 || p.Col != 9 {
		t.Errorf("step position %v, want 16:9", p)
	}
}

// Several problems in one file are all reported, in file order.
func TestAllErrorsReported(t *testing.T) {
	src := "title: t\ntasks:\n  - steps:\n      - lok: m\n      - sleep: 5\n"
	_, err := Load("x.yaml", []byte(src))
	var es Errors
	if !errors.As(err, &es) || len(es) != 2 {
		t.Fatalf("want 2 errors, got %v", err)
	}
	if es[0].Pos.Line != 4 || es[1].Pos.Line != 5 {
		t.Errorf("errors out of order: %v", err)
	}
}

func TestVocabularyDocumentsEveryStep(t *testing.T) {
	doc := Vocabulary()
	for _, s := range steps {
		if !strings.Contains(doc, "  "+s.name+" ") {
			t.Errorf("step %s missing from the vocabulary", s.name)
		}
	}
	for _, c := range checks {
		if !strings.Contains(doc, c.name) {
			t.Errorf("check %s missing", c.name)
		}
	}
}

func TestGoodFilesLoad(t *testing.T) {
	files, _ := filepath.Glob("testdata/good/*.yaml")
	if len(files) == 0 {
		t.Fatal("no good files")
	}
	for _, f := range files {
		if _, err := LoadFile(f); err != nil {
			t.Errorf("%v", err)
		}
	}
}

// A trap a lesson may fall into on purpose is a warning: the file loads, and
// says it.
func TestWarnings(t *testing.T) {
	files, _ := filepath.Glob("testdata/warn/*.yaml")
	if len(files) == 0 {
		t.Fatal("no files in testdata/warn")
	}
	for _, f := range files {
		sc, err := LoadFile(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		want, _ := os.ReadFile(strings.TrimSuffix(f, ".yaml") + ".want")
		if len(sc.Warnings) == 0 || !strings.Contains(sc.Warnings[0].Msg, strings.TrimSpace(string(want))) {
			t.Errorf("%s: warnings %v, want one saying %q", f, sc.Warnings, want)
		}
	}
}

// A lesson's text may speak English and Chinese: the language in effect is
// taken, English when it has none; texts given in one language only are
// listed for mtviz check.
func TestBilingualText(t *testing.T) {
	defer SetLang(Lang())
	for lg, want := range map[string][]string{"en": {"Two workers", "one was added", "done: {c}"}, "zh": {"两个工人", "加了一个", "完成：{c}"}} {
		SetLang(lg)
		sc, err := LoadFile("testdata/good/bilingual.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if got := []string{sc.Title, sc.Checks[0].Name, textOf(sc.Tasks[0].Steps[1])}; !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", lg, got, want)
		}
		if sc.Summary != "two tasks count" {
			t.Errorf("%s: a summary in English only is %q", lg, sc.Summary)
		}
		var msgs []string
		for _, u := range sc.Untranslated {
			msgs = append(msgs, u.Msg)
		}
		if !slices.Contains(msgs, "summary has no zh text") || !slices.ContainsFunc(msgs, func(m string) bool { return strings.HasPrefix(m, "lesson is in one language only") }) {
			t.Errorf("untranslated: %q", msgs)
		}
	}
}

// goodSteps checks the steps of good.yaml's task w, each in its kind's
// struct.
func goodSteps(t *testing.T, ss []Step) {
	t.Helper()
	rep, ok := ss[0].Do.(*RepeatStep)
	if !ok || ss[0].Op != OpRepeat || rep.Times != 2 || len(rep.Steps) != 3 {
		t.Fatalf("repeat decoded wrong: %+v", ss[0])
	}
	if a, ok := rep.Steps[1].Do.(*AddStep); !ok || a.Counter != "c" || a.N != -3 {
		t.Errorf("add decoded wrong: %+v", rep.Steps[1])
	}
	if u, ok := rep.Steps[2].Do.(*UnlockStep); !ok || u.Lock != "m" {
		t.Errorf("unlock decoded wrong: %+v", rep.Steps[2])
	}
	if b, ok := ss[1].Do.(*BusyStep); !ok || b.Hold != "g" || b.Count != "c" || b.For.Milliseconds() != 10 {
		t.Errorf("busy decoded wrong: %+v", ss[1])
	}
}
