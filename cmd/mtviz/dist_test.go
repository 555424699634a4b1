package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"mtviz/internal/natsjob"
	"mtviz/internal/report"
)

// program is mtviz started as a person would, with a marker in its
// environment that every process it starts inherits.
type program struct {
	cmd   *exec.Cmd
	lines chan string // stdout, line by line
	errb  *lockedWriter
	done  chan struct{}
}

func start(t *testing.T, mark string, args ...string) *program {
	t.Helper()
	c := exec.Command(os.Args[0], args...)
	// A master's state directory goes in the test's own.
	c.Env = append(os.Environ(), "MTVIZ_MAIN=1", "MTVIZ_TEST_MARK="+mark, "XDG_STATE_HOME="+stateHome(t))
	out, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &program{cmd: c, lines: make(chan string, 4096), errb: &lockedWriter{}, done: make(chan struct{})}
	c.Stderr = p.errb
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(p.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() { c.Process.Kill(); p.wait() })
	return p
}

var stateHomes sync.Map

// stateHome is the test's state directory, the same for all its programs.
func stateHome(t *testing.T) string {
	if d, ok := stateHomes.Load(t.Name()); ok {
		return d.(string)
	}
	d := t.TempDir()
	stateHomes.Store(t.Name(), d)
	return d
}

// lockedWriter is a program's stderr, read by the test while written.
type lockedWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// wait waits for the program's end and returns its exit code.
func (p *program) wait() int {
	for range p.lines {
	}
	p.cmd.Wait()
	return p.cmd.ProcessState.ExitCode()
}

// line waits for a line of stdout containing s, and returns it.
func (p *program) line(t *testing.T, s string) string {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				t.Fatalf("no line with %q; stderr:\n%s", s, p.errb)
			}
			if strings.Contains(l, s) {
				return l
			}
		case <-timeout:
			t.Fatalf("no line with %q within a minute", s)
		}
	}
}

// workerArgs takes the worker command a master printed, less "mtviz".
func workerArgs(t *testing.T, line string) []string {
	t.Helper()
	f := strings.Fields(line)
	if len(f) < 6 || f[0] != "mtviz" || f[1] != "worker" {
		t.Fatalf("not a worker command: %q", line)
	}
	return f[1:]
}

// runDirs lists mtviz's private directories of a process, in the temp dir.
func runDirs(pid int) []string {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), fmt.Sprintf("mtviz-run-%d-*", pid)))
	return dirs
}

// Two terminals: a master and the workers it tells to run. Every result
// is collected once, everyone exits 0, and nothing is left: no process
// of theirs, no directory of the master's.
func TestMasterAndWorkersAsCommands(t *testing.T) {
	mark := fmt.Sprintf("d%d", time.Now().UnixNano())
	m := start(t, mark, "master", "--tasks", "3000")
	args := workerArgs(t, strings.TrimSpace(m.line(t, "mtviz worker")))
	keyFile := args[len(args)-1]
	if st, err := os.Stat(keyFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the key file %s: %v %v, want mode 0600", keyFile, st, err)
	}
	w1, w2 := start(t, mark, args...), start(t, mark, args...)
	last := m.line(t, "collected ")
	if !strings.Contains(last, "collected 3000 of 3000 results, each once") {
		t.Errorf("master: %s", last)
	}
	for i, p := range []*program{m, w1, w2} {
		if code := p.wait(); code != 0 {
			t.Errorf("program %d exited %d: %s", i, code, p.errb)
		}
	}
	noneLeft(t, mark)
	if d := runDirs(m.cmd.Process.Pid); len(d) > 0 {
		t.Errorf("the master left %v", d)
	}
	if _, err := os.Stat(keyFile); err == nil {
		t.Errorf("the key file %s is still there", keyFile)
	}
}

