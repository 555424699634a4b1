package probe

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shirou/gopsutil/v3/cpu"
)

const line = "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 1 0 0 0 150 25 0 0 20 0 7 0 123456 1000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"

func TestParseStat(t *testing.T) {
	st, ok := parseStat([]byte(line), true)
	if !ok {
		t.Fatal("a full line did not parse")
	}
	if st.state != 'S' || st.ppid != 1 || st.ticks != 175 || st.nthreads != 7 || st.processor != 1 || st.comm != "my (odd) name" {
		t.Errorf("parsed %+v", st)
	}
}

func TestParseStatRefusesBrokenLines(t *testing.T) {
	for _, in := range []string{"", "1 (x", "1 (x)", "1 (x) ", "no parens here at all"} {
		if _, ok := parseStat([]byte(in), true); ok {
			t.Errorf("parsed %q", in)
		}
	}
	// A line cut after field 20 still gives state, parent and threads.
	short := strings.Join(strings.Fields(line)[:24], " ")
	if st, ok := parseStat([]byte(short), false); !ok || st.nthreads != 7 {
		t.Errorf("short line: %+v %v", st, ok)
	}
}

// FuzzParseStat: /proc is outside input too. Seeds are in testdata/stat.
func FuzzParseStat(f *testing.F) {
	f.Add([]byte(line))
	addSeeds(f, "testdata/stat/*")
	f.Fuzz(func(t *testing.T, b []byte) {
		st, ok := parseStat(b, true)
		if ok && (st.state == 0 || st.ppid < 0 || st.nthreads < 0) {
			t.Fatalf("accepted nonsense: %+v", st)
		}
	})
}

func TestParseLocks(t *testing.T) {
	in := "1: FLOCK  ADVISORY  WRITE 12345 00:2e:1234 0 EOF\n1: -> FLOCK  ADVISORY  WRITE 12346 00:2e:1234 0 EOF\n2: POSIX  ADVISORY  READ 999 fd:00:77 0 EOF\n"
	got := parseLocks([]byte(in), func(pid int) bool { return pid != 999 })
	if len(got) != 2 || got[0].PID != 12345 || got[0].Waiting || got[1].PID != 12346 || !got[1].Waiting || got[1].File != "00:2e:1234" {
		t.Errorf("parsed %+v", got)
	}
}

// FuzzParseLocks: /proc/locks is outside input too. Seeds are in testdata/locks.
func FuzzParseLocks(f *testing.F) {
	addSeeds(f, "testdata/locks/*")
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, l := range parseLocks(b, func(int) bool { return true }) {
			if l.PID <= 0 || l.File == "" {
				t.Fatalf("accepted %+v", l)
			}
		}
	})
}

// addSeeds adds every file matching a pattern to a fuzzer's seed corpus.
func addSeeds(f *testing.F, pattern string) {
	seeds, _ := filepath.Glob(pattern)
	if len(seeds) == 0 {
		f.Fatalf("no seed files match %s", pattern)
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// The lean /proc/stat reader agrees with gopsutil's.
func TestCPULinesMatchGopsutil(t *testing.T) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		t.Fatal(err)
	}
	ours := parseCPULines(b)
	theirs, err := cpu.Times(true)
	if err != nil {
		t.Fatal(err)
	}
	if len(ours) != len(theirs) || len(ours) == 0 {
		t.Fatalf("%d cores here, %d from gopsutil", len(ours), len(theirs))
	}
	for i := range ours {
		// Read a moment apart: allow a few ticks.
		if d := ours[i].total - cpuTotal(theirs[i]); d < -1 || d > 1 {
			t.Errorf("core %d: total %.2f s here, %.2f s from gopsutil", i, ours[i].total, cpuTotal(theirs[i]))
		}
	}
}

// cpuTotal is the seconds a core's counters add up to, as /proc/stat's
// fields do (guest time is inside user time).
func cpuTotal(c cpu.TimesStat) float64 {
	return c.User + c.System + c.Idle + c.Nice + c.Iowait + c.Irq + c.Softirq + c.Steal
}
