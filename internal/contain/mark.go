package contain

import (
	"bytes"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// markOf reads the box mark in a process's environment ("" if none, or if
// the environment cannot be read: another user's, or a zombie's).
func markOf(pid int) string {
	env, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return ""
	}
	for _, kv := range bytes.Split(env, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, []byte(EnvMark+"=")); ok {
			return string(v)
		}
	}
	return ""
}

// inBox says whether a process's mark is mark's or one of its sub-boxes'.
func inBox(got, mark string) bool {
	return got == mark || len(got) > len(mark) && got[:len(mark)] == mark && got[len(mark)] == '.'
}

// killMarked kills, through a pidfd (so that no reused PID is hit), every
// process that carries the mark or a sub-box's, again until two scans in a
// row find none: what they start while they are being killed carries it
// too, and a process in the middle of an exec shows no environment for a
// moment.
func killMarked(mark string) {
	self := os.Getpid()
	deadline := time.Now().Add(2 * time.Second)
	clean := 0
	for clean < 2 && time.Now().Before(deadline) {
		found := 0
		ents, err := os.ReadDir("/proc")
		if err != nil {
			return
		}
		for _, e := range ents {
			pid, err := strconv.Atoi(e.Name())
			if err != nil || pid == self {
				continue
			}
			// The pidfd first: the environment read next is this process's,
			// or (its PID reused) a stranger's that carries no mark.
			fd, err := unix.PidfdOpen(pid, 0)
			if err != nil {
				continue
			}
			if inBox(markOf(pid), mark) {
				unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0)
				found++
			}
			unix.Close(fd)
		}
		clean++
		if found > 0 {
			clean = 0
		}
		time.Sleep(5 * time.Millisecond)
	}
}
