package main

import (
	"os/exec"
	"strings"
	"testing"
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
