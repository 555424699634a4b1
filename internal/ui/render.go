package ui

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// zooms are the time one lane cell stands for.
var zooms = []time.Duration{
	5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second,
}

const defaultZoom = 3

// sgr is the escape sequences a style puts around text. Lanes are drawn
// every frame, so each glyph's sequences are worked out once per colour
// profile instead of asking lipgloss to style every run.
type sgr struct{ pre, suf string }

type sgrKey struct {
	profile termenv.Profile
	dark    bool // the theme
	r       rune
}

var sgrCache sync.Map // sgrKey → sgr

func codesFor(r rune, st lipgloss.Style) sgr {
	k := sgrKey{lipgloss.ColorProfile(), lipgloss.HasDarkBackground(), r}
	if c, ok := sgrCache.Load(k); ok {
		return c.(sgr)
	}
	out := st.Render("\x00")
	i := strings.IndexByte(out, 0)
	c := sgr{out[:i], out[i+1:]}
	sgrCache.Store(k, c)
	return c
}

// axis draws time labels under the lanes: seconds before now.
func (st *Styles) axis(now, zoom time.Duration, cells int) string {
	line := []rune(strings.Repeat(" ", cells))
	step := 10
	for c := cells; c >= 0; c -= step {
		ago := time.Duration(cells-c) * zoom
		label := "now"
		if ago > 0 {
			label = "-" + shortDur(ago)
		}
		pos := c - len([]rune(label))
		if c == cells {
			pos = cells - 3
		}
		if pos < 0 {
			break
		}
		copy(line[pos:], []rune(label))
		if pos < cells && c < cells {
			line[min(c, cells-1)] = '╵'
		}
	}
	return st.Dim.Render(string(line))
}

func shortDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		s := fmt.Sprintf("%.1fs", d.Seconds())
		return strings.Replace(s, ".0s", "s", 1)
	default:
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
}
