package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// flagsMark stands, in a command's usage text, where the list of its flags
// goes: each flag is described once, where it is registered, and the list
// is made from the flag set, so the two never drift apart.
const flagsMark = "{{flags}}"

// helpText is a command's --help: its usage text with the list of its flags
// in place of flagsMark.
func helpText(fs *flag.FlagSet, usage string) string {
	return strings.Replace(usage, flagsMark+"\n", flagList(fs), 1)
}

// flagList lists a flag set's flags, by name: `  --cores N    text (default 4)`,
// the text wrapped to 78 columns.
func flagList(fs *flag.FlagSet) string {
	const col, width = 20, 78
	var b strings.Builder
	fs.VisitAll(func(f *flag.Flag) {
		arg, text := flag.UnquoteUsage(f)
		if _, isBool := f.Value.(interface{ IsBoolFlag() bool }); isBool {
			arg = ""
		}
		if d := f.DefValue; d != "" && d != "0" && d != "false" && d != "0s" && d != "[]" && !strings.Contains(text, "(default") {
			text += " (default " + d + ")"
		}
		head := "  --" + f.Name
		if arg != "" {
			head += " " + arg
		}
		lines := wrapWords(text, width-col)
		if len(head) >= col-1 {
			b.WriteString(head + "\n")
		} else {
			b.WriteString(fmt.Sprintf("%-*s%s\n", col, head, lines[0]))
			lines = lines[1:]
		}
		for _, l := range lines {
			b.WriteString(strings.Repeat(" ", col) + l + "\n")
		}
	})
	return b.String()
}

// wrapWords breaks text into lines of at most width columns, between words.
func wrapWords(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		switch {
		case line == "":
			line = w
		case ansi.StringWidth(line)+1+ansi.StringWidth(w) > width:
			lines = append(lines, line)
			line = w
		default:
			line += " " + w
		}
	}
	return append(lines, line)
}
