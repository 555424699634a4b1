package engine

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// holdLocked starts a process that holds a flock on dir, in a PID
// namespace of its own when the machine lets us make one: the PID number
// in there means nothing out here.
func holdLocked(t *testing.T, dir string) {
	t.Helper()
	args := []string{"flock", "-n", dir, "sh", "-c", "echo held; exec sleep 60"}
	if exec.Command("unshare", "--pid", "--fork", "true").Run() == nil {
		args = append([]string{"unshare", "--pid", "--fork"}, args...)
	}
	c := exec.Command(args[0], args[1:]...)
	c.SysProcAttr = &unix.SysProcAttr{Setpgid: true, Pdeathsig: unix.SIGKILL}
	out, _ := c.StdoutPipe()
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Kill(-c.Process.Pid, unix.SIGKILL); c.Wait() })
	b := make([]byte, 5)
	if n, _ := out.Read(b); string(b[:n]) != "held\n" {
		t.Fatalf("the holder did not take the lock: %q", b[:n])
	}
}

// A run's directory is removed by a later mtviz only once its lock can be
// taken: a directory held by a live process of another PID namespace
// stays, one nobody holds goes, and links, other names and old-style
// directories are never touched.
func TestStaleDirectoriesGoByOwnership(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	gone := filepath.Join(tmp, dirRun+"gone")
	held := filepath.Join(tmp, dirRun+"held")
	old := filepath.Join(tmp, "mtviz-99999-old") // an older mtviz's, judged by PID then: not ours to judge
	target := filepath.Join(tmp, "target")
	for _, d := range []string{gone, held, old, target} {
		os.Mkdir(d, 0o700)
		os.WriteFile(filepath.Join(d, "key"), []byte("k"), 0o600)
	}
	os.Symlink(target, filepath.Join(tmp, dirRun+"link"))
	holdLocked(t, held)

	d, err := RunDir()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Remove()
	for _, keep := range []string{held, old, filepath.Join(target, "key"), filepath.Join(tmp, dirRun+"link")} {
		if _, err := os.Lstat(keep); err != nil {
			t.Errorf("%s was removed: %v", keep, err)
		}
	}
	if _, err := os.Stat(gone); err == nil {
		t.Error("a directory nobody holds was not removed")
	}
	// The new directory is named as a run's, private, and held.
	st, err := os.Stat(d.Path)
	if err != nil || !strings.HasPrefix(filepath.Base(d.Path), dirRun) || st.Mode().Perm() != 0o700 {
		t.Fatalf("the run's directory %s: %v %v", d.Path, st, err)
	}
	if exec.Command("flock", "-n", d.Path, "true").Run() == nil {
		t.Error("another process could take the lock of a live run's directory")
	}
	// A second mtviz's sweep leaves it alone.
	removeStaleDirs()
	if _, err := os.Stat(d.Path); err != nil {
		t.Errorf("a live run's directory was swept: %v", err)
	}
	d.Remove()
	if _, err := os.Stat(d.Path); err == nil {
		t.Error("Remove left the directory")
	}
}
