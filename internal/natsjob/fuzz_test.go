package natsjob

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzParseResult: whatever arrives as a result is refused or read back as
// a task id in range and a square that formats to the same bytes.
func FuzzParseResult(f *testing.F) {
	for _, s := range []string{"7 49", "1 1", "3000000000 9000000000000000000", "0 0", "7  49", "7 49 ", "-7 49", "7 +49", "", " ", "99999999999 1"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		id, sq, err := ParseResult(b)
		if err != nil {
			return
		}
		if id < 1 || id > maxTaskID || sq < 0 {
			t.Fatalf("%q read as %d %d", b, id, sq)
		}
		if normalize(string(b)) != string(formatResult(id, sq)) {
			t.Fatalf("%q read as %d %d", b, id, sq)
		}
	})
}

func normalize(s string) string {
	a, b, _ := strings.Cut(s, " ")
	trim := func(x string) string {
		x = strings.TrimLeft(x, "0")
		if x == "" {
			return "0"
		}
		return x
	}
	return trim(a) + " " + trim(b)
}

// FuzzParseTask: a task is a number from 1 to maxTaskID, or refused.
func FuzzParseTask(f *testing.F) {
	for _, s := range []string{"1", "42", "3000000000", "3000000001", "0", "-1", "1e3", "", "0000000001"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := ParseTask(b)
		if err == nil && (n < 1 || n > maxTaskID || strings.TrimLeft(string(b), "0") != strconv.FormatInt(n, 10)) {
			t.Fatalf("%q read as %d", b, n)
		}
	})
}

// FuzzParseToken: a key read from a file is printable, without spaces,
// at least 8 long, and is the file's first line trimmed.
func FuzzParseToken(f *testing.F) {
	for _, s := range []string{"0123456789abcdef\n", "  key-with-spaces around  \n", "short", "\x1b]52;c;evil\x07", "a\nsecond-line-ignored", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := ParseToken(b)
		if err != nil {
			return
		}
		if len(tok) < 8 || strings.ContainsFunc(tok, func(r rune) bool { return r <= ' ' || r > '~' }) {
			t.Fatalf("%q taken as %q", b, tok)
		}
		line, _, _ := strings.Cut(string(b), "\n")
		if strings.TrimSpace(line) != tok {
			t.Fatalf("%q taken as %q", b, tok)
		}
	})
}

// FuzzRefusedAddr: only a line about a refused key yields an address, and
// it is an address.
func FuzzRefusedAddr(f *testing.F) {
	for _, s := range []string{"127.0.0.1:5555 - cid:5 - authentication error", "[::1]:4 - cid:1 - authentication error", "127.0.0.1:5555 - cid:5 - slow consumer", "x - authentication error", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		addr, ok := RefusedAddr(line)
		if ok && (!strings.Contains(line, "authentication error") || !strings.HasPrefix(line, addr+" - ")) {
			t.Fatalf("%q gave %q", line, addr)
		}
	})
}

// FuzzParseBrokerLine: a broker's line is taken only as a loopback URL or
// a client address, never both.
func FuzzParseBrokerLine(f *testing.F) {
	for _, s := range []string{`{"url":"nats://127.0.0.1:4222"}`, `{"refused":"127.0.0.1:5000"}`, `{"url":"nats://10.0.0.1:4222"}`,
		`{"url":"nats://127.0.0.1:1","refused":"127.0.0.1:2"}`, `{"x":1}`, `{}`, `not json`, `{"url":"nats://127.0.0.1:4222"} {}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := ParseBrokerLine(b)
		if err != nil {
			return
		}
		if (l.URL == "") == (l.Refused == "") {
			t.Fatalf("%q taken as %+v", b, l)
		}
		if l.URL != "" && !strings.HasPrefix(l.URL, "nats://127.") && !strings.HasPrefix(l.URL, "nats://[::1]") && !strings.HasPrefix(l.URL, "nats://[") {
			t.Fatalf("%q taken as %+v", b, l)
		}
	})
}

// FuzzParseTasks: a task message is one task or a run of at most
// MaxPerMessage, in order, each in range.
func FuzzParseTasks(f *testing.F) {
	for _, s := range []string{"5", "1-64", "64-1", "1-1", "1-2000", "3000000000-3000000001", "-", "1-", "-1", "1--2"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		first, last, err := ParseTasks(b)
		if err != nil {
			return
		}
		if first < 1 || last < first || last > maxTaskID || last-first >= MaxPerMessage {
			t.Fatalf("%q read as %d-%d", b, first, last)
		}
	})
}

// FuzzParseResults: every line is either one result or counted bad.
func FuzzParseResults(f *testing.F) {
	for _, s := range []string{"1 1\n2 4", "1 1\n\n2 4\n", "x\n3 9", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		n := 0
		bad := ParseResults(b, func(id, sq int64) { n++ })
		lines := 0
		if len(b) > 0 {
			lines = strings.Count(strings.TrimSuffix(string(b), "\n"), "\n") + 1
		}
		if n+bad != lines && !(len(b) > 0 && b[len(b)-1] == '\n' && n+bad == lines) {
			t.Fatalf("%q: %d results and %d bad of %d lines", b, n, bad, lines)
		}
	})
}

// FuzzParseAnswer: a master's answer is refused, or read as "ok" and task
// ids that format back to the same bytes.
func FuzzParseAnswer(f *testing.F) {
	for _, s := range []string{"ok", "ok\n7", "ok\n7\n8", "ok\n", "ok\n+7", "ok7", "error: no", "ok\n0", "ok\n\n7", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		dups, err := parseAnswer(b)
		if err != nil {
			return
		}
		ids := make([]string, 0, len(dups))
		for _, l := range strings.Split(string(b), "\n")[1:] {
			id, _ := strconv.ParseInt(l, 10, 64)
			if !dups[id] || strconv.FormatInt(id, 10) != strings.TrimLeft(l, "0") {
				t.Fatalf("%q read as %v", b, dups)
			}
			ids = append(ids, l)
		}
		if want := strings.Join(append([]string{"ok"}, ids...), "\n"); want != string(b) {
			t.Fatalf("%q read as %v", b, dups)
		}
	})
}