// A worker with a wrong key is refused by the server: a clear message,
// exit 2; the master says the server refused a client.
func TestWorkerWrongKey(t *testing.T) {
	mark := fmt.Sprintf("k%d", time.Now().UnixNano())
	m := start(t, mark, "master", "--tasks", "10")
	args := workerArgs(t, m.line(t, "mtviz worker"))
	wrong := filepath.Join(t.TempDir(), "wrong")
	os.WriteFile(wrong, []byte("not-the-right-key\n"), 0o600)
	args[len(args)-1] = wrong
	w := start(t, mark, args...)
	if code := w.wait(); code != 2 {
		t.Errorf("a worker with a wrong key exited %d, want 2", code)
	}
	if !strings.Contains(w.errb.String(), "refused the key") {
		t.Errorf("worker's message: %s", w.errb)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(m.errb.String(), "refused a client with a wrong key") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(m.errb.String(), "refused a client with a wrong key") {
		t.Errorf("the master did not say the server refused a client: %s", m.errb)
	}
	m.cmd.Process.Signal(syscall.SIGTERM)
	if code := m.wait(); code != 1 {
		t.Errorf("a master stopped before its end exited %d, want 1", code)
	}
	noneLeft(t, mark)
	if d := runDirs(m.cmd.Process.Pid); len(d) > 0 {
		t.Errorf("the master left %v", d)
	}
}

// Loopback unless told otherwise, and the key is still required then.
func TestMasterListen(t *testing.T) {
	_, errs, code := mtviz(t, "master", "--listen", "0.0.0.0:0", "--tasks", "1")
	if code != 2 || !strings.Contains(errs, "--allow-remote") {
		t.Errorf("--listen 0.0.0.0 without --allow-remote: exit %d, %s", code, errs)
	}
	_, errs, code = mtviz(t, "master", "--listen", "example.com:4222")
	if code != 2 || !strings.Contains(errs, "IP address") {
		t.Errorf("--listen with a name: exit %d, %s", code, errs)
	}
	for _, c := range [][]string{{"worker"}, {"worker", "--server", "nats://127.0.0.1:1"}, {"bench"}, {"master", "--tasks", "0"}} {
		if _, errs, code := mtviz(t, c...); code != 2 {
			t.Errorf("%v: exit %d, %s", c, code, errs)
		}
	}
	for _, c := range []string{"master", "worker", "bench"} {
		if out, _, code := mtviz(t, c, "--help"); code != 0 || !strings.Contains(out, "Usage: mtviz "+c) {
			t.Errorf("%s --help: exit %d, %s", c, code, out)
		}
	}
}

// A worker that cannot reach the server says so and tries again, with
// growing pauses, until it is stopped.
func TestWorkerRetriesUnreachable(t *testing.T) {
	key := filepath.Join(t.TempDir(), "key")
	os.WriteFile(key, []byte("some-key-123456\n"), 0o600)
	mark := fmt.Sprintf("u%d", time.Now().UnixNano())
	w := start(t, mark, "worker", "--server", "nats://127.0.0.1:1", "--token-file", key)
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(w.errb.String(), "trying again") < 3 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	msg := w.errb.String()
	if strings.Count(msg, "trying again") < 3 || !strings.Contains(msg, "cannot reach") {
		t.Errorf("the worker did not keep trying: %s", msg)
	}
	w.cmd.Process.Signal(syscall.SIGTERM)
	w.wait()
	noneLeft(t, mark)
}

// An external server (mtviz's own, in its broker mode) used through
// --nats: the master and a worker do the job on it, and the master
// removes the job from it at the end.
func TestExternalServer(t *testing.T) {
	mark := fmt.Sprintf("x%d", time.Now().UnixNano())
	url, tok, key := startBroker(t, mark)
	// Every --nats is kept: the first names no server, the second does.
	m := start(t, mark, "master", "--nats", "nats://127.0.0.1:1", "--nats", url, "--token-file", key, "--tasks", "2000", "--job", "ext")
	args := workerArgs(t, m.line(t, "mtviz worker"))
	if !strings.Contains(strings.Join(args, " "), "--server nats://127.0.0.1:1,"+url) {
		t.Errorf("the worker command does not name the external server: %v", args)
	}
	w := start(t, mark, args...)
	if l := m.line(t, "collected "); !strings.Contains(l, "collected 2000 of 2000 results, each once") {
		t.Errorf("master: %s", l)
	}
	if c := m.wait(); c != 0 {
		t.Errorf("master exited %d: %s", c, m.errb)
	}
	if c := w.wait(); c != 0 {
		t.Errorf("worker exited %d: %s", c, w.errb)
	}
	// The job is gone from the server.
	nc, err := natsjob.Connect(url, natsjob.Auth{Token: tok}, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(nc)
	names := js.StreamNames(context.Background())
	for n := range names.Name() {
		t.Errorf("stream %s is left on the server", n)
	}
	nc.Close()
}

// The benchmark measures, and checks what it measured: every task
// acknowledged and counted once; its workers are gone after it.
func TestBenchDistributed(t *testing.T) {
	mark := fmt.Sprintf("b%d", time.Now().UnixNano())
	b := start(t, mark, "bench", "distributed", "--workers", "2", "--tasks", "2000", "--json")
	var r benchResult
	l := b.line(t, "tasks_per_s")
	if err := json.Unmarshal([]byte(l), &r); err != nil {
		t.Fatal(err)
	}
	if code := b.wait(); code != 0 {
		t.Errorf("bench exited %d: %s", code, b.errb)
	}
	if !r.Acked || r.CountedOnce != 2000 || r.TasksPerSec <= 0 || r.RawPerSec <= 0 || r.LatencyMs.P50 <= 0 || r.LatencyMs.P99 < r.LatencyMs.P50 {
		t.Errorf("bench: %+v", r)
	}
	noneLeft(t, mark)
	if d := runDirs(b.cmd.Process.Pid); len(d) > 0 {
		t.Errorf("the bench left %v", d)
	}
}

// However the lesson ends, its broker, master and workers go with mtviz;
// after SIGTERM its directories are gone, after SIGKILL the next mtviz
// removes them.
func TestNoLeakDistributedLesson(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			mark := fmt.Sprintf("l%d", time.Now().UnixNano())
			p := start(t, mark, "run", "distributed", "--headless")
			p.line(t, "waits for key w")
			// mtviz, the broker, the master and the workers.
			waitMarked(t, mark, 5)
			pid := p.cmd.Process.Pid
			if len(runDirs(pid)) == 0 {
				t.Error("the lesson has no private directory")
			}
			p.cmd.Process.Signal(sig)
			p.wait()
			noneLeft(t, mark)
			if sig == syscall.SIGKILL {
				// The next mtviz that makes a directory removes the dead one's.
				q := start(t, mark, "bench", "distributed", "--tasks", "10", "--workers", "1")
				q.wait()
			}
			if d := runDirs(pid); len(d) > 0 {
				t.Errorf("left behind: %v", d)
			}
		})
	}
}

