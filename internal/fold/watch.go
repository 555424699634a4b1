package fold

import (
	"fmt"
	"mtviz/internal/words"
	"time"

	"mtviz/internal/lesson"
	"mtviz/internal/probe"
	"mtviz/internal/text"
)

// maxWatchLanes bounds what a long watch of a busy build keeps.
const maxWatchLanes = 2000

// watchLanes gives a watched program a lane per thread of every process in
// its tree, each drawn by the state /proc read: the process's main thread
// as "comm PID", its other threads indented under it. A thread no longer
// in the sample has ended.
func (tl *Timeline) watchLanes(s *probe.Sample, interval time.Duration) {
	// The locks and switches panels show this sample's reading.
	tl.VerObjects++
	tl.VerCounters++
	if tl.byTID == nil {
		tl.byTID = map[int]*Lane{}
	}
	seen := map[*Lane]bool{}
	for _, pp := range s.Procs {
		if tl.Procs[pp.PID] == nil {
			continue // not in the watched tree
		}
		threads := pp.Threads
		if len(threads) == 0 {
			threads = []probe.Thread{{TID: pp.PID, Name: pp.Name, State: pp.State, CPU: pp.CPU, Core: pp.Core}}
		}
		for _, th := range threads {
			name := fmt.Sprintf("%s %d", text.Clean(pp.Name), pp.PID)
			if th.TID != pp.PID {
				n := th.Name
				if n == "" {
					n = pp.Name
				}
				name = fmt.Sprintf(" ├ %s %d", text.Clean(n), th.TID)
			}
			// A lane is a thread: its name follows the thread's (a shell
			// that execs python3 keeps its PID and changes its name).
			l := tl.byTID[th.TID]
			at := s.T - interval
			if l == nil || l.InPID != pp.PID || l.CurrentOS().State == OSGone {
				if len(tl.Lanes) >= maxWatchLanes {
					if !tl.lanesFull {
						tl.lanesFull = true
						tl.addLog(Entry{T: s.T, Who: "mtviz", Text: words.F("more than %d threads seen: later ones get no lane (the Processes panel still lists their processes)", maxWatchLanes)})
					}
					continue
				}
				if old := tl.byName[name]; old != nil {
					name = fmt.Sprintf("%s (%d)", name, len(tl.Lanes))
				}
				l = tl.lane(name)
				l.Kind, l.PID, l.InPID = lesson.Process, th.TID, pp.PID
				tl.byTID[th.TID] = l
				at = s.T
			} else if l.Name != name && tl.byName[name] == nil {
				delete(tl.byName, l.Name)
				l.Name = name
				tl.byName[name] = l
			}
			seen[l] = true
			l.addOS(OSSeg{T: max(0, at), State: osStateOf(pp.State, th.State, th.CPU), Where: th.Core})
		}
	}
	for _, l := range tl.Lanes {
		if !seen[l] && len(l.OS) > 0 && l.CurrentOS().State != OSGone {
			l.addOS(OSSeg{T: s.T, State: OSGone})
		}
	}
}

// osStateOf reads a thread's /proc state: R with CPU time over the interval
// ran, R without it waited for a core.
func osStateOf(procState, state probe.State, cpu float64) OSState {
	if procState == probe.Zombie || state.Gone() {
		return OSZombie
	}
	switch state {
	case probe.Running:
		if cpu > 0 {
			return OSRunning
		}
		return OSRunnable
	case probe.DiskSleep:
		return OSDisk
	case probe.Stopped, probe.Traced:
		return OSStopped
	}
	return OSSleeping
}
