package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"mtviz/internal/event"
	"mtviz/internal/fold"
	"mtviz/internal/item"
	"mtviz/internal/lesson"
	"mtviz/internal/probe"
	"mtviz/internal/verdict"
	"mtviz/internal/words"
)

func aLesson() *lesson.Scenario {
	return &lesson.Scenario{ID: "t", Title: "a test", Rounds: 1, Goal: &lesson.Goal{Text: "make it wrong"}}
}

// The text prints each log line of the fold once, however far the fold is
// ahead of the items handed to it, and says how many it could not show.
func TestTextPrintsTheFoldsLogOnce(t *testing.T) {
	tl := fold.New(fold.Config{Scenario: aLesson(), Cores: 2})
	var out bytes.Buffer
	r := NewText(&out, Own(tl))
	r.Begin(aLesson(), 2)
	tl.AddLog(fold.Entry{T: time.Second, Who: "main", Text: "one"})
	tl.AddLog(fold.Entry{T: time.Second, Who: "main", Text: "two"})
	r.Item(item.Item{})
	r.Item(item.Item{}) // nothing new in the fold: nothing printed
	for i := 0; i < fold.MaxLog+3; i++ {
		tl.AddLog(fold.Entry{T: 2 * time.Second, Text: fmt.Sprint("line ", i), Class: fold.Quiet})
	}
	r.Summary(verdict.Summary{Verdict: verdict.Pass, Checks: []verdict.Result{{Name: "c", Verdict: verdict.Pass, Detail: "held"}}})
	got := out.String()
	if n := strings.Count(got, "main       one\n"); n != 1 {
		t.Errorf("the first line printed %d times:\n%s", n, got)
	}
	if !strings.HasPrefix(got, "t: a test (1 round(s), 2 core(s))\n   1.000s main       one\n   1.000s main       two\n") {
		t.Errorf("the run's head:\n%s", got[:min(len(got), 200)])
	}
	if !strings.Contains(got, "… 3 lines not shown (more than 2000 at once)\n") || strings.Contains(got, "line 2\n") ||
		!strings.Contains(got, "   2.000s ---------- line 3\n") {
		t.Errorf("the lines beyond the fold's log were not counted:\n%s", got[:min(len(got), 400)])
	}
	if !strings.HasSuffix(got, "\n"+verdict.Pass.Mark()+"  c\n      held\n"+verdict.Summary{Verdict: verdict.Pass, Checks: []verdict.Result{{}}}.Conclusion()+"\n") {
		t.Errorf("the summary:\n%s", got[len(got)-200:])
	}
}

// JSON lines of a run go out in time order, however late an item comes
// within the lag, and all before the goal and the summary.
func TestJSONInTimeOrder(t *testing.T) {
	var out bytes.Buffer
	r := NewJSON(&out)
	ms := time.Millisecond
	r.Item(item.Item{Events: []event.Event{{T: 100 * ms, Data: event.Log{Text: "b"}}}})
	r.Item(item.Item{Sample: &probe.Sample{T: 50 * ms}})
	r.Item(item.Item{Events: []event.Event{{T: 700 * ms, Data: event.Log{Text: "c"}}}})
	if got := strings.Count(out.String(), "\n"); got != 2 {
		t.Errorf("%d lines out before the lag passed, want the 2 older than 0.2s:\n%s", got, out.String())
	}
	r.Item(item.Item{Events: []event.Event{{T: 10 * ms, Data: event.Log{Text: "a"}}}}) // late by more than the lag
	g := verdict.Result{Name: "wrong", Verdict: verdict.Pass, Detail: "it was"}
	r.Goal(aLesson(), &g, 3)
	r.Summary(verdict.Summary{Scenario: "t", Verdict: verdict.Fail, Duration: 1500 * ms})
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		got = append(got, fmt.Sprintf("%v %v %v", m["type"], m["t"], m["text"]))
	}
	want := "[sample 0.05 <nil> event 0.1 b event 0.01 a event 0.7 c goal <nil> make it wrong summary <nil> <nil>]"
	if fmt.Sprint(got) != want {
		t.Errorf("lines\n%v\nwant\n%s", got, want)
	}
	if !strings.Contains(out.String(), `{"type":"summary","duration":1.5,"scenario":"t","ok":false,"verdict":"fail"`) {
		t.Errorf("summary: %s", out.String())
	}
}

// Under --lang zh the text's own words are Chinese and aligned by the cells
// they take; the JSON is the same as in English.
func TestChineseTextEnglishJSON(t *testing.T) {
	defer words.Set(words.Lang())
	say := func(lang string) (string, string) {
		words.Set(lang)
		var text, js bytes.Buffer
		sc := aLesson()
		for _, r := range []Reporter{NewText(&text, Own(fold.New(fold.Config{Scenario: sc}))), NewJSON(&js)} {
			r.Begin(sc, 2)
			r.Goal(sc, &verdict.Result{Name: "g", Verdict: verdict.Fail, Detail: "no"}, 4)
			r.Watched(verdict.Summary{Duration: 2 * time.Second})
		}
		return text.String(), js.String()
	}
	enText, enJSON := say("en")
	zhText, zhJSON := say("zh")
	if enJSON != zhJSON {
		t.Errorf("JSON differs by language:\n%s\n%s", enJSON, zhJSON)
	}
	for _, w := range []string{"（1 轮，2 核）", "目标，make it wrong：未达成", "观察了 0 个进程，共 2.0 秒"} {
		if !strings.Contains(zhText, w) {
			t.Errorf("no %q in\n%s", w, zhText)
		}
	}
	if !strings.Contains(enText, "goal, make it wrong: not met") {
		t.Errorf("English:\n%s", enText)
	}
	var b bytes.Buffer
	table(&b, [][]string{{"指标", "a", "b"}, {"wall (s)", "1", "2"}}, false)
	if b.String() != "指标      a  b\nwall (s)  1  2\n" {
		t.Errorf("table by cells:\n%s", b.String())
	}
}
