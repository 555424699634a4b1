package probe

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
)

// State is a process's or thread's state letter as /proc/PID/stat gives it
// (field 3; see proc(5)).
type State string

// The /proc states mtviz reads.
const (
	Running   State = "R" // running or runnable: on a core or waiting for one
	Sleeping  State = "S" // an interruptible sleep
	DiskSleep State = "D" // an uninterruptible wait, usually the disk
	Zombie    State = "Z" // ended, not yet reaped by its parent
	Dead      State = "X" // being torn down
	Stopped   State = "T" // stopped by a signal
	Traced    State = "t" // stopped by a tracer
	Idle      State = "I" // an idle kernel thread
)

// Gone says the process has ended: a zombie or dead.
func (s State) Gone() bool { return s == Zombie || s == Dead }

// ProcStat is what a reader outside the sampler needs of one process's
// /proc/PID/stat: its state, parent, process group and start time.
type ProcStat struct {
	State State
	PPID  int
	PGRP  int
	Start uint64 // clock ticks after boot; with the PID it names the process
}

// ErrBadStat says a stat file was not what /proc writes.
var ErrBadStat = errors.New("unreadable stat")

// ReadStat reads /proc/PID/stat. Its error wraps os.ErrNotExist when there
// is no such process, os.ErrPermission when it may not be read.
func ReadStat(pid int) (ProcStat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ProcStat{}, err
	}
	st, ok := ParseProcStat(b)
	if !ok {
		return ProcStat{}, ErrBadStat
	}
	return st, nil
}

// ParseProcStat reads a stat line. The command name sits between the first
// '(' and the last ')' and may itself hold spaces and parentheses, so
// fields are counted from the last ')'.
func ParseProcStat(b []byte) (ProcStat, bool) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return ProcStat{}, false
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state), f[19] field 22 (starttime).
	if len(f) < 20 || len(f[0]) != 1 {
		return ProcStat{}, false
	}
	ppid, err1 := strconv.Atoi(f[1])
	pgrp, err2 := strconv.Atoi(f[2])
	start, err3 := strconv.ParseUint(f[19], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || ppid < 0 || pgrp < 0 {
		return ProcStat{}, false
	}
	return ProcStat{State: State(f[0]), PPID: ppid, PGRP: pgrp, Start: start}, true
}
