package engine

import (
	"errors"
	"os"
	"time"

	"golang.org/x/sys/unix"

	evt "mtviz/internal/event"
)

// The hub's reaping: processes mtviz adopted as a subreaper, strays, and
// whether anything of a round still lives.

// reaper reaps the processes mtviz adopted as a subreaper: children of
// mtviz that no exec.Cmd of its own started. It waits for each by its own
// PID, never with -1, which would steal exec.Cmd's exit statuses.
func (h *hub) reaper() {
	defer h.wg.Done()
	tk := time.NewTicker(50 * time.Millisecond)
	defer tk.Stop()
	for n := 1; ; n++ {
		select {
		case <-h.done:
			return
		case <-tk.C:
		}
		h.reapAdopted(false)
		if n%20 == 0 {
			// Once a second, the zombies of no process task: a program's
			// background children, adopted when the program ended.
			h.reapStrays()
		}
	}
}

// adopterDelay is how long mtviz leaves an adopted zombie before reaping it.
const adopterDelay = 700 * time.Millisecond

func (h *hub) reapAdopted(force bool) {
	// The reaper goroutine and the end of a round both reap; one at a time.
	h.reapMu.Lock()
	defer h.reapMu.Unlock()
	h.mu.Lock()
	var recs []*procRec
	for _, r := range h.procs {
		if !r.owned && r.pid > 0 && !isClosed(r.gone) {
			recs = append(recs, r)
		}
	}
	h.mu.Unlock()
	for _, r := range recs {
		// Peek first (WNOWAIT): an adopted zombie is left a moment, as init
		// leaves its own, so that the probe can see who adopted it.
		var info unix.Siginfo
		err := unix.Waitid(unix.P_PID, r.pid, &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
		if err == nil && info.Signo != 0 {
			if r.adoptedAt.IsZero() {
				r.adoptedAt = time.Now()
			}
			if !force && time.Since(r.adoptedAt) < adopterDelay {
				continue
			}
		}
		var ws unix.WaitStatus
		pid, err := unix.Wait4(r.pid, &ws, unix.WNOHANG, nil)
		switch {
		case pid == r.pid:
			code, sig := exitStatus(ws)
			h.host.emit(evt.Event{
				Task:  r.task,
				PID:   r.pid,
				Round: r.round,
				Data:  evt.Exit{Code: code, Signal: sig, ReaperPID: os.Getpid(), Adopted: true},
			})
			r.markGone()
		case errors.Is(err, unix.ECHILD):
			// Not ours: its parent reaps it. If it has vanished all the
			// same, someone did.
			if unix.Kill(r.pid, 0) == unix.ESRCH {
				r.markGone()
			}
		}
	}
}

// exitStatus is a wait status as an exit code (-1 if a signal ended the
// process) and the signal.
func exitStatus(ws unix.WaitStatus) (code, signal int) {
	switch {
	case ws.Exited():
		return ws.ExitStatus(), 0
	case ws.Signaled():
		return -1, int(ws.Signal())
	}
	return -1, 0
}

// reapStrays reaps zombies mtviz adopted that are no process task's.
func (h *hub) reapStrays() {
	h.mu.Lock()
	known := map[int]bool{}
	for _, r := range h.procs {
		if r.pid > 0 && !isClosed(r.gone) {
			known[r.pid] = true
		}
	}
	h.mu.Unlock()
	reapStrays(func(pid int) bool { return known[pid] })
}

// groupAlive reports whether a process of the run, still there, is in
// process group g.
func groupAlive(g int, recs []*procRec) bool {
	for _, r := range recs {
		if r.alive() {
			if pg, err := unix.Getpgid(r.pid); err == nil && pg == g {
				return true
			}
		}
	}
	return false
}

// endRound kills whatever is left of a round's processes and reaps them.
// anyAlive reports whether a process of the round is not gone (reaped): it
// may still wake a task of mtviz (a queue's put, a join's end).
func (h *hub) anyAlive(round int) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for k, r := range h.procs {
		if k.round != round {
			continue
		}
		select {
		case <-r.connected:
		default:
			if !r.owned {
				continue // not started by mtviz, and not heard from
			}
		}
		select {
		case <-r.gone:
		default:
			// Alive, or ended and not reaped yet: a join waits for the reap.
			return true
		}
	}
	return false
}
