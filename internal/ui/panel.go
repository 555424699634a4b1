package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// panel draws a box of exactly w×h cells with a title in its top border.
// Content lines are cut to fit, never wrapped, so the layout cannot shift.
func panel(title, content string, w, h int, focused bool) string {
	if w < 4 || h < 2 {
		return ""
	}
	// The border's escape codes are worked out once (codesFor), not styled
	// line by line: panels are drawn every frame.
	border := codesFor('│'|1<<21, sDim)
	tc := codesFor('T'|1<<21, sBold)
	if focused {
		border = codesFor('│'|1<<22, sFocusBorder)
		tc = codesFor('T'|1<<22, sSelected)
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
		for _, word := range strings.Fields(strings.Join(para, " ")) {
			if !first && ansi.StringWidth(line)+1+ansi.StringWidth(word) > w {
				out = append(out, line)
				line = strings.Repeat(" ", len(indent))
				if indent == "- " {
					line = "  "
				}
				first = true
			}
			if !first {
				line += " "
			}
			line += word
			first = false
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
