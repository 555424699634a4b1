package natsjob

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// A 3-node cluster on loopback, each node a child process of the test
// (the test binary in the role "node"), every client and route with the
// key. Masters and workers are child processes too, so that any of them
// can be killed with SIGKILL.

// childNode is a cluster node: it serves until its stdin ends.
func childNode() int {
	port, _ := strconv.Atoi(os.Getenv("DIST_NODE_PORT"))
	s, err := StartServer(ServerConfig{Listen: fmt.Sprintf("127.0.0.1:%d", port), Token: os.Getenv("DIST_TEST_TOKEN"),
		Dir: os.Getenv("DIST_NODE_DIR"), Name: os.Getenv("DIST_NODE_NAME"), Warn: func(l string) { fmt.Fprintln(os.Stderr, "node:", l) },
		Cluster: &ClusterConfig{Name: "mtviz-test", Listen: os.Getenv("DIST_NODE_CLUSTER"), Routes: strings.Split(os.Getenv("DIST_NODE_ROUTES"), ",")}})
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	fmt.Println("ready", s.URL())
	io.Copy(io.Discard, os.Stdin)
	s.Close()
	return 0
}

// childClusterMaster runs a master of job "c" and prints its report as
// JSON, and how many results it has every 1,000.
func childClusterMaster() int {
	nc := childConn()
	defer nc.Close()
	tasks, _ := strconv.ParseInt(os.Getenv("DIST_TEST_TASKS"), 10, 64)
	var n atomic.Int64
	rep, err := RunMaster(context.Background(), nc, MasterConfig{Job: "c", Tasks: tasks, Keep: true,
		Warn: func(s string) { fmt.Fprintln(os.Stderr, "master:", s) },
		Collected: func(id, sq int64, dup bool) {
			if !dup && n.Add(1)%1000 == 0 {
				fmt.Printf("collected %d\n", n.Load())
			}
		}})
	if err != nil {
		fmt.Println("error", err)
		fmt.Fprintln(os.Stderr, "master error:", err)
		return 1
	}
	b, _ := json.Marshal(map[string]any{"collected": rep.Collected, "replicas": rep.Replicas, "recorded": rep.Record.Recorded})
	fmt.Printf("report %s\n", b)
	return 0
}

// childClusterWorker works on job "c" and exits 0 only when it is done.
func childClusterWorker() int {
	nc := childConn()
	defer nc.Close()
	rep, err := RunWorker(context.Background(), nc, WorkerConfig{Job: "c",
		Warn: func(s string) { fmt.Fprintln(os.Stderr, "worker:", s) }})
	fmt.Printf("did %d\n", rep.Done)
	if err != nil {
		fmt.Println("error", err)
		fmt.Fprintln(os.Stderr, "worker error:", err)
		return 1
	}
	return 0
}

type node struct {
	name, dir   string
	port, cport int
	cmd         *exec.Cmd
	stdin       io.WriteCloser
}

type cluster struct {
	t     *testing.T
	tok   string
	nodes []*node
	errs  *tailBuffer // what the children said on stderr, shown if the test fails
}

// tailBuffer keeps the last 16 KiB written to it.
type tailBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (w *tailBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b = append(w.b, p...)
	if len(w.b) > 16<<10 {
		w.b = w.b[len(w.b)-16<<10:]
	}
	return len(p), nil
}

func (w *tailBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.b)
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func startCluster(t *testing.T) *cluster {
	t.Helper()
	c := &cluster{t: t, tok: NewToken(), errs: &tailBuffer{}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the children's stderr, last part:\n%s", c.errs)
		}
	})
	for i := range 3 {
		c.nodes = append(c.nodes, &node{name: fmt.Sprintf("n%d", i), dir: filepath.Join(t.TempDir(), "js"), port: freePort(t), cport: freePort(t)})
	}
	for i := range c.nodes {
		c.start(i)
	}
	t.Cleanup(func() {
		for i := range c.nodes {
			c.kill(i)
		}
	})
	return c
}

