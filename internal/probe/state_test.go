package probe

import (
	"errors"
	"os"
	"testing"
)

func TestParseProcStat(t *testing.T) {
	st, ok := ParseProcStat([]byte(line))
	if !ok || st != (ProcStat{State: Sleeping, PPID: 1, PGRP: 4242, Start: 123456}) {
		t.Fatalf("parsed %+v %v", st, ok)
	}
	zombie := "77 (a) b) Z 1 77 77 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 999 0 0\n"
	if st, ok := ParseProcStat([]byte(zombie)); !ok || st.State != Zombie || !st.State.Gone() || st.Start != 999 {
		t.Errorf("zombie: %+v %v", st, ok)
	}
	for _, in := range []string{"", "1 (x) S 1 2", "1 (x) SS 1 1 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 5", "1 (x) S -1 1 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 5"} {
		if st, ok := ParseProcStat([]byte(in)); ok {
			t.Errorf("parsed %q as %+v", in, st)
		}
	}
}

func TestStateGone(t *testing.T) {
	for s, gone := range map[State]bool{Zombie: true, Dead: true, Running: false, Sleeping: false, DiskSleep: false, Stopped: false} {
		if s.Gone() != gone {
			t.Errorf("%s: Gone() = %v", s, !gone)
		}
	}
}

func TestReadStat(t *testing.T) {
	st, err := ReadStat(os.Getpid())
	if err != nil || st.PPID != os.Getppid() || st.State.Gone() || len(st.State) != 1 || st.Start == 0 {
		t.Errorf("this process: %+v %v", st, err)
	}
	if _, err := ReadStat(1 << 30); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("no such process: %v", err)
	}
}

// FuzzParseProcStat: /proc is outside input too. Seeds are in testdata/stat.
func FuzzParseProcStat(f *testing.F) {
	f.Add([]byte(line))
	addSeeds(f, "testdata/stat/*")
	f.Fuzz(func(t *testing.T, b []byte) {
		st, ok := ParseProcStat(b)
		if ok && (len(st.State) != 1 || st.PPID < 0 || st.PGRP < 0) {
			t.Fatalf("accepted nonsense: %+v", st)
		}
	})
}
