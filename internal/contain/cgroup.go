package contain

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// cgroup is a cgroup v2 directory of mtviz's, and a descriptor of it to
// start processes in.
type cgroup struct {
	dir string
	fd  int
}

func (c *cgroup) path() string {
	if c == nil {
		return ""
	}
	return c.dir
}

// ownCgroup finds the cgroup v2 directory mtviz itself is in: its path in
// /proc/self/cgroup ("0::/path") under the cgroup2 mount of
// /proc/self/mountinfo.
func ownCgroup() string {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return ""
	}
	var own string
	for _, l := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutPrefix(l, "0::"); ok {
			own = p
		}
	}
	if own == "" {
		return ""
	}
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(mi))
	for sc.Scan() {
		// ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS... - FSTYPE SOURCE OPTIONS
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		f := strings.Fields(pre)
		if !ok || len(f) < 5 || !strings.HasPrefix(post, "cgroup2 ") {
			continue
		}
		root, mount := f[3], f[4]
		rel, ok := strings.CutPrefix(own, root)
		if root == "/" {
			rel, ok = own, true
		}
		if ok {
			return filepath.Join(mount, rel)
		}
	}
	return ""
}

var (
	probeMu  sync.Mutex
	probed   bool
	canClone bool // clone3 with CLONE_INTO_CGROUP works here (no seccomp filter refuses it)
)

// Ready finds out, once, what the first box would find out when it makes
// its cgroup: whether a process can be started in a cgroup here. It starts
// a short-lived process (true) in a cgroup made for the try: a program
// that watches its own children calls Ready before it begins to, so that
// the try is not among them.
func Ready() {
	if os.Getenv(envNoCgroup) == "1" {
		return
	}
	probeMu.Lock()
	done := probed
	probeMu.Unlock()
	if done {
		return
	}
	own := ownCgroup()
	if own == "" {
		return
	}
	c := makeCgroup(filepath.Join(own, "mtviz-try-"+randomMark()))
	if c == nil {
		return
	}
	cloneWorks(c)
	c.remove()
}

// cloneWorks tries, the first time, a process in the cgroup c; then says
// what it found.
func cloneWorks(c *cgroup) bool {
	probeMu.Lock()
	defer probeMu.Unlock()
	if !probed {
		canClone, probed = startsIn(c), true
	}
	return canClone
}

// newCgroup makes a cgroup named name beside mtviz's processes, in its own
// cgroup, if this machine lets it; nil when it does not.
func newCgroup(name string) *cgroup {
	own := ownCgroup()
	if own == "" {
		return nil
	}
	c := makeCgroup(filepath.Join(own, name))
	if c == nil {
		return nil
	}
	if !cloneWorks(c) {
		c.remove()
		return nil
	}
	return c
}

// makeCgroup makes a cgroup directory that can be killed whole.
func makeCgroup(dir string) *cgroup {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, "cgroup.kill")); err != nil {
		os.Remove(dir) // before Linux 5.14: no cgroup.kill
		return nil
	}
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		os.Remove(dir)
		return nil
	}
	return &cgroup{dir: dir, fd: fd}
}

// startsIn tries a process in the cgroup: a container's seccomp filter may
// refuse clone3, and Go does not fall back from it.
func startsIn(c *cgroup) bool {
	path, err := exec.LookPath("true")
	if err != nil {
		return true // nothing to try with; a start that fails says so
	}
	cmd := exec.Command(path)
	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: c.fd}
	return cmd.Run() == nil
}

func (c *cgroup) sub(name string) *cgroup { return makeCgroup(filepath.Join(c.dir, name)) }

// kill kills every process in the cgroup and in those below it, and waits
// (two seconds at most) until none is left.
func (c *cgroup) kill() {
	os.WriteFile(filepath.Join(c.dir, "cgroup.kill"), []byte("1"), 0)
	deadline := time.Now().Add(2 * time.Second)
	for populated(c.dir) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
}

// populated reads whether a process is left in the cgroup or below it.
func populated(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.events"))
	if err != nil {
		return false
	}
	return bytes.Contains(b, []byte("populated 1"))
}

// remove removes the cgroup once it is empty (its sub-cgroups first).
func (c *cgroup) remove() {
	if c.fd >= 0 {
		unix.Close(c.fd)
		c.fd = -1
	}
	removeTree(c.dir)
}

func removeTree(dir string) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.IsDir() {
			removeTree(filepath.Join(dir, e.Name()))
		}
	}
	for range 100 {
		if err := syscall.Rmdir(dir); err == nil || err == syscall.ENOENT {
			return
		}
		time.Sleep(10 * time.Millisecond) // the last of the killed are still leaving
	}
}
