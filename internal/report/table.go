package report

import (
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// table writes rows in columns two cells apart, measured in terminal cells
// (a Chinese word takes two a character, which text/tabwriter, counting
// runes, would misalign). Left-aligned, the last column is written as it
// is; right-aligned, every column is padded on its left.
func table(w io.Writer, rows [][]string, right bool) {
	var widths []int
	for _, row := range rows {
		for i, c := range row {
			if i == len(row)-1 && !right {
				break
			}
			for len(widths) <= i {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], ansi.StringWidth(c))
		}
	}
	var b strings.Builder
	for _, row := range rows {
		b.Reset()
		for i, c := range row {
			if i == len(row)-1 && !right {
				b.WriteString(c)
				break
			}
			pad := strings.Repeat(" ", widths[i]+2-ansi.StringWidth(c))
			if right {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
		}
		b.WriteByte('\n')
		io.WriteString(w, b.String())
	}
}