// startBroker starts mtviz's own server in its broker mode, as an
// external server; it stops with the test.
func startBroker(t *testing.T, mark string) (url, tok, key string) {
	t.Helper()
	dir := t.TempDir()
	tok = natsjob.NewToken()
	key = filepath.Join(dir, "key")
	os.WriteFile(key, []byte(tok+"\n"), 0o600)
	srv := exec.Command(os.Args[0], natsjob.BrokerCommand)
	srv.Env = append(os.Environ(), "MTVIZ_TEST_MARK="+mark)
	in, _ := srv.StdinPipe()
	out, _ := srv.StdoutPipe()
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close(); srv.Wait(); noneLeft(t, mark) })
	cfg, _ := json.Marshal(natsjob.BrokerConfig{Token: tok, Dir: filepath.Join(dir, "js")})
	fmt.Fprintf(in, "%s\n", cfg)
	l, err := bufio.NewReader(out).ReadBytes('\n')
	if err != nil {
		t.Fatal(err)
	}
	bl, err := natsjob.ParseBrokerLine(l)
	if err != nil || bl.URL == "" {
		t.Fatalf("the server said %q: %v", l, err)
	}
	return bl.URL, tok, key
}

// waitStderr waits until a program's stderr holds s.
func (p *program) waitStderr(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(p.errb.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q on stderr within a minute: %s", s, p.errb)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// collectedSoFar reads a master's last progress line.
func collectedSoFar(p *program) int {
	lines := strings.Split(p.errb.String(), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		var n, of int
		if _, err := fmt.Sscanf(lines[i], "mtviz master: %d of %d results collected", &n, &of); err == nil {
			return n
		}
	}
	return 0
}

// exitWithin waits for a program's end, generously, and says how long it
// took and with what code.
func (p *program) exitWithin(t *testing.T, d time.Duration) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	done := make(chan int, 1)
	go func() { done <- p.wait() }()
	select {
	case code := <-done:
		return code, time.Since(start)
	case <-time.After(d):
		t.Fatalf("still running %v after it was told to stop; stderr:\n%s", d, p.errb)
		return -1, d
	}
}

// A worker whose master is gone (killed) waits for one, and SIGTERM ends
// it: exit 1, what it did said.
func TestWorkerStopsWhenMasterGone(t *testing.T) {
	mark := fmt.Sprintf("g%d", time.Now().UnixNano())
	url, _, key := startBroker(t, mark)
	m := start(t, mark, "master", "--nats", url, "--token-file", key, "--tasks", "100000", "--job", "gone")
	// Paced, so that the job is far from done when its master is killed,
	// however fast this machine works (100,000 tasks, a millisecond each).
	w := start(t, mark, append(workerArgs(t, m.line(t, "mtviz worker")), "--pace", "1ms")...)
	m.waitStderr(t, "results collected")
	m.cmd.Process.Kill()
	m.wait()
	w.waitStderr(t, "the master has not taken results")
	w.cmd.Process.Signal(syscall.SIGTERM)
	code, took := w.exitWithin(t, 20*time.Second)
	if code != 1 {
		t.Errorf("the worker exited %d after SIGTERM, want 1: %s", code, w.errb)
	}
	t.Logf("the worker ended %v after SIGTERM", took)
}

// A master killed and started again with the same job, its own server
// and the defaults, finds the job's files, key and port where it left
// them: the worker, which went on trying, rejoins it, and every task has
// exactly one result.
func TestDefaultMasterResumes(t *testing.T) {
	mark := fmt.Sprintf("r%d", time.Now().UnixNano())
	const tasks = 3000
	m := start(t, mark, "master", "--tasks", fmt.Sprint(tasks))
	line := m.line(t, "mtviz worker")
	w := start(t, mark, append(workerArgs(t, line), "--pace", "1ms", "--batch", "16")...)
	for deadline := time.Now().Add(time.Minute); collectedSoFar(m) < 100; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the master collected too little: %s", m.errb)
		}
	}
	m.cmd.Process.Kill()
	m.wait()
	m2 := start(t, mark, "master", "--tasks", fmt.Sprint(tasks), "--json")
	if l := m2.line(t, "mtviz worker"); strings.TrimSpace(l) != strings.TrimSpace(line) {
		t.Errorf("the master started again prints %q, not %q: another key or port", l, line)
	}
	begun := m2.line(t, "was begun")
	var j report.JobLine
	if err := json.Unmarshal([]byte(m2.line(t, `{"type":"job"`)), &j); err != nil {
		t.Fatal(err)
	}
	if code := m2.wait(); code != 0 {
		t.Errorf("the second master exited %d: %s", code, m2.errb)
	}
	if code := w.wait(); code != 0 {
		t.Errorf("the worker exited %d: %s", code, w.errb)
	}
	want := int64(tasks) * (tasks + 1) * (2*tasks + 1) / 6
	if !j.Done || !j.ReadBack || j.Collected != tasks || j.Missing != 0 || j.CountedTwice != 0 || j.Sum.Int64() != want || j.Resumed < 100 {
		t.Errorf("the job: %+v, want %d results summing to %d, going on from at least 100", j, tasks, want)
	}
	t.Logf("%s; %+v", begun, j)
	if d, _ := filepath.Glob(filepath.Join(stateHome(t), "mtviz", "jobs", "*")); len(d) > 0 {
		t.Errorf("the job's directory is left when the job is done: %v", d)
	}
}

