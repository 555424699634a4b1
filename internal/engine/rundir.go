package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Dir is a private directory of mtviz's (mode 0700): a run's lock files, a
// broker's or a master's NATS files and key. Its owner holds a flock on it
// for as long as it lives; a later mtviz removes a directory only when it
// can take that lock, that is once its owner is gone, however it went (the
// kernel lets go of a dead process's locks). Liveness is never judged by a
// PID number, which means nothing in another PID namespace sharing /tmp.
type Dir struct {
	Path string
	lock *os.File
}

// Directory names: one being made (not yet locked, never swept), and one
// in use (locked while its owner lives): mtviz-run-PID-RANDOM.
const (
	dirMaking = "mtviz-new-"
	dirRun    = "mtviz-run-"
)

// RunDir makes a private directory and locks it, after removing the
// directories whose owners are gone. It is made under a name the sweep
// does not look at, locked, then given its name: no sweep can take it
// between its making and its lock.
func RunDir() (*Dir, error) {
	removeStaleDirs()
	tmp, err := os.MkdirTemp("", dirMaking)
	if err != nil {
		return nil, fmt.Errorf("make a directory for the run: %w", err)
	}
	d := &Dir{Path: tmp}
	if err := os.Chmod(tmp, 0o700); err != nil {
		d.Remove()
		return nil, err
	}
	if d.lock, err = os.Open(tmp); err != nil {
		d.Remove()
		return nil, err
	}
	if err := unix.Flock(int(d.lock.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		d.Remove()
		return nil, fmt.Errorf("lock the run's directory %s: %w", tmp, err)
	}
	// The PID in the name is for people (and tests) to tell whose it is;
	// the sweep goes by the lock alone.
	final := filepath.Join(filepath.Dir(tmp), fmt.Sprintf("%s%d-%s", dirRun, os.Getpid(), strings.TrimPrefix(filepath.Base(tmp), dirMaking)))
	if err := os.Rename(tmp, final); err != nil {
		d.Remove()
		return nil, fmt.Errorf("name the run's directory %s: %w", final, err)
	}
	d.Path = final
	return d, nil
}

// Remove removes the directory, then lets its lock go.
func (d *Dir) Remove() {
	os.RemoveAll(d.Path)
	if d.lock != nil {
		d.lock.Close()
		d.lock = nil
	}
}

// removeStaleDirs removes this user's run directories whose lock it can
// take: their owners are gone. A directory some live process holds, in
// whatever PID namespace, stays; so do links and other users' files.
func removeStaleDirs() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirRun+"*"))
	for _, d := range dirs {
		var st unix.Stat_t
		if unix.Lstat(d, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR || int(st.Uid) != os.Getuid() {
			continue
		}
		fd, err := unix.Open(d, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			continue
		}
		if unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB) == nil {
			os.RemoveAll(d)
		}
		unix.Close(fd) // the lock goes with it
	}
}
