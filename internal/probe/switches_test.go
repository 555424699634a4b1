package probe

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// Real status files, with the counts they hold.
var statusFiles = []struct {
	path string
	want Switches
}{
	{"testdata/status/sleep", Switches{Vol: 1, Invol: 6}},
	{"testdata/status/ksoftirqd", Switches{Vol: 13416, Invol: 1192}},
}

func TestParseSwitches(t *testing.T) {
	for _, f := range statusFiles {
		b, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := parseSwitches(b)
		if !ok || got != f.want {
			t.Errorf("%s: got %+v %v, want %+v", f.path, got, ok, f.want)
		}
		// Cut anywhere, a file gives its true counts or nothing: never a
		// number that lost its last digits.
		last := strings.LastIndexByte(string(b), '\n')
		for n := range len(b) {
			got, ok := parseSwitches(b[:n])
			if ok && got != f.want || ok && n <= last {
				t.Fatalf("%s cut to %d bytes: got %+v %v", f.path, n, got, ok)
			}
		}
	}
}

func TestParseSwitchesRefusesGarbage(t *testing.T) {
	for _, in := range []string{
		"",
		"voluntary_ctxt_switches:\t5\n",
		"nonvoluntary_ctxt_switches:\t5\n",
		"voluntary_ctxt_switches:\t5\nnonvoluntary_ctxt_switches:\t\n",
		"voluntary_ctxt_switches:\t5\nnonvoluntary_ctxt_switches:\t-1\n",
		"voluntary_ctxt_switches:\t5x\nnonvoluntary_ctxt_switches:\t1\n",
		"voluntary_ctxt_switches:\t18446744073709551616\nnonvoluntary_ctxt_switches:\t1\n",
		"voluntary_ctxt_switches: 5 \nnonvoluntary_ctxt_switches:\t1\n",
		"\x00\xff garbage\n\n\n",
	} {
		if got, ok := parseSwitches([]byte(in)); ok {
			t.Errorf("parsed %q as %+v", in, got)
		}
	}
	largest := "voluntary_ctxt_switches:\t18446744073709551615\nnonvoluntary_ctxt_switches: 0\n"
	if got, ok := parseSwitches([]byte(largest)); !ok || got.Vol != 1<<64-1 {
		t.Errorf("the largest count: %+v %v", got, ok)
	}
}

// Reading the switches of every thread at 10 Hz must not feed the garbage
// collector.
func TestParseSwitchesAllocatesNothing(t *testing.T) {
	b, err := os.ReadFile(statusFiles[0].path)
	if err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { parseSwitches(b) }); n != 0 {
		t.Errorf("%.0f allocations per parse", n)
	}
}

// parseSwitchesPlain is parseSwitches written the obvious way, as the
// fuzzer's reference.
func parseSwitchesPlain(b []byte) (Switches, bool) {
	var sw Switches
	var vol, invol bool
	lines := strings.Split(string(b), "\n")
	for _, line := range lines[:len(lines)-1] { // the last has no newline
		for _, c := range []struct {
			key  string
			v    *uint64
			seen *bool
		}{{"voluntary_ctxt_switches:", &sw.Vol, &vol}, {"nonvoluntary_ctxt_switches:", &sw.Invol, &invol}} {
			rest, found := strings.CutPrefix(line, c.key)
			if !found {
				continue
			}
			rest = strings.TrimLeft(rest, " \t")
			n, err := strconv.ParseUint(rest, 10, 64)
			if err != nil {
				return Switches{}, false
			}
			*c.v, *c.seen = n, true
		}
	}
	if !vol || !invol {
		return Switches{}, false
	}
	return sw, true
}

// FuzzParseSwitches: status files are outside input too. Seeds are in
// testdata/status and testdata/fuzz/FuzzParseSwitches.
func FuzzParseSwitches(f *testing.F) {
	addSeeds(f, "testdata/status/*")
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := parseSwitches(b)
		want, wantOK := parseSwitchesPlain(b)
		if got != want || ok != wantOK {
			t.Fatalf("got %+v %v, the plain parser %+v %v", got, ok, want, wantOK)
		}
	})
}

func TestSwitchCount(t *testing.T) {
	var c switchCount
	steps := []struct{ in, want Switches }{
		{Switches{100, 10}, Switches{}}, // a base, not a burst of 100
		{Switches{103, 10}, Switches{3, 0}},
		{Switches{103, 12}, Switches{0, 2}},
		{Switches{2, 1}, Switches{}}, // went back: another task, a new base
		{Switches{7, 1}, Switches{5, 0}},
	}
	for i, s := range steps {
		if got := c.update(s.in); got != s.want {
			t.Errorf("step %d: %+v gave %+v, want %+v", i, s.in, got, s.want)
		}
	}
}
