package probe

import (
	"errors"
	"os"
	"syscall"
)

// statFile is a /proc/.../stat file kept open between samples: a pread on it
// costs about a third of open+read+close, and once the process is reaped the
// read fails with ESRCH, which is how an exit is noticed without a scan.
type statFile struct {
	f   *os.File
	buf [1024]byte
}

func openStat(path string) (*statFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return &statFile{f: f}, nil
}

func (s *statFile) close() { s.f.Close() }

// read returns the file's current contents; errGone when the task is gone.
func (s *statFile) read() ([]byte, error) { return pread(s.f, s.buf[:]) }

// pread reads a /proc file kept open from its start into buf, at most
// len(buf) bytes; errGone when the task is gone.
func pread(f *os.File, buf []byte) ([]byte, error) {
	n, err := syscall.Pread(int(f.Fd()), buf, 0)
	if err != nil {
		if errors.Is(err, syscall.ESRCH) || errors.Is(err, syscall.ENOENT) {
			return nil, errGone
		}
		return nil, err
	}
	return buf[:n], nil
}

var errGone = errors.New("gone")

// stat is the part of /proc/PID/stat (or /proc/PID/task/TID/stat) mtviz uses.
type stat struct {
	state     byte
	ppid      int
	ticks     uint64 // utime + stime, in clock ticks
	nthreads  int
	processor int
	comm      string
}

// parseStat reads the fields after the command name. The name sits between
// the first '(' and the last ')' and may itself hold spaces and parentheses,
// so fields are counted from the last ')'. It allocates nothing unless
// withComm is set.
func parseStat(b []byte, withComm bool) (st stat, ok bool) {
	end := -1
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == ')' {
			end = i
			break
		}
	}
	if end < 0 || end+2 >= len(b) {
		return st, false
	}
	if withComm {
		for i := 0; i < end; i++ {
			if b[i] == '(' {
				st.comm = string(b[i+1 : end])
				break
			}
		}
	}
	// Field 3 (state) starts two bytes after ')'.
	field := 3
	i := end + 2
	var utime uint64
	for i < len(b) && field <= 39 {
		j := i
		for j < len(b) && b[j] != ' ' && b[j] != '\n' {
			j++
		}
		switch st.field(field, b[i:j], &utime) {
		case fieldBad:
			return st, false
		case fieldLast:
			return st, true
		}
		field++
		i = j + 1
	}
	return st, field > 20
}

// What a field of a stat line tells parseStat.
const (
	fieldOK = iota
	fieldBad
	fieldLast
)

// field reads field n of a stat line (1-based, as proc(5) numbers them)
// into st; utime is kept until stime (field 15) gives the sum.
func (st *stat) field(n int, tok []byte, utime *uint64) int {
	switch n {
	case 3:
		// One letter: R, S, D, Z, T, t, X, I...
		if len(tok) != 1 || !(tok[0] >= 'A' && tok[0] <= 'Z' || tok[0] >= 'a' && tok[0] <= 'z') {
			return fieldBad
		}
		st.state = tok[0]
	case 4, 20, 39:
		v := atou(tok)
		if v > maxID {
			return fieldBad
		}
		switch n {
		case 4:
			st.ppid = int(v)
		case 20:
			st.nthreads = int(v)
		default:
			st.processor = int(v)
			return fieldLast
		}
	case 14:
		*utime = atou(tok)
	case 15:
		st.ticks = *utime + atou(tok)
	}
	return fieldOK
}

// maxID bounds PIDs, thread counts and CPU numbers: a bigger value means
// the line is not what /proc writes.
const maxID = 1 << 31

func atou(b []byte) uint64 {
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return n
		}
		n = n*10 + uint64(c-'0')
	}
	return n
}
