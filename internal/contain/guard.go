package contain

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// GuardCommand is the argument that makes mtviz's program a box's guard.
const GuardCommand = "__guard"

// guardConfig tells a guard what to end.
type guardConfig struct {
	Cgroup string `json:"cgroup,omitempty"` // the root box's cgroup
	Mark   string `json:"mark"`             // the root box's mark
}

// guard is a process outside the box, mtviz's child in a process group of
// its own (a ctrl+c for mtviz does not reach it), without Pdeathsig: it
// outlives mtviz to end the box when mtviz died.
type guard struct {
	cmd *exec.Cmd
	// in is the write end of the guard's stdin, a bare descriptor: an
	// os.File's finalizer would close it once the box is out of reach, and
	// the guard would take that for mtviz's death.
	in int
}

// startGuard starts a guard, or returns nil if it cannot.
func startGuard(cfg guardConfig) *guard {
	self, err := os.Executable()
	if err != nil {
		return nil
	}
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return nil
	}
	r := os.NewFile(uintptr(p[0]), "guard")
	defer r.Close()
	cmd := exec.Command(self, GuardCommand)
	cmd.Env = []string{} // it needs none; and it is nobody's process to find by a mark
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stdin = r
	if err := cmd.Start(); err != nil {
		unix.Close(p[1])
		return nil
	}
	b, _ := json.Marshal(cfg)
	if _, err := unix.Write(p[1], append(b, '\n')); err != nil {
		unix.Close(p[1])
		cmd.Wait()
		return nil
	}
	return &guard{cmd: cmd, in: p[1]}
}

func (g *guard) pid() int { return g.cmd.Process.Pid }

// release tells the guard the box was ended, and waits for it to go.
func (g *guard) release() {
	unix.Write(g.in, []byte{'x'})
	unix.Close(g.in)
	done := make(chan struct{})
	go func() { g.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		g.cmd.Process.Kill()
		<-done
	}
}

// GuardName is the name a guard gives itself (its comm in /proc).
const GuardName = "mtviz-guard"

// RunGuard is a guard's life: read what to guard, then wait for mtviz. An
// 'x' means mtviz ended the box itself; the end of input without it means
// mtviz is gone, however it went, and the guard ends the box.
func RunGuard(in io.Reader) int {
	// Named for whoever lists processes (mtviz's own Processes panel too):
	// /proc/self/comm is the process's main thread, whichever thread of
	// the Go runtime writes it (prctl would name only the calling thread).
	os.WriteFile("/proc/self/comm", []byte(GuardName), 0)
	// Signals for mtviz's terminal are not the guard's business.
	signal.Ignore(syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT)
	br := bufio.NewReader(in)
	line, err := br.ReadBytes('\n')
	var cfg guardConfig
	if err != nil || json.Unmarshal(line, &cfg) != nil || cfg.Mark == "" {
		return 2
	}
	if b, err := br.ReadByte(); err == nil && b == 'x' {
		return 0
	}
	if cfg.Cgroup != "" {
		c := &cgroup{dir: cfg.Cgroup, fd: -1}
		c.kill()
		c.remove()
	}
	killMarked(cfg.Mark)
	return 0
}
