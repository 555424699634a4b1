package cpus

import (
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

func TestUseAndGiveBack(t *testing.T) {
	all := All()
	if all < 1 {
		t.Fatalf("All() = %d", all)
	}
	defer Use(0)
	if err := Use(1); err != nil {
		t.Fatal(err)
	}
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		t.Fatal(err)
	}
	if set.Count() != 1 || runtime.GOMAXPROCS(0) != 1 {
		t.Errorf("after Use(1): affinity %d cores, GOMAXPROCS %d", set.Count(), runtime.GOMAXPROCS(0))
	}
	if err := Use(0); err != nil {
		t.Fatal(err)
	}
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		t.Fatal(err)
	}
	if set.Count() != all || runtime.GOMAXPROCS(0) != all {
		t.Errorf("after Use(0): affinity %d cores, GOMAXPROCS %d; want %d", set.Count(), runtime.GOMAXPROCS(0), all)
	}
}
