package ui

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"mtviz/internal/lesson"
)

// colourRGB is the colour a palette entry names: "#rrggbb" or a 256-colour
// index (the first 16 as xterm shows them by default).
func colourRGB(t *testing.T, c string) [3]uint8 {
	if strings.HasPrefix(c, "#") && len(c) == 7 {
		v, err := strconv.ParseUint(c[1:], 16, 32)
		if err != nil {
			t.Fatal(err)
		}
		return [3]uint8{uint8(v >> 16), uint8(v >> 8), uint8(v)}
	}
	n, err := strconv.Atoi(c)
	if err != nil || n < 0 || n > 255 {
		t.Fatalf("colour %q is neither #rrggbb nor 0-255", c)
	}
	return ansiRGB(n)
}

// Every colour of the light theme reads on white, and every colour of the
// dark theme on black: a WCAG contrast ratio of 3:1 at least.
func TestPaletteContrast(t *testing.T) {
	white, black := [3]uint8{255, 255, 255}, [3]uint8{0, 0, 0}
	for name, c := range palette {
		if r := contrast(colourRGB(t, c.Light), white); r < 3 {
			t.Errorf("light theme: %s (%s) has contrast %.2f:1 on white, under 3:1", name, c.Light, r)
		}
		if r := contrast(colourRGB(t, c.Dark), black); r < 3 {
			t.Errorf("dark theme: %s (%s) has contrast %.2f:1 on black, under 3:1", name, c.Dark, r)
		}
	}
	// The test can fail: the old light shades (the ANSI 16 ones) did.
	if r := contrast(ansiRGB(14), white); r >= 3 {
		t.Errorf("bright cyan on white has contrast %.2f; the contrast sum is wrong", r)
	}
}

func TestContrastKnownValues(t *testing.T) {
	white, black := [3]uint8{255, 255, 255}, [3]uint8{0, 0, 0}
	if r := contrast(white, black); r < 20.99 || r > 21.01 {
		t.Errorf("white on black: %.3f, want 21", r)
	}
	// #767676 is the lightest grey with 4.5:1 on white.
	if r := contrast(colourRGB(t, "#767676"), white); r < 4.5 || r > 4.6 {
		t.Errorf("#767676 on white: %.3f, want 4.54", r)
	}
	if got := ansiRGB(31); got != [3]uint8{0, 0x87, 0xaf} {
		t.Errorf("colour 31 is %v, want #0087af", got)
	}
	if got := ansiRGB(243); got != [3]uint8{0x76, 0x76, 0x76} {
		t.Errorf("colour 243 is %v, want #767676", got)
	}
}

