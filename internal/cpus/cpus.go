// Package cpus limits the process to some of the cores it started with, and
// gives them back: GOMAXPROCS for goroutines, and CPU affinity, which every
// thread and every child process inherits. A comparison runs one variant on
// one core and the next on all of them, in the same process.
package cpus

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

var (
	mu       sync.Mutex
	once     sync.Once
	original unix.CPUSet
	procs    int
	origErr  error
	current  int // what Use was last given
)

// Current is the cores the process is limited to now (0: every core).
func Current() int {
	mu.Lock()
	defer mu.Unlock()
	return current
}

// All is how many cores the process had at start.
func All() int {
	start()
	return original.Count()
}

func start() {
	once.Do(func() {
		origErr = unix.SchedGetaffinity(0, &original)
		procs = runtime.GOMAXPROCS(0)
	})
}

// Use makes the process use its first n cores; n <= 0 gives every core back.
func Use(n int) error {
	start()
	if origErr != nil {
		return fmt.Errorf("read CPU affinity: %w", origErr)
	}
	mu.Lock()
	defer mu.Unlock()
	set, gomax := original, procs
	if n > 0 {
		set = unix.CPUSet{}
		for cpu, k := 0, 0; cpu < 1024 && k < n; cpu++ {
			if original.IsSet(cpu) {
				set.Set(cpu)
				k++
			}
		}
		gomax = n
	}
	// Affinity is per thread: set it on every thread that exists now; threads
	// made later are cloned from these and inherit it.
	tids, err := threadIDs()
	if err != nil {
		return err
	}
	for _, tid := range tids {
		// A thread may end meanwhile: that is no error.
		if err := unix.SchedSetaffinity(tid, &set); err != nil && err != unix.ESRCH {
			return fmt.Errorf("set CPU affinity: %w", err)
		}
	}
	runtime.GOMAXPROCS(gomax)
	current = max(0, n)
	return nil
}

func threadIDs() ([]int, error) {
	d, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil, err
	}
	var out []int
	for _, e := range d {
		if tid, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, tid)
		}
	}
	return out, nil
}