// Two masters on one job: the second refuses at once, naming the first,
// whether they would share a state directory (their own servers) or a
// server.
func TestTwoMastersOneJob(t *testing.T) {
	mark := fmt.Sprintf("m%d", time.Now().UnixNano())
	m := start(t, mark, "master", "--tasks", "10")
	m.line(t, "publishing")
	m2 := start(t, mark, "master", "--tasks", "10")
	if code, _ := m2.exitWithin(t, 30*time.Second); code != 1 || !strings.Contains(m2.errb.String(), fmt.Sprintf("in use by another master (pid %d)", m.cmd.Process.Pid)) {
		t.Errorf("a second master on the same directory: exit %d, %s", code, m2.errb)
	}
	url, _, key := startBroker(t, mark)
	a := start(t, mark, "master", "--nats", url, "--token-file", key, "--tasks", "10", "--job", "two")
	a.line(t, "publishing")
	b := start(t, mark, "master", "--nats", url, "--token-file", key, "--tasks", "10", "--job", "two")
	if code, _ := b.exitWithin(t, 30*time.Second); code != 1 || !strings.Contains(b.errb.String(), fmt.Sprintf("the master with pid %d", a.cmd.Process.Pid)) {
		t.Errorf("a second master on the same server: exit %d, %s", code, b.errb)
	}
	for _, p := range []*program{m, a} {
		p.cmd.Process.Signal(syscall.SIGTERM)
		if code, _ := p.exitWithin(t, 20*time.Second); code != 1 {
			t.Errorf("a master stopped before its end exited %d", code)
		}
	}
}

// The lesson on a server of the user's: 'run distributed --nats URL'
// with its key. The job is done on that server and removed from it.
func TestLessonOnExternalServer(t *testing.T) {
	mark := fmt.Sprintf("n%d", time.Now().UnixNano())
	url, tok, key := startBroker(t, mark)
	p := start(t, mark, "run", "distributed", "--headless", "--nats", url, "--token-file", key)
	var lines []string
	for l := range p.lines {
		lines = append(lines, l)
	}
	p.wait()
	out := strings.Join(lines, "\n")
	for _, want := range []string{"PASS  every task's result is stored exactly once", "PASS  the master's restart lost nothing"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in the lesson's output", want)
		}
	}
	nc, err := natsjob.Connect(url, natsjob.Auth{Token: tok}, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	for n := range js.StreamNames(context.Background()).Name() {
		t.Errorf("stream %s is left on the server", n)
	}
}
