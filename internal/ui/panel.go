package ui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// panel draws a box of exactly w×h cells with a title in its top border.
// Content lines are cut to fit, never wrapped, so the layout cannot shift.
func panel(title, content string, w, h int, focused bool) string {
	if w < 4 || h < 2 {
		return ""
	}
	border := sDim
	titleStyle := sBold
	if focused {
		border = lipgloss.NewStyle().Foreground(cCyan)
		titleStyle = sSelected
	}
	inner := w - 4
	var sb strings.Builder
	t := ansi.Truncate(title, max(0, inner-1), "…")
	fill := w - 4 - ansi.StringWidth(t) - 1
	sb.WriteString(border.Render("╭─ "))
	sb.WriteString(titleStyle.Render(t))
	sb.WriteString(border.Render(" " + strings.Repeat("─", max(0, fill)) + "╮"))
	lines := strings.Split(content, "\n")
	for i := 0; i < h-2; i++ {
		line := ""
		if i < len(lines) {
			line = ansi.Truncate(lines[i], inner, "…")
		}
		sb.WriteByte('\n')
		sb.WriteString(border.Render("│ "))
		sb.WriteString(line)
		if pad := inner - ansi.StringWidth(line); pad > 0 {
			sb.WriteString(strings.Repeat(" ", pad))
		}
		sb.WriteString(border.Render(" │"))
	}
	sb.WriteByte('\n')
	sb.WriteString(border.Render("╰" + strings.Repeat("─", w-2) + "╯"))
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
