package ui

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// Theme is which palette the screens draw with: the dark one for light
// text on a dark background, the light one (darker shades of the same
// colours) for a white or pale background.
type Theme int

const (
	// ThemeAuto asks the terminal for its background (see DetectTheme).
	ThemeAuto Theme = iota
	ThemeDark
	ThemeLight
)

// Themes are the words --theme and MTVIZ_THEME take.
var Themes = []string{"dark", "light", "auto"}

// ParseTheme reads dark, light or auto.
func ParseTheme(s string) (Theme, error) {
	switch s {
	case "dark":
		return ThemeDark, nil
	case "light":
		return ThemeLight, nil
	case "auto":
		return ThemeAuto, nil
	}
	return ThemeAuto, fmt.Errorf("the themes are %s", strings.Join(Themes, ", "))
}

func (t Theme) String() string {
	switch t {
	case ThemeDark:
		return "dark"
	case ThemeLight:
		return "light"
	}
	return "auto"
}

// chosenTheme is what --theme or MTVIZ_THEME asked for.
var chosenTheme = ThemeAuto

// SetTheme records the theme asked for; Run applies it (and detects the
// background for auto) just before the screen opens.
func SetTheme(t Theme) { chosenTheme = t }

// applyTheme chooses the palette once, for the whole run: every colour is
// a lipgloss.AdaptiveColor, and lipgloss picks its Light or Dark shade
// from this. Setting it also keeps lipgloss from asking the terminal
// itself (which it would not do under tmux or screen).
func applyTheme(t Theme) {
	switch {
	case t == ThemeAuto && multiplexed(os.Getenv):
		t = DetectTheme(os.Getenv, queryBackground)
	case t == ThemeAuto:
		// Outside tmux and screen, termenv has asked already, in the same
		// order (Bubble Tea's init asks it before any program takes the
		// terminal): its answer stands, and the terminal is asked once.
		return
	}
	lipgloss.SetHasDarkBackground(t != ThemeLight)
}

// multiplexed says whether mtviz runs under tmux or GNU screen, where
// termenv does not ask the terminal at all (so every light terminal would
// get the dark theme).
func multiplexed(getenv func(string) string) bool {
	term := getenv("TERM")
	return getenv("TMUX") != "" || getenv("STY") != "" || strings.HasPrefix(term, "screen") || strings.HasPrefix(term, "tmux")
}

// DetectTheme works out the background, in this order:
//  1. the terminal's answer to OSC 11 ("what is your background colour?"),
//     asked through screen's passthrough under GNU screen, and asked of
//     tmux itself under tmux (tmux 3.4 and later answer with the colour of
//     the terminal it is attached to; tmux 3.3 does not answer);
//  2. COLORFGBG ("fg;bg", set by rxvt, Konsole and others): a background
//     of 7 or 9-15 is light, any other dark;
//  3. dark.
//
// query sends a query and returns the terminal's reply ("" if none).
func DetectTheme(getenv func(string) string, query func(seq string) string) Theme {
	if query != nil {
		if rgb, ok := parseOSC11(query(osc11Query(getenv))); ok {
			if luminance(rgb) > darkBelow {
				return ThemeLight
			}
			return ThemeDark
		}
	}
	if t, ok := themeFromColorFGBG(getenv("COLORFGBG")); ok {
		return t
	}
	return ThemeDark
}

// darkBelow is the relative luminance under which white text contrasts
// more than black text does: sqrt(1.05 × 0.05) − 0.05.
var darkBelow = math.Sqrt(1.05*0.05) - 0.05

// osc11Query is the background query to send. Under GNU screen (STY set,
// not inside tmux) it is wrapped in screen's DCS passthrough so that the
// outer terminal sees it; tmux answers the plain query itself.
func osc11Query(getenv func(string) string) string {
	if getenv("TMUX") == "" && getenv("STY") != "" {
		return "\x1bP\x1b]11;?\a\x1b\\"
	}
	return "\x1b]11;?\x1b\\"
}

// parseOSC11 finds "]11;rgb:RRRR/GGGG/BBBB" in a terminal's reply (1 to 4
// hex digits a channel) and returns the colour in 8 bits a channel.
func parseOSC11(reply string) ([3]uint8, bool) {
	var rgb [3]uint8
	i := strings.Index(reply, "]11;rgb:")
	if i < 0 {
		return rgb, false
	}
	s := reply[i+len("]11;rgb:"):]
	if j := strings.IndexAny(s, "\a\x1b"); j >= 0 {
		s = s[:j]
	}
	parts := strings.Split(s, "/")
	if len(parts) != 3 {
		return rgb, false
	}
	for k, p := range parts {
		if len(p) < 1 || len(p) > 4 {
			return rgb, false
		}
		v, err := strconv.ParseUint(p, 16, 16)
		if err != nil {
			return rgb, false
		}
		full := uint64(1)<<(4*len(p)) - 1
		rgb[k] = uint8((v*255 + full/2) / full)
	}
	return rgb, true
}

// themeFromColorFGBG reads COLORFGBG's last field, the background's
// colour index.
func themeFromColorFGBG(v string) (Theme, bool) {
	if !strings.Contains(v, ";") {
		return ThemeAuto, false
	}
	f := strings.Split(v, ";")
	bg, err := strconv.Atoi(f[len(f)-1])
	if err != nil || bg < 0 || bg > 255 {
		return ThemeAuto, false
	}
	if luminance(ansiRGB(bg)) > darkBelow {
		return ThemeLight, true
	}
	return ThemeDark, true
}

// ansiRGB is the colour of a 256-colour index: the first 16 as xterm
// shows them by default, then the 6×6×6 cube and the grey ramp.
func ansiRGB(n int) [3]uint8 {
	switch {
	case n < 16:
		return xterm16[n]
	case n < 232:
		n -= 16
		step := func(i int) uint8 {
			if i == 0 {
				return 0
			}
			return uint8(55 + 40*i)
		}
		return [3]uint8{step(n / 36), step(n / 6 % 6), step(n % 6)}
	}
	g := uint8(8 + 10*(n-232))
	return [3]uint8{g, g, g}
}

var xterm16 = [16][3]uint8{
	{0, 0, 0}, {205, 0, 0}, {0, 205, 0}, {205, 205, 0}, {0, 0, 238}, {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
	{127, 127, 127}, {255, 0, 0}, {0, 255, 0}, {255, 255, 0}, {92, 92, 255}, {255, 0, 255}, {0, 255, 255}, {255, 255, 255},
}

// luminance is WCAG's relative luminance of an sRGB colour.
func luminance(c [3]uint8) float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c[0]) + 0.7152*lin(c[1]) + 0.0722*lin(c[2])
}

// contrast is WCAG's contrast ratio of two colours, from 1 to 21.
func contrast(a, b [3]uint8) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// ChosenTheme is the theme asked for (auto until SetTheme).
func ChosenTheme() Theme { return chosenTheme }
