package verdict

import (
	"testing"
	"time"

	"mtviz/internal/event"
	"mtviz/internal/lesson"
	"mtviz/internal/words"
)

// A verdict's detail and its words speak the language of the screen's
// words: Chinese in zh, English exactly as before.
func TestVerdictsSpeakTheLanguage(t *testing.T) {
	defer words.Set(words.Lang())
	sc := &lesson.Scenario{ID: "x", Checks: []lesson.Check{
		{Kind: "drift", Name: "d", Spec: &lesson.DriftCheck{Counter: "racy", Equals: 0, NeedsCores: 2}},
	}}
	evs := []event.Event{{Round: 1, Data: event.RoundEnd{Values: map[string]int64{"racy": 0}, LostBy: map[string]int64{"racy": 3}}}}
	want := map[string][]string{
		"en": {
			"not decided: racy ended away from 0 in 0 of 1 rounds (final values 0); 3 updates were lost to a stale write (they cancelled out); " +
				"with 1 core(s) tasks seldom switch mid-update, and no round drifted (the race is expected with 2 cores)",
			"NOT DECIDED", "a check was not decided",
			"NOT DECIDED: no check failed, but not every check could be decided (1.5s)",
			"every check held", "ok: every check held (1.5s)", "PASS",
		},
		"zh": {
			"未判定：racy 在 0/1 轮中结束时偏离 0（最终值 0）；3 次更新被过期的写入覆盖而丢失（它们相互抵消了）；" +
				"只有 1 核时任务很少在更新中途切换，没有哪一轮偏离（竞争预计在 2 核时出现）",
			"未判定", "有检查未判定",
			"未判定：没有检查失败，但不是每项检查都能判定（1.5s）",
			"每项检查都成立", "通过：每项检查都成立（1.5s）", "通过",
		},
	}
	for _, lang := range []string{"en", "zh"} {
		words.Set(lang)
		sum := fold(sc, 1, evs, nil).Decide(false, nil)
		sum.Duration = 1500 * time.Millisecond
		ok := Summary{Checks: []Result{{Verdict: Pass}}, Verdict: Pass, Duration: sum.Duration}
		got := []string{sum.Checks[0].Detail, sum.Checks[0].Verdict.Mark(), sum.State(), sum.Conclusion(),
			ok.State(), ok.Conclusion(), Pass.Mark()}
		for i, w := range want[lang] {
			if got[i] != w {
				t.Errorf("%s: %q, want %q", lang, got[i], w)
			}
		}
	}
}
