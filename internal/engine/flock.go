package engine

import (
	"fmt"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// fileLock is the part of a flock object that the OS sees: a file every
// process of the run opens and locks with flock(2), so that /proc/locks
// names the holder and the waiters. Within one process, tasks first take
// the lock object's own mutex, so only one of them is ever in flock.
type fileLock struct {
	path string
	once sync.Once
	f    *os.File
	err  error
}

// ID is the file as /proc/locks writes it: major:minor:inode.
func (fl *fileLock) id() string {
	var st unix.Stat_t
	if err := unix.Stat(fl.path, &st); err != nil {
		return ""
	}
	return fmt.Sprintf("%02x:%02x:%d", unix.Major(st.Dev), unix.Minor(st.Dev), st.Ino)
}

func (fl *fileLock) open() error {
	fl.once.Do(func() {
		fl.f, fl.err = os.OpenFile(fl.path, os.O_RDWR|os.O_CREATE, 0o600)
	})
	return fl.err
}

// lock takes the file lock, blocking in flock so that the OS lists the wait.
// A stopped task stops waiting at once; the flock call finishes when the
// holder lets go (at the latest when the round ends and kills it) and then
// lets go itself.
func (fl *fileLock) lock(stop <-chan struct{}) bool {
	if fl.open() != nil {
		return false
	}
	if unix.Flock(int(fl.f.Fd()), unix.LOCK_EX|unix.LOCK_NB) == nil {
		return true
	}
	got := make(chan struct{})
	abandoned := make(chan struct{})
	go func() {
		for unix.Flock(int(fl.f.Fd()), unix.LOCK_EX) == unix.EINTR {
		}
		select {
		case <-abandoned:
			unix.Flock(int(fl.f.Fd()), unix.LOCK_UN)
		default:
			close(got)
		}
	}()
	select {
	case <-got:
		return true
	case <-stop:
		close(abandoned)
		// The helper may have got the lock just now: then it is ours to undo.
		select {
		case <-got:
			unix.Flock(int(fl.f.Fd()), unix.LOCK_UN)
		default:
		}
		return false
	}
}

func (fl *fileLock) unlock() {
	if fl.f != nil {
		unix.Flock(int(fl.f.Fd()), unix.LOCK_UN)
	}
}

func (fl *fileLock) close() {
	if fl.f != nil {
		fl.f.Close()
	}
}
