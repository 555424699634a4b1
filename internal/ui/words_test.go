package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"mtviz/internal/lesson"
)

// In Chinese the lesson screen's own words are Chinese: the panel titles,
// the header and the footer's keys; in English they read as before. Each
// line of the Chinese screen is as wide as the terminal, wide characters
// counted as two cells.
func TestLessonScreenSpeaksTheLanguage(t *testing.T) {
	defer lipgloss.SetColorProfile(lipgloss.ColorProfile())
	lipgloss.SetColorProfile(termenv.Ascii)
	defer lesson.SetLang(lesson.Lang())
	cases := []struct {
		lang       string
		want, none []string
	}{
		{"zh", []string{"─ 任务 ─", "─ 日志 ─", "─ 核心 ─", "─ 计数器 ─", "─ 锁 · 队列 ─", "─ 进程树 ─", "─ 课程 ─", "第 1/10 轮", "▶ 运行中", "2 核", "暂停/继续", "? 帮助", "q 退出", "（本程序）"},
			[]string{"─ Tasks ─", "─ Log ─", "─ Cores ─", "round 1/10", "▶ running", "pause/resume", "(this program)"}},
		{"en", []string{"─ Tasks ─", "─ Log ─", "─ Cores ─", "─ Counters ─", "─ Locks · Queues ─", "─ Processes ─", "─ Lesson ─", "round 1/10", "▶ running", "2 cores", "space pause/resume", "? help", "q quit", "(this program)"},
			[]string{"任务", "日志", "运行中", "暂停"}},
	}
	for _, c := range cases {
		lesson.SetLang(c.lang)
		m := goldenLesson(t, "race", 120, 36)
		v := ansi.Strip(m.View())
		for _, w := range c.want {
			if !strings.Contains(v, w) {
				t.Errorf("%s: the race screen does not show %q:\n%s", c.lang, w, v)
			}
		}
		for _, w := range c.none {
			if strings.Contains(v, w) {
				t.Errorf("%s: the race screen shows %q:\n%s", c.lang, w, v)
			}
		}
		for i, l := range strings.Split(v, "\n") {
			if n := ansi.StringWidth(l); n != 120 && strings.HasPrefix(l, "│") {
				t.Errorf("%s: line %d is %d cells wide, not 120: %q", c.lang, i+1, n, l)
			}
		}
	}
}

// The picker and the ? help speak Chinese too; key names stay as typed.
func TestPickerAndHelpSpeakChinese(t *testing.T) {
	defer lipgloss.SetColorProfile(lipgloss.ColorProfile())
	lipgloss.SetColorProfile(termenv.Ascii)
	defer lesson.SetLang(lesson.Lang())
	lesson.SetLang("zh")
	all, err := lesson.Builtins()
	if err != nil {
		t.Fatal(err)
	}
	p := newPicker(tc(80, 24), all)
	p.SetSize(100, 30)
	v := ansi.Strip(p.View())
	for _, w := range []string{"观察进程与线程如何被调度", "按 / 筛选课程", "enter 打开课程", "q 退出"} {
		if !strings.Contains(v, w) {
			t.Errorf("the picker does not show %q:\n%s", w, v)
		}
	}
	m := goldenLesson(t, "race", 100, 40)
	v = ansi.Strip(m.helpView(40))
	for _, w := range []string{"─ 帮助 ─", "按键", "泳道", "放大", "下一个面板", "可运行", "阻塞于："} {
		if !strings.Contains(v, w) {
			t.Errorf("the ? help does not show %q:\n%s", w, v)
		}
	}
}
