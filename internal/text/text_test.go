package text

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Hostile strings: an OSC 0 title, an OSC 52 clipboard write, a CSI, a
// bare control byte, the same as 8-bit C1 controls, and bytes that are not
// UTF-8 (a lone 0x9b is CSI on a terminal reading 8-bit controls).
var hostile = []string{
	"\x1b]0;pwned\x07",
	"\x1b]52;c;aGk=\x07",
	"\x1b[2J\x1b[31mred",
	"bell\x07 and nul\x00 and del\x7f",
	"c1 csi \u009b2J and osc \u009d0;x\u009c",
	"raw \x9b2J and \xc2",
	"cr\roverwrites",
}

func terminalSafe(s string) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if bad(r) || r == utf8.RuneError && n == 1 {
			return false
		}
		i += n
	}
	return true
}

func TestCleanEscapesEveryControl(t *testing.T) {
	for _, s := range hostile {
		c := Clean(s)
		if !terminalSafe(c) || strings.Contains(c, "\n") {
			t.Errorf("Clean(%q) = %q: a control is left", s, c)
		}
		if Clean(c) != c {
			t.Errorf("Clean is not idempotent on %q", c)
		}
		if !Dirty(s) {
			t.Errorf("Dirty(%q) is false", s)
		}
	}
	for s, want := range map[string]string{
		"\x1b]0;x\x07": `\x1b]0;x\x07`,
		"a\tb":         "a b",
		"\u009b":       `\x9b`,
		"\x9b":         `\x9b`,
		"é ✔ 日本":       "é ✔ 日本",
		"two\nlines":   `two\x0alines`,
	} {
		if got := Clean(s); got != want {
			t.Errorf("Clean(%q) = %q, want %q", s, got, want)
		}
	}
	if got := CleanLines("one\x1b]2;t\x07\ntwo"); got != "one\\x1b]2;t\\x07\ntwo" {
		t.Errorf("CleanLines: %q", got)
	}
}

// JSON through the writer reads back the same strings, and holds no byte a
// terminal would obey, even where encoding/json leaves them raw.
func TestJSONWriterEscapesDELAndC1(t *testing.T) {
	for _, s := range hostile {
		var b bytes.Buffer
		if err := json.NewEncoder(NewJSONWriter(&b)).Encode(map[string]string{"k": s}); err != nil {
			t.Fatal(err)
		}
		if !terminalSafe(strings.TrimSuffix(b.String(), "\n")) {
			t.Errorf("JSON of %q: %q", s, b.String())
		}
		var back map[string]string
		if err := json.Unmarshal(b.Bytes(), &back); err != nil {
			t.Fatalf("%q: %v", b.String(), err)
		}
		if want := strings.ToValidUTF8(s, "\ufffd"); back["k"] != want {
			t.Errorf("read back %q, want %q", back["k"], want)
		}
	}
	// A C1 control split between two writes.
	var b bytes.Buffer
	w := NewJSONWriter(&b)
	w.Write([]byte("\"a\xc2"))
	w.Write([]byte("\x9b\xc2\xa9\""))
	if b.String() != `"a\u009b©"` {
		t.Errorf("split write: %q", b.String())
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Clean(s)
		if !terminalSafe(c) || strings.Contains(c, "\n") || Clean(c) != c || Dirty(c) {
			t.Errorf("Clean(%q) = %q", s, c)
		}
		if !Dirty(s) && c != s {
			t.Errorf("clean text changed: %q -> %q", s, c)
		}
		if l := CleanLines(s); !terminalSafe(strings.ReplaceAll(l, "\n", "")) || DirtyLines(l) || DirtyLines(s) != (l != s) {
			t.Errorf("CleanLines(%q) = %q", s, l)
		}
	})
}
