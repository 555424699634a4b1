package engine

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sys/unix"

	evt "mtviz/internal/event"
	"mtviz/internal/guard"
	"mtviz/internal/lesson"
	"mtviz/internal/natsjob"
)

// brokerInfo is what a run's processes need to reach a broker.
type brokerInfo struct {
	URL      string        `json:"url"`
	Token    string        `json:"token"`
	NkeySeed string        `json:"nkey_seed,omitempty"`
	Creds    string        `json:"creds,omitempty"`
	AckWait  time.Duration `json:"ack_wait"`
	Memory   bool          `json:"memory"`
	Replicas int           `json:"replicas,omitempty"`
	// Prefix makes a run's job names its own on a server others use.
	Prefix string `json:"prefix,omitempty"`
	// External: a server mtviz did not start; the run's jobs are removed
	// from it at the end.
	External bool `json:"external,omitempty"`
}

func (b brokerInfo) auth() natsjob.Auth {
	return natsjob.Auth{Token: b.Token, NkeySeed: b.NkeySeed, CredsFile: b.Creds}
}

// ExternalBroker is a NATS server or cluster that a run's brokers use
// instead of starting their own ('mtviz run distributed --nats URL').
type ExternalBroker struct {
	URL      string // one or more, comma-separated
	Auth     natsjob.Auth
	Replicas int // 0: the master's default
}

var external atomic.Pointer[ExternalBroker]

// UseExternalBroker makes the runs of this process use b for their
// brokers.
func UseExternalBroker(b *ExternalBroker) { external.Store(b) }

// broker is a broker object's process: an embedded NATS server in a child
// of mtviz for the whole run (mtviz __broker). As for a server object,
// mtviz holds the write end of its stdin and it stops when that ends; its
// JetStream files are in a private directory mtviz removes after it.
type broker struct {
	obj    lesson.Object
	name   string // "broker NAME": its events' task
	dir    string
	cmd    *exec.Cmd
	stdin  *os.File
	exited chan struct{}
}

// brokerStart bounds the wait for a broker's server to take clients.
const brokerStart = 20 * time.Second

func (e *Engine) startBrokers() error {
	for _, o := range e.sc.Objects {
		if o.Kind != lesson.Broker {
			continue
		}
		if ext := external.Load(); ext != nil {
			if e.brokerInfo == nil {
				e.brokerInfo = map[string]brokerInfo{}
			}
			ack := o.AckWait
			if ack <= 0 {
				ack = time.Second
			}
			e.brokerInfo[o.Name] = brokerInfo{URL: ext.URL, Token: ext.Auth.Token, NkeySeed: ext.Auth.NkeySeed, Creds: ext.Auth.CredsFile,
				AckWait: ack, Memory: o.Memory, Replicas: ext.Replicas, Prefix: "p" + strconv.Itoa(os.Getpid()), External: true}
			continue
		}
		b, info, err := e.startBroker(o)
		if err != nil {
			return fmt.Errorf("start broker %s: %w", o.Name, err)
		}
		e.brokers = append(e.brokers, b)
		if e.brokerInfo == nil {
			e.brokerInfo = map[string]brokerInfo{}
		}
		e.brokerInfo[o.Name] = info
	}
	return nil
}

