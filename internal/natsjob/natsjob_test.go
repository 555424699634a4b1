package natsjob

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"
)

// The test binary runs a worker or a master in a process of its own when
// told so, so that tests can SIGKILL one.
func TestMain(m *testing.M) {
	switch os.Getenv("DIST_TEST_ROLE") {
	case "worker":
		os.Exit(childWorker())
	case "master":
		os.Exit(childMaster())
	case "node":
		os.Exit(childNode())
	case "cmaster":
		os.Exit(childClusterMaster())
	case "cworker":
		os.Exit(childClusterWorker())
	}
	goleak.VerifyTestMain(m)
}

func childConn() *nats.Conn {
	nc, err := Connect(os.Getenv("DIST_TEST_URL"), Auth{Token: os.Getenv("DIST_TEST_TOKEN")}, "child", nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return nc
}

// childWorker says each task it takes and each it has done, on stdout.
func childWorker() int {
	nc := childConn()
	var mu sync.Mutex
	say := func(f string, a ...any) { mu.Lock(); fmt.Printf(f+"\n", a...); mu.Unlock() }
	pace, _ := time.ParseDuration(os.Getenv("DIST_TEST_PACE"))
	RunWorker(context.Background(), nc, WorkerConfig{Job: "t", Batch: 4, Pace: pace,
		Took: func(id int64, d uint64) { say("took %d", id) },
		Done: func(id, sq int64, dup bool) { say("done %d", id) }})
	nc.Close()
	return 0
}

// childMaster says each result it collects.
func childMaster() int {
	nc := childConn()
	RunMaster(context.Background(), nc, MasterConfig{Job: "t", Tasks: 200, Window: 50, Keep: true,
		Collected: func(id, sq int64, dup bool) { fmt.Printf("collected %d\n", id) }})
	nc.Close()
	return 0
}

// testServer starts an embedded server with its own directory; refused
// addresses go to the channel.
func testServer(t *testing.T) (*Server, string, chan string) {
	t.Helper()
	tok := NewToken()
	refused := make(chan string, 16)
	s, err := StartServer(ServerConfig{Token: tok, Dir: t.TempDir(), Refused: func(a string) { refused <- a }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, tok, refused
}

func connect(t *testing.T, s *Server, tok string) *nats.Conn {
	t.Helper()
	nc, err := Connect(s.URL(), Auth{Token: tok}, t.Name(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

func readRecord(t *testing.T, nc *nats.Conn, job Job) Record {
	t.Helper()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ReadRecord(context.Background(), js, job)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// checkRecord: the server holds one right result for every task, and no
// task is left unacknowledged.
func checkRecord(t *testing.T, r Record, tasks int64) {
	t.Helper()
	if r.Tasks != tasks || r.Recorded != tasks || r.NMissing+r.NTwice+r.NWrong != 0 {
		t.Errorf("record: %d of %d tasks recorded once; missing %v, twice %v, wrong %v", r.Recorded, r.Tasks, r.Missing, r.Twice, r.Wrong)
	}
	if r.Left != 0 || r.InFlight != 0 || r.Waiting != 0 {
		t.Errorf("tasks left in the queue: %d (%d in flight, %d waiting)", r.Left, r.InFlight, r.Waiting)
	}
	if r.Published != uint64(tasks) && r.Published != uint64((tasks+63)/64) {
		t.Errorf("the task stream took %d messages for %d tasks: each task once", r.Published, tasks)
	}
}

// Two workers, one master: every task's result is collected once, with
// one task per message and with many.
func TestMasterAndWorkers(t *testing.T) {
	for _, per := range []int{1, 64} {
		t.Run(fmt.Sprint(per), func(t *testing.T) { masterAndWorkers(t, per) })
	}
}

func masterAndWorkers(t *testing.T, per int) {
	s, tok, _ := testServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	reps := make([]WorkerReport, 2)
	for i := range reps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reps[i], _ = RunWorker(ctx, connect(t, s, tok), WorkerConfig{Job: "t"})
		}()
	}
	rep, err := RunMaster(ctx, connect(t, s, tok), MasterConfig{Job: "t", Tasks: tasksN, Keep: true, PerMessage: per})
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if rep.Collected != tasksN || rep.Duplicates != 0 || rep.Wrong != 0 || len(rep.Latencies) != int(tasksN) {
		t.Errorf("master: %+v", rep)
	}
	// On a slow machine a task may be held past AckWait and done twice;
	// the server refuses the second result, and the worker counts it.
	if got := reps[0].Done + reps[1].Done - reps[0].Duplicates - reps[1].Duplicates; got != tasksN {
		t.Errorf("workers did %+v and %+v: %d tasks less duplicates, want %d", reps[0], reps[1], got, tasksN)
	}
	checkRecord(t, readRecord(t, connect(t, s, tok), "t"), tasksN)
	t.Logf("%d tasks in %v", rep.Collected, rep.Elapsed)
}

var tasksN int64 = 5001

// The floor the benchmark compares with publishes every message and gets
// every acknowledgement, and leaves no stream behind.
func TestRawPublish(t *testing.T) {
	s, tok, _ := testServer(t)
	nc := connect(t, s, tok)
	d, err := RawPublish(context.Background(), nc, 2000, false)
	if err != nil || d <= 0 {
		t.Fatalf("%v %v", d, err)
	}
	js, _ := jetstream.New(nc)
	if _, err := js.Stream(context.Background(), "mtviz-raw"); !errors.Is(err, jetstream.ErrStreamNotFound) {
		t.Errorf("the raw stream is still there: %v", err)
	}
}

// child starts the test binary as a worker or a master, and returns its
// stdout lines.
func child(t *testing.T, role string, s *Server, tok string, env ...string) (*exec.Cmd, chan string) {
	t.Helper()
	c := exec.Command(os.Args[0], "-test.run=^$")
	c.Env = append(append(os.Environ(), "DIST_TEST_ROLE="+role, "DIST_TEST_URL="+s.URL(), "DIST_TEST_TOKEN="+tok), env...)
	c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	return c, lines
}

// A worker killed with SIGKILL while it holds tasks loses none: the
// server hands what it had not acknowledged to another worker, which
// does them, and each task has one result.
func TestWorkerKilledMidTask(t *testing.T) {
	s, tok, _ := testServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	masterDone := make(chan error, 1)
	go func() {
		_, err := RunMaster(ctx, connect(t, s, tok), MasterConfig{Job: "t", Tasks: 60, AckWait: time.Second, Keep: true})
		masterDone <- err
	}()
	// The victim takes an hour over each task: whatever it took, it holds
	// when it is killed, however slow this machine is.
	victim, lines := child(t, "worker", s, tok, "DIST_TEST_PACE=1h")
	held := map[int64]bool{}
	for l := range lines {
		var id int64
		if _, err := fmt.Sscanf(l, "took %d", &id); err == nil {
			held[id] = true
			break
		}
	}
	victim.Process.Kill()
	victim.Wait()
	for l := range lines {
		var id int64
		if _, err := fmt.Sscanf(l, "took %d", &id); err == nil {
			held[id] = true
		}
	}
	if len(held) == 0 {
		t.Fatal("the worker held no task when it was killed")
	}
	var mu sync.Mutex
	again := map[int64]uint64{}
	rep, err := RunWorker(ctx, connect(t, s, tok), WorkerConfig{Job: "t", Took: func(id int64, d uint64) {
		mu.Lock()
		again[id] = d
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-masterDone; err != nil {
		t.Fatal(err)
	}
	for id := range held {
		if again[id] < 2 {
			t.Errorf("task %d, held by the killed worker, was not redelivered (delivery %d)", id, again[id])
		}
	}
	nc := connect(t, s, tok)
	r := readRecord(t, nc, "t")
	checkRecord(t, r, 60)
	if r.Redelivered < uint64(len(held)) {
		t.Errorf("the server counts %d redeliveries; the killed worker held %d tasks", r.Redelivered, len(held))
	}
	t.Logf("killed holding %v; the other worker did %d tasks", held, rep.Done)
}

// A master killed with SIGKILL mid-job, then started again, goes on where
// it stopped: it publishes no task twice, and collects every result.
func TestMasterKilledAndRestarted(t *testing.T) {
	s, tok, _ := testServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(1)
	go func() {
		defer wg.Done()
		RunWorker(ctx, connect(t, s, tok), WorkerConfig{Job: "t", Batch: 4, Pace: 5 * time.Millisecond})
	}()
	first, lines := child(t, "master", s, tok)
	n := 0
	for range lines {
		if n++; n == 40 {
			break
		}
	}
	first.Process.Kill()
	first.Wait()
	for range lines {
	}
	var started [2]int64
	rep, err := RunMaster(ctx, connect(t, s, tok), MasterConfig{Job: "t", Tasks: 200, Window: 50, Keep: true,
		Started: func(p, c int64) { started = [2]int64{p, c} }})
	if err != nil {
		t.Fatal(err)
	}
	if started[0] < 40 || started[1] < 40 {
		t.Errorf("the second master found %d tasks published and %d results; the first had collected 40", started[0], started[1])
	}
	// It published every task without a result; those still queued were
	// not queued twice (checkRecord: the stream took 200 tasks).
	if rep.Collected != 200 || rep.Published > 200-started[1] {
		t.Errorf("the second master: collected %d, published %d after %d results", rep.Collected, rep.Published, started[1])
	}
	// The worker leaves once it sees the job done, its last acks sent.
	wg.Wait()
	checkRecord(t, readRecord(t, connect(t, s, tok), "t"), 200)
}

// A late duplicate: a worker holds a task past AckWait, the server hands
// it to another worker which does it, and then the first worker's result
// comes too. The master records the result once, and tells the late
// worker that it already had it.
func TestLateDuplicateCountedOnce(t *testing.T) {
	s, tok, _ := testServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	nc := connect(t, s, tok)
	masterDone := make(chan MasterReport, 1)
	var dups atomic.Int64
	go func() {
		rep, err := RunMaster(ctx, connect(t, s, tok), MasterConfig{Job: "t", Tasks: 5, AckWait: 300 * time.Millisecond, Keep: true,
			Collected: func(id, sq int64, dup bool) {
				if dup {
					dups.Add(1)
				}
			}})
		if err != nil {
			t.Error(err)
		}
		masterDone <- rep
	}()
	js, _ := jetstream.New(nc)
	var cons jetstream.Consumer
	for {
		var err error
		if cons, err = js.Consumer(ctx, Job("t").tasksStream(), consumerName); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	fetch := func() jetstream.Msg {
		b, err := cons.Fetch(1, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		m := <-b.Messages()
		if m == nil {
			t.Fatal("no task came")
		}
		return m
	}
	slow := fetch()
	id, _, _ := ParseTasks(slow.Data())
	// The slow worker sits on it past AckWait; the server hands it out again.
	var fast jetstream.Msg
	for fast == nil {
		m := fetch()
		if got, _, _ := ParseTasks(m.Data()); got == id {
			fast = m
		} else if err := m.Nak(); err != nil {
			t.Fatal(err)
		}
	}
	if md, _ := fast.Metadata(); md.NumDelivered < 2 {
		t.Errorf("task %d came again with delivery count %d", id, md.NumDelivered)
	}
	send := func() string {
		r, err := nc.Request(Job("t").collectSubject(), formatResult(id, id*id), 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return string(r.Data)
	}
	if a := send(); a != "ok" {
		t.Errorf("the first result was answered %q", a)
	}
	if err := fast.Ack(); err != nil {
		t.Fatal(err)
	}
	// Now the slow worker's result, late: the master had it.
	if a := send(); a != fmt.Sprintf("ok\n%d", id) {
		t.Errorf("the late result was answered %q, want it named a duplicate", a)
	}
	if err := slow.Ack(); err != nil { // late: it may land on the redelivered copy (nats-server#4786)
		t.Logf("late ack: %v", err)
	}
	// A worker does the rest.
	if _, err := RunWorker(ctx, connect(t, s, tok), WorkerConfig{Job: "t"}); err != nil {
		t.Fatal(err)
	}
	rep := <-masterDone
	if rep.Collected != 5 || rep.Duplicates != 1 || dups.Load() != 1 {
		t.Errorf("master collected %d, duplicates %d (told %d); want 5 and 1", rep.Collected, rep.Duplicates, dups.Load())
	}
	checkRecord(t, readRecord(t, nc, "t"), 5)
}

// A client with a wrong key is refused by the server, which names the
// client's own address; the right key is taken.
func TestWrongKeyRefused(t *testing.T) {
	s, tok, refused := testServer(t)
	var d Dialed
	_, err := Connect(s.URL(), Auth{Token: "not-the-key-at-all"}, "intruder", &d)
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("a wrong key: %v", err)
	}
	select {
	case a := <-refused:
		if a != d.Local {
			t.Errorf("the server refused %s; the client was %s", a, d.Local)
		}
	case <-time.After(10 * time.Second):
		t.Error("the server said nothing of the refusal")
	}
	if _, err := Connect(s.URL(), Auth{}, "no key", nil); !errors.Is(err, ErrRefused) {
		t.Errorf("no key at all: %v", err)
	}
	connect(t, s, tok)
	// Retrying does not help a refused key: it stops at once.
	start := time.Now()
	if _, err := ConnectRetry(context.Background(), s.URL(), Auth{Token: "wrong-key-again"}, "x", nil, nil); !errors.Is(err, ErrRefused) {
		t.Errorf("retry with a wrong key: %v", err)
	}
	if time.Since(start) > 30*time.Second {
		t.Error("a refused key was tried again")
	}
}

// An unreachable server is tried again with growing pauses until ctx ends.
func TestUnreachableRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var pauses []time.Duration
	_, err = ConnectRetry(ctx, "nats://"+addr, Auth{Token: "whatever-key"}, "x", nil, func(err error, next time.Duration) { pauses = append(pauses, next) })
	if err == nil || errors.Is(err, ErrRefused) {
		t.Fatalf("got %v", err)
	}
	if len(pauses) < 2 || pauses[1] <= pauses[0] {
		t.Errorf("pauses %v: want at least two, growing", pauses)
	}
}

// By default the server listens on 127.0.0.1 only, as /proc/net/tcp says;
// another address needs Remote.
func TestLoopbackByDefault(t *testing.T) {
	s, _, _ := testServer(t)
	port := fmt.Sprintf(":%04X ", s.Port())
	data, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) > 3 && f[3] == "0A" && strings.HasSuffix(f[1]+" ", port) {
			found = true
			if !strings.HasPrefix(f[1], "0100007F:") {
				t.Errorf("the server listens on %s", f[1])
			}
		}
	}
	if !found {
		t.Errorf("no listener on port %d in /proc/net/tcp", s.Port())
	}
	if _, err := StartServer(ServerConfig{Listen: "0.0.0.0:0", Token: "some-key-1234", Dir: t.TempDir()}); err == nil {
		t.Error("a server on 0.0.0.0 started without Remote")
	}
	if _, err := StartServer(ServerConfig{Dir: t.TempDir()}); err == nil {
		t.Error("a server started without a key")
	}
	for addr, loop := range map[string]bool{"127.0.0.1:4222": true, "localhost:0": true, "[::1]:1": true, "0.0.0.0:4222": false, "10.1.2.3:0": false} {
		if _, _, l, err := SplitListen(addr); err != nil || l != loop {
			t.Errorf("%s: loopback %v, %v", addr, l, err)
		}
	}
	for _, bad := range []string{"example.com:4222", "127.0.0.1", "127.0.0.1:99999"} {
		if _, _, _, err := SplitListen(bad); err == nil {
			t.Errorf("%s was taken", bad)
		}
	}
}

// Tasks go out in groups, only each group's last message acknowledged: a
// message of a group lost on its way (here dropped by the master) is seen
// by the group's marker, whose sequence does not add up, and the group is
// published again message by message, at once, not by the sweep of tasks
// in no queue. (One message lost: a second writer's message landing in the
// same group would hide the loss from the count, and leave it to the
// sweep.)
func TestGroupLostPublishedAgain(t *testing.T) {
	s, tok, _ := testServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const tasks = 3*groupSize + 10
	var mu sync.Mutex
	var warns []string
	done := make(chan MasterReport, 1)
	go func() {
		rep, err := RunMaster(ctx, connect(t, s, tok), MasterConfig{Job: "t", Tasks: tasks, Keep: true,
			lose: func(first int64) bool { return first == groupSize+3 },
			Warn: func(m string) { mu.Lock(); warns = append(warns, m); mu.Unlock() }})
		if err != nil {
			t.Error(err)
		}
		done <- rep
	}()
	if _, err := RunWorker(ctx, connect(t, s, tok), WorkerConfig{Job: "t"}); err != nil {
		t.Fatal(err)
	}
	rep := <-done
	if rep.Collected != tasks || rep.Regrouped < groupSize-1 {
		t.Errorf("master: collected %d of %d, published again on their own %d (a group lost a message: want at least %d)", rep.Collected, tasks, rep.Regrouped, groupSize-1)
	}
	mu.Lock()
	for _, w := range warns {
		if strings.Contains(w, "in no queue") {
			t.Errorf("a lost task was found by the sweep, not by its group: %s", w)
		}
	}
	mu.Unlock()
	checkRecord(t, readRecord(t, connect(t, s, tok), "t"), tasks)
}
