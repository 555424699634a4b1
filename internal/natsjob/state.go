package natsjob

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// StateDir is the directory where a master with its own server keeps a
// job between runs: the server's files, the key, the port. It lives in
// the user's state directory ($XDG_STATE_HOME/mtviz/jobs/JOB, by default
// ~/.local/state/mtviz/jobs/JOB), not with the temporary run directories
// that mtviz sweeps, so that a master started again finds it. The master
// that uses it holds an exclusive flock on it for as long as it runs: a
// second master refuses at once, and the lock, not a process id, says
// whether its owner lives.
type StateDir struct {
	Path string
	f    *os.File
}

// StateBase is where jobs' directories go.
func StateBase() (string, error) {
	base := os.Getenv("XDG_STATE_HOME")
	if !filepath.IsAbs(base) {
		home, err := os.UserHomeDir()
		if err != nil || !filepath.IsAbs(home) {
			return "", errors.New("no state directory: set HOME or XDG_STATE_HOME")
		}
		base = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(base, "mtviz", "jobs"), nil
}

// OpenStateDir makes or opens a job's directory and locks it. It must be
// a directory of this user's, not a link; it is made private.
func OpenStateDir(job Job) (*StateDir, error) {
	if !job.Valid() {
		return nil, fmt.Errorf("job name %q: letters, digits, - and _ only", job)
	}
	base, err := StateBase()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(base, 0o700); err != nil {
		return nil, fmt.Errorf("make the state directory: %w", err)
	}
	path := filepath.Join(base, string(job))
	if err := os.Mkdir(path, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("make the job's directory: %w", err)
	}
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open the job's directory %s: %w (not a directory of this user's?)", path, err)
	}
	f := os.NewFile(uintptr(fd), path)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || int(st.Uid) != os.Getuid() {
		f.Close()
		return nil, fmt.Errorf("the job's directory %s is not this user's", path)
	}
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		who := ""
		if b, err := os.ReadFile(filepath.Join(path, "pid")); err == nil && len(b) < 32 {
			who = fmt.Sprintf(" (pid %s)", clean([]byte(strings.TrimSpace(string(b)))))
		}
		return nil, fmt.Errorf("%w: job %s's directory %s is in use by another master%s", ErrHeld, job, path, who)
	}
	if err := unix.Fchmod(fd, 0o700); err != nil {
		f.Close()
		return nil, err
	}
	d := &StateDir{Path: path, f: f}
	os.WriteFile(filepath.Join(path, "pid"), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600)
	return d, nil
}

// Port is the port the job's server had last time, or 0.
func (d *StateDir) Port() int {
	b, err := os.ReadFile(filepath.Join(d.Path, "port"))
	if err != nil || len(b) > 16 {
		return 0
	}
	p, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || p < 1 || p > 65535 {
		return 0
	}
	return p
}

// SetPort remembers the server's port for a master started again.
func (d *StateDir) SetPort(p int) error {
	return os.WriteFile(filepath.Join(d.Path, "port"), []byte(strconv.Itoa(p)+"\n"), 0o600)
}

// Close unlocks the directory and leaves it for the next master.
func (d *StateDir) Close() { d.f.Close() }

// Remove removes the directory (the job is done) and unlocks it.
func (d *StateDir) Remove() error {
	err := os.RemoveAll(d.Path)
	d.f.Close()
	return err
}
