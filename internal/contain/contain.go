// Package contain keeps every process a lesson round or a watched command
// starts within reach, and ends them all: daemons that double-fork and call
// setsid, leaving their process group and session, included; however mtviz
// ends, SIGKILL included.
//
// Where the machine lets mtviz make a cgroup v2 (as root, or in a delegated
// subtree: it is tried at run time), each box is a cgroup: its processes
// are started in it (clone3 with CLONE_INTO_CGROUP, so that nothing forks
// before it is in), whatever they start stays in it, and cgroup.kill ends
// them all at once. Elsewhere a box is a mark in its processes' environment,
// which their descendants inherit: ending a box finds every process that
// carries it in /proc and kills it through a pidfd. Either way a guard, a
// small process outside the box that holds a pipe from mtviz, ends the box
// when the pipe closes without a word: when mtviz died.
package contain

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"strings"
	"syscall"
)

// EnvMark is the environment variable that marks a box's processes when
// there is no cgroup.
const EnvMark = "MTVIZ_BOX"

// envNoCgroup turns cgroups off, so that tests can try the other path.
const envNoCgroup = "MTVIZ_NO_CGROUP"

// Box holds processes and everything they start.
type Box struct {
	mark   string   // this box's mark; a sub-box's is its parent's, a dot, and its name
	cg     *cgroup  // nil: marks only
	guard  *guard   // the root box's (sub-boxes share it)
	subs   []*Box   // sub-boxes
	extra  []string // environment the box's processes get
	closed bool
}

// New makes a box, with its guard. It never fails: without a cgroup, marks
// do the work; without a guard (mtviz's program cannot be started again),
// SIGKILL of mtviz is left to Pdeathsig and the processes' own links.
func New() *Box {
	b := &Box{mark: randomMark()}
	if os.Getenv(envNoCgroup) != "1" {
		b.cg = newCgroup("mtviz-" + b.mark)
	}
	if b.cg == nil {
		b.extra = []string{EnvMark + "=" + b.mark}
	}
	b.guard = startGuard(guardConfig{Cgroup: b.cg.path(), Mark: b.mark})
	return b
}

func randomMark() string {
	r := make([]byte, 8)
	rand.Read(r)
	return hex.EncodeToString(r)
}

// Sub makes a box inside b (a round inside a run): ending it ends its own
// processes only; ending b ends them too.
func (b *Box) Sub(name string) *Box {
	if b == nil {
		return nil
	}
	s := &Box{mark: b.mark + "." + name, guard: b.guard}
	if b.cg != nil {
		s.cg = b.cg.sub(name)
	}
	if s.cg == nil {
		s.extra = []string{EnvMark + "=" + s.mark}
	}
	b.subs = append(b.subs, s)
	return s
}

// Cgroup reports whether the box is a cgroup (or marks).
func (b *Box) Cgroup() bool { return b != nil && b.cg != nil }

// Prepare makes cmd start in the box: in its cgroup, or with its mark in
// its environment (cmd.Env is filled from os.Environ when empty). A nil
// box (none was needed) prepares nothing; so do its other methods.
func (b *Box) Prepare(cmd *exec.Cmd) {
	if b == nil {
		return
	}
	if len(b.extra) > 0 {
		if cmd.Env == nil {
			cmd.Env = os.Environ()
		}
		cmd.Env = append(withoutMark(cmd.Env), b.extra...)
	}
	if b.cg != nil && b.cg.fd >= 0 {
		if cmd.SysProcAttr == nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{}
		}
		cmd.SysProcAttr.UseCgroupFD = true
		cmd.SysProcAttr.CgroupFD = b.cg.fd
	}
}

func withoutMark(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, EnvMark+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// Kill ends every process in the box, and waits (a moment at most) until
// none is left running.
func (b *Box) Kill() {
	if b == nil {
		return
	}
	if b.cg != nil {
		b.cg.kill()
		return
	}
	killMarked(b.mark)
}

// Close ends the box: every process in it is killed, its cgroup removed, and
// for the root box the guard is told that all is done.
func (b *Box) Close() {
	if b == nil || b.closed {
		return
	}
	b.closed = true
	for _, s := range b.subs {
		s.Close()
	}
	b.subs = nil
	if b.cg != nil {
		b.cg.kill()
		b.cg.remove()
	} else {
		killMarked(b.mark)
	}
	if b.isRoot() && b.guard != nil {
		b.guard.release()
		b.guard = nil
	}
}

func (b *Box) isRoot() bool { return !strings.Contains(b.mark, ".") }

// GuardPID is the guard's process, which is mtviz's child but not the
// box's (0 if there is none).
func (b *Box) GuardPID() int {
	if b == nil || b.guard == nil {
		return 0
	}
	return b.guard.pid()
}
