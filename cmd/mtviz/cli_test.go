package main

import (
	"os/exec"
	"strings"
	"testing"

	"mtviz/internal/ui"
)

// The conventions of well-liked tools: a version; a misspelt command, flag
// or lesson gets a suggestion, the flag named as it was typed and the
// command naming itself; no terminal is exit 2 naming --headless; shell
// completion for bash, zsh and fish that names the commands, the flags of
// each and the lessons.
func TestCLIConventions(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		if out, _, code := mtviz(t, args...); code != exitOK || !strings.HasPrefix(out, "mtviz ") || !strings.Contains(out, "go1.") {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"lsit"}, `unknown command "lsit" (did you mean "list"?)`},
		{[]string{"run", "race", "--headles"}, "run: unknown flag --headles (did you mean --headless?)"},
		{[]string{"run", "race", "-headles"}, "run: unknown flag -headles (did you mean --headless?)"},
		{[]string{"compare", "gl", "--headless"}, `compare: no lesson "gl" (did you mean "gil"?)`},
		{[]string{"run", "gill", "--headless"}, `run: no lesson "gill" (did you mean "gil"?)`},
		{[]string{"watch", "--duration", "5x", "--", "true"}, `invalid value "5x" for flag --duration`},
	}
	for _, c := range cases {
		_, errb, code := mtviz(t, c.args...)
		if code != exitUsage || !strings.Contains(errb, c.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", c.args, code, errb, c.want)
		}
	}
	// No terminal: setsid leaves no controlling terminal to open.
	if _, err := exec.LookPath("setsid"); err == nil {
		_, errb, code := mtvizIn(t, []string{"setsid"}, "run", "race")
		if code != exitUsage || !strings.Contains(errb, "no terminal to draw on") || !strings.Contains(errb, "--headless") {
			t.Errorf("no terminal: exit %d, %q", code, errb)
		}
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		out, errb, code := mtviz(t, "completion", shell)
		if code != exitOK || !strings.Contains(out, "compare") || !strings.Contains(out, "headless") || !strings.Contains(out, "race-steps") {
			t.Errorf("completion %s: exit %d %s:\n%.300s", shell, code, errb, out)
		}
	}
	if bash, err := exec.LookPath("bash"); err == nil {
		script, _, _ := mtviz(t, "completion", "bash")
		check := exec.Command(bash, "-n")
		check.Stdin = strings.NewReader(script)
		if out, err := check.CombinedOutput(); err != nil {
			t.Errorf("the bash completion does not parse: %v: %s", err, out)
		}
	}
}

// Each flag is described once, where it is registered: every command's
// --help (and 'mtviz help COMMAND') lists each of its flags with a text,
// and no usage text describes a flag by hand.
func TestHelpListsEveryFlagOnce(t *testing.T) {
	for _, c := range commands {
		out, errb, code := mtviz(t, "help", c.name)
		if code != exitOK || !strings.HasPrefix(out, "Usage: mtviz "+c.name) {
			t.Errorf("help %s: exit %d, %q %q", c.name, code, out, errb)
			continue
		}
		if strings.Contains(out, flagsMark) {
			t.Errorf("help %s: the flags were not listed:\n%s", c.name, out)
		}
		lines := strings.Split(out, "\n")
		for i, l := range lines {
			if !strings.HasPrefix(l, "  --") {
				continue
			}
			// A flag line has its text beside it, or on the next line.
			name, text, _ := strings.Cut(strings.TrimSpace(l), "  ")
			if strings.TrimSpace(text) == "" && (i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], strings.Repeat(" ", 20))) {
				t.Errorf("help %s: %s has no text", c.name, name)
			}
		}
	}
	// The list is made from the flag set: a flag registered is listed.
	out, _, _ := mtviz(t, "run", "--help")
	for _, f := range []string{"--headless ", "--scheduler you", "--schedule FILE", "--set NAME=V", "--nats URL", "--token-file FILE"} {
		if !strings.Contains(out, "  "+f) {
			t.Errorf("run --help does not list %s:\n%s", f, out)
		}
	}
}

// --theme is taken from anywhere before "--", as --lang is, and a wrong
// word (on the command line or in MTVIZ_THEME) is a usage error.
func TestThemeFlag(t *testing.T) {
	defer ui.SetTheme(ui.ThemeAuto)
	out, err := takeTheme([]string{"run", "--theme", "light", "race", "--", "--theme", "dark"})
	if err != nil || strings.Join(out, " ") != "run race -- --theme dark" || ui.ChosenTheme() != ui.ThemeLight {
		t.Errorf("--theme light: %q %v, theme %v", out, err, ui.ChosenTheme())
	}
	if _, err := takeTheme([]string{"-theme=dark", "list"}); err != nil || ui.ChosenTheme() != ui.ThemeDark {
		t.Errorf("-theme=dark: %v, theme %v", err, ui.ChosenTheme())
	}
	for _, args := range [][]string{{"--theme", "pink"}, {"list", "--theme"}, {"--theme=Light"}} {
		if _, err := takeTheme(args); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
	t.Setenv("MTVIZ_THEME", "light")
	if _, err := takeTheme([]string{"list"}); err != nil || ui.ChosenTheme() != ui.ThemeLight {
		t.Errorf("MTVIZ_THEME=light: %v, theme %v", err, ui.ChosenTheme())
	}
	if _, err := takeTheme([]string{"--theme", "dark"}); err != nil || ui.ChosenTheme() != ui.ThemeDark {
		t.Errorf("the flag does not win over MTVIZ_THEME: theme %v", ui.ChosenTheme())
	}
	t.Setenv("MTVIZ_THEME", "sepia")
	var stderr strings.Builder
	if code := Main([]string{"list"}, &strings.Builder{}, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "MTVIZ_THEME=sepia") {
		t.Errorf("MTVIZ_THEME=sepia: exit %d, %q", code, stderr.String())
	}
}

// One happening, one log line: a value taken from a queue is said once
// (the engine's "got X from q"), not again by the lesson in other words.
func TestQueueLogsOnceAHappening(t *testing.T) {
	var out, errb strings.Builder
	if code := Main([]string{"--lang", "en", "run", "thread-queue", "--headless"}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, v := range []string{"two drops", "three drops", "four drops"} {
		if n := strings.Count(out.String(), v+" from"); n != 1 {
			t.Errorf("getting %s is logged %d times:\n%s", v, n, out.String())
		}
		if n := strings.Count(out.String(), "put "+v+" on"); n != 1 {
			t.Errorf("putting %s is logged %d times:\n%s", v, n, out.String())
		}
	}
}
