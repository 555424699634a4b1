package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// obeyed finds what a terminal would obey in text mtviz printed: an
// escape, a control byte other than a newline, a C1 control, DEL, a byte
// that is not UTF-8.
func obeyed(s string) string {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r != '\n' && (r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r == utf8.RuneError && n == 1) {
			return fmt.Sprintf("%#x at %d in %q", r, i, s[max(0, i-30):min(len(s), i+30)])
		}
		i += n
	}
	return ""
}

// ptmux runs tmux on a private server, so that the test's terminal is
// nobody else's and its title and clipboard can be read.
func ptmux(t *testing.T, sock string, args ...string) string {
	t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", sock}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return string(out)
}

// hostileScreen runs mtviz in a private tmux whose clipboard is on, waits
// for the screen to show want, quits with q (twice, for watch asks), and
// reports what the pane's title and tmux's paste buffers became.
func hostileScreen(t *testing.T, want string, args ...string) (screen, title, buffers string) {
	t.Helper()
	needTmux(t)
	bin, _ := filepath.Abs(os.Args[0])
	sock := fmt.Sprintf("mtviz-hostile-%d", time.Now().UnixNano())
	t.Cleanup(func() { exec.Command("tmux", "-L", sock, "kill-server").Run() })
	line := fmt.Sprintf("env MTVIZ_MAIN=1 %s %s; echo MTVIZ-EXIT $?; sleep 60", bin, strings.Join(args, " "))
	ptmux(t, sock, "-f", "/dev/null", "new-session", "-d", "-s", "h", "-x", "140", "-y", "40", "sleep 0.3; "+line)
	ptmux(t, sock, "set-option", "-g", "set-clipboard", "on")
	ptmux(t, sock, "set-option", "-g", "allow-rename", "on")
	deadline := time.Now().Add(30 * time.Second)
	for {
		screen = ptmux(t, sock, "capture-pane", "-p", "-t", "h")
		if strings.Contains(screen, want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the screen never showed %q:\n%s", want, screen)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // a few more frames
	screen = ptmux(t, sock, "capture-pane", "-p", "-t", "h")
	title = ptmux(t, sock, "display-message", "-p", "-t", "h", "#{pane_title}|#{window_name}")
	buffers = ptmux(t, sock, "list-buffers", "-F", "#{buffer_sample}")
	ptmux(t, sock, "send-keys", "-t", "h", "q")
	time.Sleep(300 * time.Millisecond)
	ptmux(t, sock, "send-keys", "-t", "h", "q")
	for !strings.Contains(ptmux(t, sock, "capture-pane", "-p", "-t", "h"), "MTVIZ-EXIT") {
		if time.Now().After(deadline.Add(30 * time.Second)) {
			t.Fatal("mtviz did not quit")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return screen, title, buffers
}

func checkScreen(t *testing.T, what, screen, title, buffers string) {
	t.Helper()
	if strings.Contains(title, "pwned") || strings.Contains(title, "thr") {
		t.Errorf("%s: the terminal's title was set: %q", what, title)
	}
	if strings.TrimSpace(buffers) != "" {
		t.Errorf("%s: the clipboard was written: %q", what, buffers)
	}
	if !strings.Contains(screen, `\x1b]`) {
		t.Errorf("%s: the hostile text is not shown escaped:\n%s", what, screen)
	}
}

// Every source of outside text (a recording, /proc's names of processes
// and threads, a lesson file, a program's output) is fed an OSC 0 title,
// an OSC 52 clipboard write, a CSI and bare control bytes, and every view
// of it is read: the headless text, the JSON, and the screen in a real
// terminal, whose title and clipboard must stay as they were.
func TestHostileTextNeverReachesTheTerminal(t *testing.T) {
	dir := t.TempDir()
	lesson := filepath.Join(dir, "osc.yaml")
	os.WriteFile(lesson, []byte(`title: "retitle \e]0;pwned\a"
lesson: "clipboard \e]52;c;aGk=\a \e[2J"
tasks:
  - name: main
    steps:
      - log: "log \e]0;pwned\a \e[31mred \x01"
      - run: {program: printf, args: ["out \e]0;pwned\a \e]52;c;aGk=\a\n"]}
      - sleep: 3s
`), 0o600)
	// A program that renames itself and one of its threads with escapes
	// (as prctl does), and writes them to its output and its errors.
	script := filepath.Join(dir, "rename.py")
	os.WriteFile(script, []byte(`import threading, time, sys
open("/proc/self/comm", "w").write("\x1b]0;pwned\x07")
def run():
    open("/proc/self/task/%d/comm" % threading.get_native_id(), "w").write("\x1b]0;thr\x07")
    time.sleep(4)
threading.Thread(target=run).start()
print("out \x1b]52;c;aGk=\x07 \x1b]0;pwned\x07 \x9b2J", flush=True)
print("err \x1b]0;pwned\x07", file=sys.stderr, flush=True)
time.sleep(4)
`), 0o600)
	recording := "testdata/hostile.jsonl"
	for _, c := range []struct {
		name string
		args []string
		want string // what the text shows, escaped
	}{
		{"recording headless", []string{"replay", "--headless", recording}, `\x1b]0;pwned\x07`},
		{"recording JSON", []string{"replay", "--json", recording}, `\\x1b]0;pwned`},
		{"recordings compared headless", []string{"compare", "--replay", "--headless", recording, recording}, `variant 1 of 2`},
		{"recordings compared JSON", []string{"compare", "--replay", "--json", recording, recording}, `\\x1b]0;pwned`},
		{"lesson headless", []string{"run", lesson, "--headless"}, `\x1b]0;pwned\x07`},
		{"lesson JSON", []string{"run", lesson, "--json"}, `\\x1b]0;pwned`},
		{"names and output of a watched program, headless", []string{"watch", "--headless", "--", "python3", script}, `out \x1b]52;c;aGk=\x07`},
		{"names and output of a watched program, JSON", []string{"watch", "--json", "--", "python3", script}, `\\x1b]0;thr\\x07`},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, errb, code := mtviz(t, c.args...)
			if code == exitUsage {
				t.Fatalf("exit %d: %s", code, errb)
			}
			for name, s := range map[string]string{"stdout": out, "stderr": errb} {
				if bad := obeyed(s); bad != "" {
					t.Errorf("%s holds %s", name, bad)
				}
			}
			if !strings.Contains(out, c.want) {
				t.Errorf("the output lacks %q:\n%s", c.want, out)
			}
		})
	}
	// A recording that names its lesson with an escape is refused; the
	// message quotes it escaped.
	bad := filepath.Join(dir, "bad.jsonl")
	data, _ := os.ReadFile(recording)
	os.WriteFile(bad, []byte(strings.Replace(string(data), `"scenario":"h"`, `"scenario":"\u001b]0;pwned\u0007"`, 1)), 0o600)
	if _, errb, code := mtviz(t, "replay", "--headless", bad); code != exitUsage || obeyed(errb) != "" || !strings.Contains(errb, `is not a lesson id`) {
		t.Errorf("a recording naming its lesson with an escape: exit %d, %q", code, errb)
	}
	// A broken lesson quoted in an error.
	broken := filepath.Join(dir, "broken.yaml")
	os.WriteFile(broken, []byte("title: x\ntasks:\n  - name: main\n    steps: [{frobnicate: \"\x1b]0;pwned\x07\"}]\n"), 0o600)
	if _, errb, code := mtviz(t, "check", broken); code != exitUsage || obeyed(errb) != "" {
		t.Errorf("check of a file quoting an escape: exit %d, %q", code, errb)
	}

	t.Run("screens", func(t *testing.T) {
		screen, title, buffers := hostileScreen(t, "pwned", "replay", recording)
		checkScreen(t, "replay", screen, title, buffers)
		screen, title, buffers = hostileScreen(t, "red", "run", lesson)
		checkScreen(t, "lesson", screen, title, buffers)
		screen, title, buffers = hostileScreen(t, "thr", "watch", "--", "python3", script)
		checkScreen(t, "watch", screen, title, buffers)
	})
}