func (c *cluster) start(i int) {
	c.t.Helper()
	n := c.nodes[i]
	var routes []string
	for _, o := range c.nodes {
		if o != n {
			routes = append(routes, fmt.Sprintf("127.0.0.1:%d", o.cport))
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DIST_TEST_ROLE=node", "DIST_TEST_TOKEN="+c.tok, "DIST_NODE_NAME="+n.name, "DIST_NODE_DIR="+n.dir,
		"DIST_NODE_PORT="+strconv.Itoa(n.port), fmt.Sprintf("DIST_NODE_CLUSTER=127.0.0.1:%d", n.cport), "DIST_NODE_ROUTES="+strings.Join(routes, ","))
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = c.errs
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	n.cmd, n.stdin = cmd, in
	l, err := bufio.NewReader(out).ReadString('\n')
	if !strings.HasPrefix(l, "ready") {
		c.t.Fatalf("node %s: %q %v", n.name, l, err)
	}
	go io.Copy(io.Discard, out)
}

// kill kills a node with SIGKILL; its files stay.
func (c *cluster) kill(i int) {
	n := c.nodes[i]
	if n.cmd == nil {
		return
	}
	n.cmd.Process.Kill()
	n.cmd.Wait()
	n.stdin.Close()
	n.cmd = nil
}

func (c *cluster) urls() string {
	var u []string
	for _, n := range c.nodes {
		u = append(u, fmt.Sprintf("nats://127.0.0.1:%d", n.port))
	}
	return strings.Join(u, ",")
}

// proc is a master or worker child and its stdout lines.
type proc struct {
	cmd   *exec.Cmd
	lines chan string
	done  chan struct{}
	code  int
}

func (c *cluster) child(role, url string, env ...string) *proc {
	c.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), "DIST_TEST_ROLE="+role, "DIST_TEST_URL="+url, "DIST_TEST_TOKEN="+c.tok), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = c.errs
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	p := &proc{cmd: cmd, lines: make(chan string, 1<<16), done: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case p.lines <- sc.Text():
			default: // nobody reads: drop
			}
		}
		cmd.Wait()
		p.code = cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	c.t.Cleanup(func() { cmd.Process.Kill(); <-p.done })
	return p
}

// until waits for a line of p starting with prefix, within d.
func (p *proc) until(t *testing.T, prefix string, d time.Duration) string {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case l := <-p.lines:
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-p.done:
			for {
				select {
				case l := <-p.lines:
					if strings.HasPrefix(l, prefix) {
						return l
					}
				default:
					t.Fatalf("the process ended (exit %d) without a line %q", p.code, prefix)
				}
			}
		case <-timeout:
			t.Fatalf("no line %q within %v", prefix, d)
		}
	}
}

// collectedAtLeast waits until a master says it has n results.
func (p *proc) collectedAtLeast(t *testing.T, n int64) {
	t.Helper()
	for {
		l := p.until(t, "collected ", 3*time.Minute)
		if got, _ := strconv.ParseInt(strings.TrimPrefix(l, "collected "), 10, 64); got >= n {
			return
		}
	}
}

func (p *proc) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(d):
		t.Fatalf("the process did not end within %v", d)
		return -1
	}
}

// js connects to the cluster; the connection closes with the test.
func (c *cluster) js() jetstream.JetStream {
	c.t.Helper()
	nc, err := Connect(c.urls(), Auth{Token: c.tok}, "test", nil)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(nc.Close)
	js, _ := jetstream.New(nc)
	return js
}

// leader names the node leading a stream.
func (c *cluster) leader(stream string) int {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var s jetstream.Stream
	err := retry(ctx, 2*time.Second, func(c2 context.Context) (err error) {
		s, err = c.js().Stream(c2, stream)
		return err
	})
	if err != nil {
		c.t.Fatal(err)
	}
	for i, n := range c.nodes {
		if ci := s.CachedInfo().Cluster; ci != nil && ci.Leader == n.name {
			return i
		}
	}
	c.t.Fatalf("no leader for %s", stream)
	return -1
}

// checkJob reads the job's record from the cluster: every task has
// exactly one result, and they sum to N(N+1)(2N+1)/6.
func (c *cluster) checkJob(tasks int64) {
	c.t.Helper()
	js := c.js()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Right after a job, a busy cluster may not answer at once.
	var r Record
	err := retry(ctx, 10*time.Second, func(c2 context.Context) (err error) {
		r, err = ReadRecord(c2, js, "c")
		return err
	})
	if err != nil {
		c.t.Fatal(err)
	}
	if r.Recorded != tasks || r.NMissing+r.NTwice+r.NWrong != 0 {
		c.t.Errorf("record: %d of %d tasks have exactly one result; missing %v, twice %v, wrong %v", r.Recorded, tasks, r.Missing, r.Twice, r.Wrong)
	}
	want := new(big.Int).SetInt64(tasks)
	want.Mul(want, big.NewInt(tasks+1)).Mul(want, big.NewInt(2*tasks+1)).Div(want, big.NewInt(6))
	if r.Sum.Big().Cmp(want) != 0 {
		c.t.Errorf("the results sum to %v, want %v", r.Sum.Big(), want)
	}
	s, err := js.Stream(ctx, Job("c").tasksStream())
	if err != nil {
		c.t.Fatal(err)
	}
	if got := s.CachedInfo().Config.Replicas; got != 3 {
		c.t.Errorf("the task stream has %d replicas, want 3", got)
	}
	c.t.Logf("%d tasks recorded once, sum %v; the task stream took %d messages", r.Recorded, r.Sum.Big(), r.Published)
}

const clusterTasks = 100_000

