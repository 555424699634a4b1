package ui

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// panel draws a box of exactly w×h cells with a title in its top border.
// Content lines are cut to fit, never wrapped, so the layout cannot shift.
func (st *Styles) panel(title, content string, w, h int, focused bool) string {
	if w < 4 || h < 2 {
		return ""
	}
	// The border's escape codes are worked out once (codesFor), not styled
	// line by line: panels are drawn every frame.
	border := codesFor('│'|1<<21, st.Dim)
	tc := codesFor('T'|1<<21, st.Bold)
	if focused {
		border = codesFor('│'|1<<22, st.FocusBorder)
		tc = codesFor('T'|1<<22, st.Selected)
	}
	paint := func(sb *strings.Builder, c sgr, s string) {
		sb.WriteString(c.pre)
		sb.WriteString(s)
		sb.WriteString(c.suf)
	}
	inner := w - 4
	var sb strings.Builder
	tt := ansi.Truncate(title, max(0, inner-1), "…")
	fill := w - 4 - ansi.StringWidth(tt) - 1
	paint(&sb, border, "╭─ ")
	paint(&sb, tc, tt)
	paint(&sb, border, " "+strings.Repeat("─", max(0, fill))+"╮")
	lines := strings.Split(content, "\n")
	for i := 0; i < h-2; i++ {
		line := ""
		width := 0
		if i < len(lines) {
			line = lines[i]
			width = ansi.StringWidth(line)
			if width > inner {
				line = ansi.Truncate(line, inner, "…")
				width = ansi.StringWidth(line)
			}
		}
		sb.WriteByte('\n')
		paint(&sb, border, "│ ")
		sb.WriteString(line)
		if pad := inner - width; pad > 0 {
			sb.WriteString(strings.Repeat(" ", pad))
		}
		paint(&sb, border, " │")
	}
	sb.WriteByte('\n')
	paint(&sb, border, "╰"+strings.Repeat("─", w-2)+"╯")
	return sb.String()
}

// fitLines cuts or pads text to exactly h lines of at most w cells.
func fitLines(s string, w, h int) string {
	if h <= 0 || w <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = ansi.Truncate(lines[i], w, "…")
		}
	}
	return strings.Join(out, "\n")
}

// wrap lays out lesson text in lines of at most w cells. Lines of a paragraph
// are joined and re-broken; a blank line ends a paragraph, "- " starts a list
// item (its continuation lines are indented two spaces) and lines indented
// four spaces or more are kept as they are, like code in Markdown.
func wrap(text string, w int) []string {
	if w < 10 {
		w = 10
	}
	var out []string
	var para []string
	indent := ""
	flush := func() {
		if len(para) == 0 {
			return
		}
		line := indent
		first := true
		cont := strings.Repeat(" ", len(indent))
		if indent == "- " {
			cont = "  "
		}
		for _, word := range strings.Fields(strings.Join(para, " ")) {
			for word != "" {
				room := w - ansi.StringWidth(line)
				if !first {
					room--
				}
				piece, rest := word, ""
				if ansi.StringWidth(word) > room && (breakable(word) || first && ansi.StringWidth(word) > w-ansi.StringWidth(line)) {
					// A script written without spaces (Chinese, Japanese)
					// breaks between any two characters, as does a word
					// wider than the line.
					piece, rest = cutCells(word, room)
					if p := wholeRun(piece, rest); p != "" || !first {
						// Latin words and numbers in Chinese prose
						// (Runnable, I/O, 2.5) are not cut: they move on.
						piece, rest = p, word[len(p):]
					}
				}
				if piece == "" || !first && ansi.StringWidth(piece) > room {
					out = append(out, line)
					line, first = cont, true
					continue
				}
				if !first {
					line += " "
				}
				line += piece
				first = false
				word = rest
			}
		}
		out = append(out, line)
		para, indent = nil, ""
	}
	for _, raw := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		switch {
		case strings.TrimSpace(raw) == "":
			flush()
			out = append(out, "")
		case strings.HasPrefix(raw, "    "):
			flush()
			out = append(out, raw)
		case strings.HasPrefix(raw, "- "):
			flush()
			indent = "- "
			para = append(para, strings.TrimPrefix(raw, "- "))
		default:
			para = append(para, strings.TrimSpace(raw))
		}
	}
	flush()
	return out
}

// breakable is whether a word is of a script that breaks between any two
// characters: one with wide (East Asian) characters.
func breakable(word string) bool { return ansi.StringWidth(word) > len([]rune(word)) }

// wholeRun is piece without its tail when a cut at its end would split a
// run of narrow characters (a Latin word, a number) that rest goes on with.
func wholeRun(piece, rest string) string {
	narrow := func(r rune) bool { return !unicode.IsSpace(r) && ansi.StringWidth(string(r)) == 1 }
	last, _ := utf8.DecodeLastRuneInString(piece)
	next, _ := utf8.DecodeRuneInString(rest)
	if piece == "" || rest == "" || !narrow(last) || !narrow(next) {
		return piece
	}
	return strings.TrimRightFunc(piece, narrow)
}

// cutCells splits s after at most n terminal cells.
func cutCells(s string, n int) (string, string) {
	w := 0
	for i, r := range s {
		rw := ansi.StringWidth(string(r))
		if w+rw > n {
			return s[:i], s[i:]
		}
		w += rw
	}
	return s, ""
}
