// Package text is the one place where text from outside mtviz becomes text
// a terminal may show. A recording, /proc (a process's comm, command line
// and thread names), a lesson file, a server and a program's output can all
// hold escape sequences (OSC 0 and 2 retitle the terminal, OSC 52 writes its
// clipboard, CSI moves the cursor) or bare control bytes; Clean shows them
// as \xNN instead. Every such string passes Clean where it enters mtviz
// (the session's items, the recording reader, the scenario loader's free
// text, error messages), so that every view, headless line and JSON string
// made from it is clean; JSON output also goes through NewJSONWriter.
package text

import (
	"io"
	"strings"
	"unicode/utf8"
)

// bad reports whether a rune must not reach a terminal as is: C0 controls
// (ESC, BEL, CR...), DEL and C1 controls (U+0080 to U+009F: U+009B is CSI
// and U+009D OSC on terminals that read 8-bit controls).
func bad(r rune) bool { return r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f }

// Dirty reports whether Clean would change s.
func Dirty(s string) bool { return dirty(s, false) }

// DirtyLines reports whether CleanLines would change s.
func DirtyLines(s string) bool { return dirty(s, true) }

func dirty(s string, lines bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && !(lines && c == '\n') || c == 0x7f || c >= 0x80 {
			return dirtyFrom(s, i, lines)
		}
	}
	return false
}

// dirtyFrom looks at runes from byte i on, once a byte that may start a
// control (or invalid UTF-8) is found.
func dirtyFrom(s string, i int, lines bool) bool {
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if bad(r) && !(lines && r == '\n') || r == utf8.RuneError && n == 1 {
			return true
		}
		i += n
	}
	return false
}

// Clean makes outside text safe to print on one line: control characters,
// DEL, C1 controls and bytes that are not UTF-8 are shown as \xNN, and a
// tab as a space. Clean of clean text is the text itself.
func Clean(s string) string { return clean(s, false) }

// CleanLines is Clean for text of several lines (a lesson's text, an error
// with an excerpt of a file): newlines are kept.
func CleanLines(s string) string { return clean(s, true) }

const hex = "0123456789abcdef"

func clean(s string, lines bool) string {
	if !dirty(s, lines) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\t':
			b.WriteByte(' ')
		case r == '\n' && lines:
			b.WriteByte('\n')
		case r == utf8.RuneError && n == 1:
			escape(&b, s[i])
		case bad(r):
			// A C1 control is two bytes in UTF-8; it is shown by its
			// code point, as \x9b.
			escape(&b, byte(r))
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func escape(b *strings.Builder, c byte) {
	b.WriteString(`\x`)
	b.WriteByte(hex[c>>4])
	b.WriteByte(hex[c&0xf])
}

// CleanAll cleans every string of a list in place, and returns it.
func CleanAll(ss []string) []string {
	for i, s := range ss {
		if Dirty(s) {
			ss[i] = Clean(s)
		}
	}
	return ss
}

// NewJSONWriter writes JSON to w with DEL and the C1 controls escaped as
// \u007f and \u0080 to \u009f, which encoding/json leaves raw: the JSON
// reads back the same, and a terminal showing it obeys none of them.
// (encoding/json already escapes C0 controls, and writes invalid UTF-8 as
// U+FFFD.) Outside strings, valid JSON holds no such byte.
func NewJSONWriter(w io.Writer) io.Writer { return &jsonWriter{w: w} }

type jsonWriter struct {
	w    io.Writer
	lead bool // the last byte written was 0xC2, the first of a C1 control
	buf  []byte
}

func (j *jsonWriter) Write(p []byte) (int, error) {
	clean := !j.lead
	for _, c := range p {
		if c == 0x7f || c == 0xc2 {
			clean = false
			break
		}
	}
	if clean {
		return j.w.Write(p)
	}
	out := j.buf[:0]
	for _, c := range p {
		switch {
		case j.lead && c >= 0x80 && c <= 0x9f:
			out = append(out, `\u00`...)
			out = append(out, hex[c>>4], hex[c&0xf])
			j.lead = false
			continue
		case j.lead:
			out = append(out, 0xc2)
			j.lead = false
		}
		switch c {
		case 0x7f:
			out = append(out, `\u007f`...)
		case 0xc2:
			j.lead = true // held until the next byte says what it starts
		default:
			out = append(out, c)
		}
	}
	j.buf = out
	if _, err := j.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