// clusterJob starts a master and two workers (the first on url0 when
// given) on a fresh cluster.
func clusterJob(t *testing.T, url0 string) (*cluster, *proc, []*proc) {
	c := startCluster(t)
	if url0 == "" {
		url0 = c.urls()
	}
	m := c.child("cmaster", c.urls(), "DIST_TEST_TASKS="+strconv.Itoa(clusterTasks))
	ws := []*proc{c.child("cworker", url0), c.child("cworker", c.urls())}
	return c, m, ws
}

func finish(t *testing.T, c *cluster, m *proc, ws []*proc) {
	t.Helper()
	l := m.until(t, "report ", 5*time.Minute)
	t.Log(l)
	if code := m.wait(t, time.Minute); code != 0 {
		t.Errorf("the master exited %d", code)
	}
	for i, w := range ws {
		if w == nil {
			continue
		}
		if code := w.wait(t, 2*time.Minute); code != 0 {
			t.Errorf("worker %d exited %d", i, code)
		}
	}
	c.checkJob(clusterTasks)
}

// The node leading the task stream is killed mid-job and started again
// 10 s later, its files kept: the job completes, each task once.
func TestClusterLeaderKilled(t *testing.T) {
	c, m, ws := clusterJob(t, "")
	m.collectedAtLeast(t, clusterTasks/5)
	i := c.leader(Job("c").tasksStream())
	c.kill(i)
	t.Logf("killed %s, the task stream's leader", c.nodes[i].name)
	time.Sleep(10 * time.Second)
	c.start(i)
	finish(t, c, m, ws)
}

// A worker killed mid-job: the other does its tasks.
func TestClusterWorkerKilled(t *testing.T) {
	c, m, ws := clusterJob(t, "")
	m.collectedAtLeast(t, clusterTasks/5)
	ws[0].cmd.Process.Kill()
	ws[0].wait(t, 10*time.Second)
	finish(t, c, m, []*proc{nil, ws[1]})
	// A master asking for fewer replicas than the job's streams have is
	// refused, and says how many there are.
	nc, err := Connect(c.urls(), Auth{Token: c.tok}, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = RunMaster(ctx, nc, MasterConfig{Job: "c", Tasks: clusterTasks, Replicas: 1})
	if err == nil || !strings.Contains(err.Error(), "has 3 replicas; --replicas 1 would lower it") {
		t.Errorf("a master asking for 1 replica of an R3 job: %v", err)
	}
}

// The master killed mid-job and started again: the second goes on.
func TestClusterMasterKilled(t *testing.T) {
	c, m, ws := clusterJob(t, "")
	m.collectedAtLeast(t, clusterTasks/5)
	m.cmd.Process.Kill()
	m.wait(t, 10*time.Second)
	time.Sleep(time.Second)
	m2 := c.child("cmaster", c.urls(), "DIST_TEST_TASKS="+strconv.Itoa(clusterTasks))
	finish(t, c, m2, ws)
}

// One worker's connection is cut for 35 s (a proxy between it and its
// node stops passing bytes): the job completes, and the worker, once
// through, sees it done and exits 0.
func TestClusterWorkerCut(t *testing.T) {
	px := &proxy{}
	c := startCluster(t)
	px.start(t, fmt.Sprintf("127.0.0.1:%d", c.nodes[0].port))
	m := c.child("cmaster", c.urls(), "DIST_TEST_TASKS="+strconv.Itoa(clusterTasks))
	ws := []*proc{c.child("cworker", "nats://"+px.addr), c.child("cworker", c.urls())}
	m.collectedAtLeast(t, clusterTasks/5)
	px.cut(35 * time.Second)
	finish(t, c, m, ws)
}

// proxy passes bytes between clients and a server until cut: then it
// passes none either way for a while, as a network that drops packets.
type proxy struct {
	addr  string
	mu    sync.Mutex
	until time.Time
}

func (p *proxy) start(t *testing.T, target string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	var conns sync.WaitGroup
	t.Cleanup(func() { ln.Close(); conns.Wait() })
	var open []net.Conn
	var omu sync.Mutex
	t.Cleanup(func() {
		omu.Lock()
		for _, c := range open {
			c.Close()
		}
		omu.Unlock()
	})
	go func() {
		for {
			a, err := ln.Accept()
			if err != nil {
				return
			}
			b, err := net.Dial("tcp", target)
			if err != nil {
				a.Close()
				continue
			}
			omu.Lock()
			open = append(open, a, b)
			omu.Unlock()
			conns.Add(2)
			go func() { defer conns.Done(); p.pipe(a, b) }()
			go func() { defer conns.Done(); p.pipe(b, a) }()
		}
	}()
}

func (p *proxy) cut(d time.Duration) {
	p.mu.Lock()
	p.until = time.Now().Add(d)
	p.mu.Unlock()
}

func (p *proxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		for {
			p.mu.Lock()
			wait := time.Until(p.until)
			p.mu.Unlock()
			if wait <= 0 {
				break
			}
			time.Sleep(min(wait, 100*time.Millisecond))
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
