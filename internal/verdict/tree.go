package verdict

import (
	"mtviz/internal/event"
	"mtviz/internal/lesson"
	"mtviz/internal/probe"
)

// maxTree bounds the PIDs a run's tree remembers.
const maxTree = 1 << 16

// tree is the run's processes: mtviz, every process the engine started,
// and every process whose parent is one of them, as /proc read it.
type tree struct {
	root int
	has  map[int]bool
}

func (t *tree) init(root int) {
	t.root, t.has = root, map[int]bool{root: true}
}

func (t *tree) add(pid int) {
	if pid > 0 && len(t.has) < maxTree {
		t.has[pid] = true
	}
}

// sample takes in the processes whose parent is in the tree; a grandchild
// read in the same sample as its parent counts too.
func (t *tree) sample(s *probe.Sample) {
	for grew := true; grew; {
		grew = false
		for _, p := range s.Procs {
			if !t.has[p.PID] && t.has[p.PPID] && len(t.has) < maxTree {
				t.has[p.PID], grew = true, true
			}
		}
	}
}

// counts follows the lesson's counters as the run reported them: mtviz's
// own copy and each process's, by the task that keeps it.
type counts struct {
	start map[string]int64
	last  map[copyKey]int64
	lost  int64 // updates lost to a stale write, over the rounds that ended
}

type copyKey struct{ counter, task string }

func (c *counts) init(sc *lesson.Scenario) {
	c.start, c.last = map[string]int64{}, map[copyKey]int64{}
	for _, o := range sc.Objects {
		if o.Kind == lesson.Counter {
			c.start[o.Name] = o.Value
		}
	}
}

func (c *counts) event(ev *event.Event) {
	x := ev.CounterChange()
	if _, ok := c.start[x.Object]; ok {
		c.last[copyKey{x.Object, ev.Task}] = x.Value
	}
}

// added is what every copy of a counter added to its start, together.
func (c *counts) added(counter string) int64 {
	var n int64
	for k, v := range c.last {
		if k.counter == counter {
			n += v - c.start[counter]
		}
	}
	return n
}