func TestParseOSC11(t *testing.T) {
	for _, c := range []struct {
		in   string
		want [3]uint8
		ok   bool
	}{
		{"\x1b]11;rgb:ffff/ffff/ffff\x1b\\\x1b[12;1R", [3]uint8{255, 255, 255}, true},
		{"\x1b]11;rgb:0000/0000/0000\a", [3]uint8{0, 0, 0}, true},
		{"\x1b]11;rgb:fd/f6/e3\x1b\\", [3]uint8{0xfd, 0xf6, 0xe3}, true},
		{"\x1b]11;rgb:f/8/0\a", [3]uint8{255, 136, 0}, true},
		{"\x1b[12;1R", [3]uint8{}, false},
		{"\x1b]11;rgb:ffff/ffff\a", [3]uint8{}, false},
		{"\x1b]11;rgb:fffff/0/0\a", [3]uint8{}, false},
		{"\x1b]11;rgb:zz/00/00\a", [3]uint8{}, false},
		{"", [3]uint8{}, false},
	} {
		got, ok := parseOSC11(c.in)
		if ok != c.ok || got != c.want {
			t.Errorf("parseOSC11(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDetectTheme(t *testing.T) {
	white := func(string) string { return "\x1b]11;rgb:ffff/ffff/ffff\x1b\\\x1b[1;1R" }
	black := func(string) string { return "\x1b]11;rgb:1e1e/1e1e/1e1e\x1b\\\x1b[1;1R" }
	silent := func(string) string { return "\x1b[1;1R" }
	for _, c := range []struct {
		name  string
		env   map[string]string
		query func(string) string
		want  Theme
	}{
		{"a white terminal", nil, white, ThemeLight},
		{"a dark terminal", nil, black, ThemeDark},
		{"the answer wins over COLORFGBG", map[string]string{"COLORFGBG": "0;15"}, black, ThemeDark},
		{"no answer, COLORFGBG light", map[string]string{"COLORFGBG": "0;15"}, silent, ThemeLight},
		{"no answer, COLORFGBG of three fields", map[string]string{"COLORFGBG": "0;default;7"}, silent, ThemeLight},
		{"no answer, COLORFGBG dark", map[string]string{"COLORFGBG": "15;0"}, silent, ThemeDark},
		{"no answer, COLORFGBG unreadable", map[string]string{"COLORFGBG": "15;default"}, silent, ThemeDark},
		{"no answer, nothing set", nil, silent, ThemeDark},
		{"no terminal", map[string]string{"COLORFGBG": "0;15"}, nil, ThemeLight},
	} {
		if got := DetectTheme(env(c.env), c.query); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// Under GNU screen the query goes through screen's passthrough; under
// tmux (even inside screen) tmux is asked itself.
func TestOSC11QueryUnderMultiplexers(t *testing.T) {
	plain := "\x1b]11;?\x1b\\"
	if q := osc11Query(env(nil)); q != plain {
		t.Errorf("bare terminal: %q", q)
	}
	if q := osc11Query(env(map[string]string{"TMUX": "/tmp/tmux-1/default,1,0", "TERM": "tmux-256color"})); q != plain {
		t.Errorf("tmux: %q", q)
	}
	if q := osc11Query(env(map[string]string{"STY": "1.pts-0.host", "TERM": "screen"})); !strings.HasPrefix(q, "\x1bP") || !strings.HasSuffix(q, "\x1b\\") {
		t.Errorf("screen: %q is not wrapped in DCS", q)
	}
	if q := osc11Query(env(map[string]string{"STY": "1.pts-0.host", "TMUX": "x"})); q != plain {
		t.Errorf("tmux inside screen: %q", q)
	}
}

func TestPositionReport(t *testing.T) {
	for in, want := range map[string]bool{
		"\x1b[12;40R": true, "\x1b]11;rgb:0/0/0\x1b\\\x1b[1;1R": true, "\x1b[12;4": false, "\x1b]11;rgb:0/0/0\x1b\\": false, "": false,
	} {
		if got := positionReport(in); got != want {
			t.Errorf("positionReport(%q) = %v", in, got)
		}
	}
}

func TestParseTheme(t *testing.T) {
	for _, s := range Themes {
		th, err := ParseTheme(s)
		if err != nil || th.String() != s {
			t.Errorf("%s: %v %v", s, th, err)
		}
	}
	if _, err := ParseTheme("Light"); err == nil {
		t.Error("Light is no theme")
	}
}

// The picker and the lane legend in the light theme, colour codes and
// all: a colour that changes shows up as a change in this file.
func TestLightThemeGolden(t *testing.T) {
	prof, dark := lipgloss.ColorProfile(), lipgloss.HasDarkBackground()
	defer func() { lipgloss.SetColorProfile(prof); lipgloss.SetHasDarkBackground(dark) }()
	lipgloss.SetColorProfile(termenv.ANSI256)
	lipgloss.SetHasDarkBackground(false)
	p := newPicker(tc(80, 24), []*lesson.Scenario{builtin(t, "race"), builtin(t, "deadlock"), builtin(t, "event")})
	p.SetSize(80, 12)
	got := p.View() + "\n" + strings.Join(p.st.legendLines(80), "\n") + "\n"
	const file = "testdata/picker-light-80x12.golden"
	if *update {
		os.WriteFile(file, []byte(got), 0o644)
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("light screen changed; run go test ./internal/ui -run LightThemeGolden -update and review the diff\ngot:\n%q", got)
	}
	for _, code := range []string{"38;5;31", "38;5;243", "38;5;28", "38;5;124"} {
		if !strings.Contains(got, code) {
			t.Errorf("light screen has no %s", code)
		}
	}
	for _, code := range []string{"38;5;14m", "38;5;10m", "38;5;11m", "[96m", "[92m", "[93m"} {
		if strings.Contains(got, code) {
			t.Errorf("light screen uses a bright colour (%q)", code)
		}
	}
}
