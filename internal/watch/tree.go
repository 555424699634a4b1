package watch

import (
	"mtviz/internal/probe"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// The watched program's tree as /proc tells it: its group, the processes
// mtviz adopted, and reaping and ending them.

// tree lists the live processes of the program other than the command:
// members of its process group, and children of mtviz it adopted.
func (w *Watcher) tree() []int {
	me, guard := os.Getpid(), w.box.GuardPID()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == w.pid || pid == guard || pid == me {
			continue
		}
		st, err := probe.ReadStat(pid)
		if err != nil || st.State.Gone() {
			continue
		}
		if st.PGRP == w.pid || st.PPID == me {
			out = append(out, pid)
		}
	}
	return out
}

// reapAdopted reaps the adopted processes that have exited, each by its
// own PID (never the command's, nor the guard's).
func (w *Watcher) reapAdopted() {
	me, guard := os.Getpid(), w.box.GuardPID()
	for _, pid := range childrenOf(me, guard) {
		if st, err := probe.ReadStat(pid); pid != w.pid && err == nil && st.State == probe.Zombie {
			var ws unix.WaitStatus
			unix.Wait4(pid, &ws, unix.WNOHANG, nil)
		}
	}
}

func pidList(pids []int) string {
	s := make([]string, len(pids))
	for i, p := range pids {
		s[i] = strconv.Itoa(p)
	}
	return strings.Join(s, ", ")
}

// endAdopted ends the processes the command left that came to mtviz as
// their subreaper (daemons that left its group): each is a child of mtviz,
// killed while unreaped (so its PID is still its own), then reaped; their
// own children come next, until none is left.
func (w *Watcher) endAdopted() {
	me := os.Getpid()
	for range 50 {
		kids := childrenOf(me, w.box.GuardPID())
		if len(kids) == 0 {
			return
		}
		for _, pid := range kids {
			syscall.Kill(pid, syscall.SIGKILL)
			var ws unix.WaitStatus
			unix.Wait4(pid, &ws, 0, nil)
		}
	}
}

// childrenOf lists the children of pid, less one, from /proc.
func childrenOf(pid, except int) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil || p == except {
			continue
		}
		if ppidOf(p) == pid {
			out = append(out, p)
		}
	}
	return out
}

// Running reports whether the started command has not ended yet (false for