func (e *Engine) startBroker(o lesson.Object) (*broker, brokerInfo, error) {
	var info brokerInfo
	exe, err := self()
	if err != nil {
		return nil, info, err
	}
	rd, err := RunDir()
	if err != nil {
		return nil, info, err
	}
	dir := rd.Path
	r, w, err := os.Pipe()
	if err != nil {
		rd.Remove()
		return nil, info, err
	}
	defer r.Close()
	b := &broker{obj: o, name: "broker " + o.Name, dir: dir, stdin: w, exited: make(chan struct{})}
	cmd := exec.Command(exe, natsjob.BrokerCommand)
	cmd.Env = programEnv()
	cmd.Stdin = r
	out, err := cmd.StdoutPipe()
	if err != nil {
		w.Close()
		rd.Remove()
		return nil, info, err
	}
	if errPipe := e.stderrEvents(b.name); errPipe != nil {
		cmd.Stderr = errPipe
		defer errPipe.Close()
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	e.box.Prepare(cmd)
	if err := startOwned(cmd); err != nil {
		w.Close()
		rd.Remove()
		return nil, info, err
	}
	b.cmd = cmd
	pid := cmd.Process.Pid
	e.emit(evt.Event{Task: b.name, PID: pid, Data: evt.Process{PPID: os.Getpid()}})
	info = brokerInfo{Token: natsjob.NewToken(), AckWait: o.AckWait, Memory: o.Memory}
	if info.AckWait <= 0 {
		info.AckWait = time.Second
	}
	cfg, _ := json.Marshal(natsjob.BrokerConfig{Token: info.Token, Dir: dir})
	w.Write(append(cfg, '\n'))
	ready := make(chan string, 1)
	// The broker's lines: its URL, then each client it refused.
	readDone := make(chan struct{})
	guard.Go(func() {
		defer close(readDone)
		sc := bufio.NewScanner(out)
		first := true
		for sc.Scan() {
			l, err := natsjob.ParseBrokerLine(sc.Bytes())
			switch {
			case err != nil:
				e.emit(evt.Event{Task: b.name, Data: evt.Failure{Error: "broker: " + err.Error()}})
			case l.URL != "" && first:
				first = false
				ready <- l.URL
			case l.Refused != "":
				e.emit(evt.Event{Task: b.name, PID: pid, Data: evt.Refused{Object: o.Name, Addr: l.Refused, Error: "a wrong key"}})
			}
		}
		close(ready)
	})
	guard.Go(func() {
		defer close(b.exited)
		<-readDone
		cmd.Wait()
		disown(pid)
		rd.Remove()
		x := evt.Exit{Code: -1, ReaperPID: os.Getpid()}
		if st := cmd.ProcessState; st != nil {
			x.Code, x.Signal = exitStatus(unix.WaitStatus(st.Sys().(syscall.WaitStatus)))
		}
		e.emit(evt.Event{Task: b.name, PID: pid, Data: x})
	})
	select {
	case url, ok := <-ready:
		if ok {
			info.URL = url
			return b, info, nil
		}
	case <-time.After(brokerStart):
	}
	w.Close()
	b.kill()
	return nil, info, errors.New("its server did not start")
}

func (b *broker) kill() {
	b.cmd.Process.Kill()
	<-b.exited
}

// stopBrokers ends the run's brokers as stopServers ends servers: EOF on
// their stdin, SIGKILL for one still there 2 s later. Their directories
// are gone when it returns.
func (e *Engine) stopBrokers() {
	for _, b := range e.brokers {
		b.stdin.Close()
	}
	for _, b := range e.brokers {
		select {
		case <-b.exited:
		case <-time.After(2 * time.Second):
			e.emit(evt.Event{PID: b.cmd.Process.Pid, Data: evt.SignalSent{Target: b.name, Signal: int(syscall.SIGKILL)}})
			b.kill()
		}
	}
	e.brokers = nil
}

// jobOf is a broker's job in a round: each round has a job of its own.
func jobOf(info brokerInfo, broker string, round int) natsjob.Job {
	if info.Prefix != "" {
		broker = info.Prefix + "-" + broker
	}
	clean := strings.Map(func(r rune) rune {
		if r == '.' {
			return '_'
		}
		return r
	}, broker)
	return natsjob.Job(clean + "-r" + strconv.Itoa(round))
}

// brokerEvery is how often mtviz reads each broker's state during a round.
const brokerEvery = 200 * time.Millisecond

// watchBrokers reads each broker's job while the round runs, into the
// counters the broker names; the returned func stops it and reads each
// job whole, as the round's record of it.
func (e *Engine) watchBrokers(w *world) func() {
	var objs []lesson.Object
	for _, o := range e.sc.Objects {
		if o.Kind == lesson.Broker && e.brokerInfo[o.Name].URL != "" {
			objs = append(objs, o)
		}
	}
	if len(objs) == 0 {
		return func() {}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, o := range objs {
		info := e.brokerInfo[o.Name]
		wg.Add(1)
		guard.Go(func() {
			defer wg.Done()
			nc, err := natsjob.Connect(info.URL, info.auth(), "mtviz", nil)
			if err != nil {
				e.emit(evt.Event{Task: "broker " + o.Name, Data: evt.Failure{Error: "mtviz could not read the broker: " + err.Error()}})
				return
			}
			defer nc.Close()
			js, err := jetstream.New(nc)
			if err != nil {
				return
			}
			job := jobOf(info, o.Name, w.round)
			tk := time.NewTicker(brokerEvery)
			defer tk.Stop()
			for {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				if st, err := natsjob.ReadState(ctx, js, job); err == nil {
					w.setBrokerCounters(o, st)
				}
				cancel()
				select {
				case <-tk.C:
					continue
				case <-stop:
				}
				break
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			r, err := natsjob.ReadRecord(ctx, js, job)
			if info.External {
				// Nothing of the run stays on a server mtviz did not start.
				natsjob.DeleteJob(ctx, js, job)
			}
			if err != nil {
				e.emit(evt.Event{Task: "broker " + o.Name, Data: evt.Failure{Error: "mtviz could not read the job's results: " + err.Error()}})
				return
			}
			w.setBrokerCounters(o, r.State)
			e.emit(evt.Event{
				Data: evt.BrokerRead{Object: o.Name, Broker: &evt.BrokerState{
					Tasks: r.Tasks, Published: int64(r.Published), Left: int64(r.Left), Waiting: int64(r.Waiting), InFlight: int64(r.InFlight),
					Redelivered: int64(r.Redelivered), Results: int64(r.Results), Final: true, External: info.External, Recorded: r.Recorded,
					Missing: r.Missing, Twice: r.Twice, Wrong: r.Wrong, NMissing: r.NMissing, NTwice: r.NTwice, NWrong: r.NWrong}},
			})
		})
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			close(stop)
			wg.Wait()
		})
	}
}

// setBrokerCounters puts what the server said in the counters the broker
// names; the collector sends them on its next tick.
func (w *world) setBrokerCounters(o lesson.Object, st natsjob.State) {
	set := func(name string, v int64) {
		if c := w.counters[name]; c != nil {
			c.v.Store(v)
		}
	}
	set(o.Waiting, int64(st.Waiting))
	set(o.InFlight, int64(st.InFlight))
	set(o.Redelivered, int64(st.Redelivered))
	set(o.Results, int64(st.Results))
}

// The master and work steps.

func compileBroker(w *world, in *instr) error {
	var broker string
	switch d := in.st.Do.(type) {
	case *lesson.MasterStep:
		broker = d.Broker
	case *lesson.WorkStep:
		broker, in.work = d.Broker, w.counters[d.Count]
	}
	if _, ok := w.e.brokerInfo[broker]; !ok {
		return fmt.Errorf("%s: broker %q is not running", in.st.Pos, broker)
	}
	return nil
}

// stepContext ends when the task must stop.
func (t *task) stepContext() (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-t.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

func runMaster(t *task, in *instr) bool {
	st := do[*lesson.MasterStep](in)
	info := t.w.e.brokerInfo[st.Broker]
	ctx, done := t.stepContext()
	defer done()
	t.set(evt.Blocked, evt.ReasonPoll, st.Broker, "")
	nc, err := natsjob.ConnectRetry(ctx, info.URL, info.auth(), t.name, nil, nil)
	if err != nil {
		if !t.halted() {
			t.emit(evt.Event{Task: t.name, Data: evt.Failure{Object: st.Broker, Error: "master: " + err.Error()}})
		}
		return !t.halted()
	}
	defer nc.Close()
	job := jobOf(info, st.Broker, t.w.round)
	rep, err := natsjob.RunMaster(ctx, nc, natsjob.MasterConfig{Job: job, Tasks: st.Tasks, Memory: info.Memory, AckWait: info.AckWait, Keep: true, Replicas: info.Replicas,
		Window: 256,
		Started: func(published, collected int64) {
			t.emit(evt.Event{Task: t.name, Data: evt.WorkStep{Object: st.Broker, Work: &evt.Work{Op: evt.WorkBegun, Tasks: st.Tasks, Published: published, Collected: collected}}})
		}})
	if err != nil {
		if !t.halted() {
			t.emit(evt.Event{Task: t.name, Data: evt.Failure{Object: st.Broker, Error: "master: " + err.Error()}})
		}
		return !t.halted()
	}
	t.emit(evt.Event{Task: t.name, Data: evt.WorkStep{Object: st.Broker, Work: &evt.Work{Op: evt.WorkCollected, Tasks: rep.Tasks, Collected: rep.Collected, Duplicates: rep.Duplicates}}})
	t.running()
	return true
}

func runWork(t *task, in *instr) bool {
	st := do[*lesson.WorkStep](in)
	info := t.w.e.brokerInfo[st.Broker]
	ctx, done := t.stepContext()
	defer done()
	if st.WrongKey {
		var d natsjob.Dialed
		nc, err := natsjob.Connect(info.URL, natsjob.Auth{Token: natsjob.NewToken()}, t.name, &d)
		if err == nil {
			nc.Close()
			t.emit(evt.Event{Task: t.name, Data: evt.Failure{Object: st.Broker, Error: "the server took a wrong key"}})
			return true
		}
		if errors.Is(err, natsjob.ErrRefused) {
			t.emit(evt.Event{Task: t.name, Data: evt.WorkStep{Object: st.Broker, Work: &evt.Work{Op: evt.WorkRefused, Addr: d.Local}}})
		} else {
			t.emit(evt.Event{Task: t.name, Data: evt.Failure{Object: st.Broker, Error: "work: " + err.Error()}})
		}
		return true
	}
	t.set(evt.Blocked, evt.ReasonPoll, st.Broker, "")
	nc, err := natsjob.ConnectRetry(ctx, info.URL, info.auth(), t.name, nil, nil)
	if err != nil {
		if !t.halted() {
			t.emit(evt.Event{Task: t.name, Data: evt.Failure{Object: st.Broker, Error: "work: " + err.Error()}})
		}
		return !t.halted()
	}
	defer nc.Close()
	// A paced worker holds few tasks ahead: each must be done well
	// within the broker's AckWait, or it goes to another worker.
	batch := 256
	if st.Pace > 0 {
		batch = max(1, min(4, int(info.AckWait/st.Pace/4)))
	}
	var mu sync.Mutex
	_, err = natsjob.RunWorker(ctx, nc, natsjob.WorkerConfig{Job: jobOf(info, st.Broker, t.w.round), Batch: batch, Pace: st.Pace,
		Took: func(id int64, delivery uint64) {
			t.emit(evt.Event{Task: t.name, Data: evt.WorkStep{Object: st.Broker, Work: &evt.Work{Op: evt.WorkTook, ID: id, Delivery: delivery}}})
		},
		Done: func(id, sq int64, dup bool) {
			t.emit(evt.Event{Task: t.name, Data: evt.WorkStep{Object: st.Broker, Work: &evt.Work{Op: evt.WorkDone, ID: id, Duplicate: dup}}})
			if in.work != nil {
				t.mine(in.work).v.Add(1)
			}
		},
		Idle: func(idle bool) {
			mu.Lock()
			defer mu.Unlock()
			if idle {
				t.set(evt.Blocked, evt.ReasonPoll, st.Broker, "")
			} else {
				t.running()
			}
		}})
	if err != nil && !t.halted() {
		t.emit(evt.Event{Task: t.name, Data: evt.Failure{Object: st.Broker, Error: "work: " + err.Error()}})
	}
	t.running()
	return !t.halted()
}
