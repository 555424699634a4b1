package fold

import (
	"slices"
	"time"

	"mtviz/internal/event"
	"mtviz/internal/words"

	"mtviz/internal/probe"
	"mtviz/internal/text"
)

// sample folds one probe sample: the process tree, the OS state of each
// process task's lane, a watched program's threads, flocks and the cores.
func (tl *Timeline) sample(s *probe.Sample) {
	tl.VerProcs++
	if tl.Sample != nil {
		tl.PrevSample = tl.Sample.T
	}
	interval := 100 * time.Millisecond
	if tl.Sample != nil && s.T > tl.Sample.T {
		interval = s.T - tl.Sample.T
	}
	kids := map[int]int{} // live children per PID, as /proc read them
	for _, pp := range s.Procs {
		if !pp.State.Gone() {
			kids[pp.PPID]++
		}
	}
	for i := range s.Procs {
		tl.sampleProc(s, &s.Procs[i], interval, kids)
	}
	if tl.Watch {
		tl.watchLanes(s, interval)
	}
	for _, pid := range s.Gone {
		if p := tl.Procs[pid]; p != nil {
			tl.gone(p, s.T)
		}
	}
	tl.flocks(s)
	if s.T > tl.Now {
		tl.Now = s.T
	}
	tl.Sample = s
	if s.SwitchesSpan > 0 {
		tl.SwitchSample = s
	}
	if len(tl.CoreHist) != len(s.Cores) {
		tl.CoreHist = make([][]float64, len(s.Cores))
	}
	for i, v := range s.Cores {
		tl.CoreHist[i] = appendCapped(tl.CoreHist[i], v, maxHist)
	}
	tl.CPUHist = appendCapped(tl.CPUHist, s.TotalCPU(), maxHist)
}

// sampleProc folds what /proc said of one process: the tree, and the OS
// state of the lane of the task that runs in it.
func (tl *Timeline) sampleProc(s *probe.Sample, pp *probe.Proc, interval time.Duration, kids map[int]int) {
	p := tl.Procs[pp.PID]
	if p == nil {
		if pp.PID != tl.Root && !tl.knownParent(pp.PPID) {
			return
		}
		p = tl.proc(pp.PID)
	}
	if !p.Seen {
		p.FirstPPID = pp.PPID
	}
	if tl.Watch {
		tl.watchChanges(s, pp, p)
	}
	p.PPID, p.Name, p.State, p.CPU, p.Core, p.NThreads = pp.PPID, pp.Name, pp.State, pp.CPU, pp.Core, pp.NThreads
	p.Seen, p.LastSeen = true, s.T
	l := tl.byName[p.Task]
	if l == nil || p.Program != "" || l.PID != p.PID {
		return
	}
	st := procLaneState(pp)
	if st != OSZombie && l.Current().State == event.Done && kids[pp.PID] == 0 {
		// Its steps are done and it has no children left to wait for:
		// it is on its way out, which the engine's "done" says well.
		st = OSNone
	}
	at := s.T - interval
	if st == OSZombie {
		at = s.T // read Z now; it may have been Z a little before
		tl.endGoroutinesOf(pp.PID, s.T)
	}
	if cur := l.CurrentOS(); len(l.OS) > 0 && cur.State == OSZombie && st != OSZombie {
		at = s.T
	}
	l.addOS(OSSeg{T: at, State: st, Where: pp.Core})
}

// watchChanges logs what /proc showed change of a watched program's
// process, which says nothing of itself.
func (tl *Timeline) watchChanges(s *probe.Sample, pp *probe.Proc, p *Proc) {
	if p.Seen && p.PPID != pp.PPID {
		tl.addLog(Entry{T: s.T, Who: text.Clean(pp.Name), Text: words.F("PID %d re-parented: its parent was %d, now %d", pp.PID, p.PPID, pp.PPID)})
	}
	if pp.State == probe.Zombie && (p.State != probe.Zombie || !p.Seen) {
		tl.addLog(Entry{T: s.T, Who: text.Clean(pp.Name), Text: words.F("PID %d is a zombie: it has exited and its parent %d has not reaped it", pp.PID, pp.PPID)})
	}
	if !p.Seen && pp.PID != tl.Root {
		tl.addLog(Entry{T: s.T, Who: text.Clean(pp.Name), Text: words.F("PID %d appeared, child of %d", pp.PID, pp.PPID)})
	}
}

// procLaneState is a lesson process's state as its lane draws it.
func procLaneState(pp *probe.Proc) OSState {
	switch {
	case pp.State.Gone():
		return OSZombie
	case pp.State == probe.Running && pp.CPU > 0, pp.CPU > 1:
		// In state R, a process that got CPU time over the last interval
		// ran; one that did not was runnable (/proc's R covers both). A
		// sleeper that used a core's percent ran too.
		return OSRunning
	case pp.State == probe.Running:
		return OSRunnable
	}
	return OSWaiting
}

// endGoroutinesOf ends the lanes of goroutine tasks that ran in a process
// that has ended (crashed, killed, a zombie now): a process's goroutines
// end with it, whatever they last said.
func (tl *Timeline) endGoroutinesOf(pid int, t time.Duration) {
	for _, l := range tl.Lanes {
		if l.InPID == pid && !l.Process() && l.Current().State != event.Done {
			l.add(Seg{T: t, State: event.Done, End: event.EndKilled, Inferred: true})
		}
	}
}

// knownParent: a process whose parent is in the tree belongs to it.
func (tl *Timeline) knownParent(ppid int) bool {
	return ppid == tl.Root || tl.Procs[ppid] != nil
}

func appendCapped(h []float64, v float64, n int) []float64 {
	h = append(h, v)
	if len(h) > n {
		h = append(h[:0], h[len(h)-n:]...)
	}
	return h
}

// flocks sets each flock object's holder and waiters from /proc/locks.
func (tl *Timeline) flocks(s *probe.Sample) {
	for _, o := range tl.Objects {
		if o.File == "" {
			continue
		}
		holder, waiters := "", []string(nil)
		for _, fl := range s.Locks {
			if fl.File != o.File {
				continue
			}
			who := ProcName(tl.Procs[fl.PID], fl.PID)
			if fl.Waiting {
				waiters = append(waiters, who)
			} else {
				holder = who
			}
		}
		if holder != o.Holder || !slices.Equal(waiters, o.Waiters) {
			o.Holder, o.Waiters, o.Count = holder, waiters, 1
			if holder == "" {
				o.Count = 0
			}
			tl.VerObjects++
		}
	}
}
