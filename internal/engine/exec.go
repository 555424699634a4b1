package engine

import (
	"fmt"
	"math/rand/v2"
	evt "mtviz/internal/event"
	"mtviz/internal/words"
	"os"
	"strconv"
	"strings"
	"time"

	"mtviz/internal/lesson"
)

// op is one step of the vocabulary as the engine runs it: how it looks up
// its objects once per round (compile), and what it does (run, which
// returns false when the task must stop). One entry per step of the
// vocabulary; a test fails when a step has none.
type op struct {
	compile func(w *world, in *instr) error
	run     func(t *task, in *instr) bool
}

var ops map[lesson.Op]*op

func init() {
	ops = map[lesson.Op]*op{
		lesson.OpLog:    {compile: compileLog, run: runLog},
		lesson.OpSleep:  {run: runSleep},
		lesson.OpBusy:   {compile: compileBusy, run: func(t *task, in *instr) bool { return t.busy(in) }},
		lesson.OpRepeat: {compile: compileRepeat, run: runRepeat},
		lesson.OpAdd: {compile: compileCounter, run: func(t *task, in *instr) bool {
			t.mine(in.ctr).add(do[*lesson.AddStep](in).N)
			return true
		}},
		lesson.OpRead:   {compile: compileCounter, run: runRead},
		lesson.OpWrite:  {compile: compileCounter, run: runWrite},
		lesson.OpLock:   {compile: compileLock, run: runLock},
		lesson.OpUnlock: {compile: compileLock, run: runUnlock},
		lesson.OpSpawn:  {compile: compileTasks, run: runSpawn},
		lesson.OpJoin:   {compile: compileTasks, run: runJoin},
		lesson.OpStop:   {compile: compileTasks, run: runStop},
		lesson.OpKill:   {compile: compileTasks, run: func(t *task, in *instr) bool { t.kill(in); return true }},
		lesson.OpPhase:  {run: runPhase},
		lesson.OpExit:   {run: runExit},
		lesson.OpKey:    {run: func(t *task, in *instr) bool { return t.key(do[*lesson.KeyStep](in)) }},
		lesson.OpPut:    {compile: compileQueue, run: func(t *task, in *instr) bool { return t.put(in) }},
		lesson.OpGet:    {compile: compileQueue, run: runGet},
		lesson.OpEach:   {compile: compileEach, run: runEach},
		lesson.OpRun: {run: func(t *task, in *instr) bool {
			r := do[*lesson.RunStep](in)
			return t.runProgram(r.Program, r.Args, r.Stdin)
		}},
		lesson.OpCrash:   {run: runCrash},
		lesson.OpWait:    {compile: compileWait, run: runWait},
		lesson.OpNotify:  {compile: compileCond, run: runNotify},
		lesson.OpSet:     {compile: compileEvent, run: runSet},
		lesson.OpClear:   {compile: compileEvent, run: runClear},
		lesson.OpBranch:  {compile: compileBranch, run: runBranch},
		lesson.OpRequest: {compile: compileRequest, run: runRequest},
		lesson.OpMaster:  {compile: compileBroker, run: runMaster},
		lesson.OpWork:    {compile: compileBroker, run: runWork},
	}
}

// do is a step's own settings, as the struct of its kind: the executor of
// a kind reads only its own.
func do[T lesson.StepSpec](in *instr) T { return in.st.Do.(T) }

// HasExecutor reports whether the engine can run a step.
func HasExecutor(name lesson.Op) bool { return ops[name] != nil && ops[name].run != nil }

// instr is a step with its objects looked up once per round, so that a loop
// of a million steps does no map lookups.
type instr struct {
	run   func(t *task, in *instr) bool
	st    *lesson.Step
	ctr   *counter
	sm    *semaphore
	rw    *rwlock
	lk    *lock
	gil   *gil
	work  *counter
	tasks []*task
	body  []instr
	vars  []*counter // counters a log text names, in order
	q     *queue
	cv    *cond
	ev    *event
	alt   []instr // branch: the steps when the event is clear
	addr  string  // request: the server's address
	// adds: a repeat whose steps are all adds runs them as a tight loop of
	// plain loads and stores, as `balance = balance + n` runs, looking at
	// the clock, a pause or a stop only every few turns.
	adds bool
}

// text is a log step's line with {counter} replaced by the counter's value,
// and {pid}, {ppid}, {value}, {cores} and {time} by what they say: the real
// PID and parent PID of the process the task runs in, the value an each
// loop is on, the run's cores, the wall-clock time.
func (in *instr) text(t *task) string {
	s := textOf(in.st)
	for _, c := range in.vars {
		s = strings.ReplaceAll(s, "{"+c.name+"}", strconv.FormatInt(t.mine(c).v.Load(), 10))
	}
	if strings.IndexByte(s, '{') < 0 {
		return s
	}
	child := ""
	if strings.Contains(s, "{child}") {
		child = t.childPID()
	}
	return strings.NewReplacer(
		"{task}", t.name,
		"{child}", child,
		"{pid}", strconv.Itoa(os.Getpid()),
		"{ppid}", strconv.Itoa(os.Getppid()),
		"{value}", t.value,
		"{cores}", strconv.Itoa(t.w.e.opt.Cores),
		"{time}", time.Now().Format("15:04:05"),
	).Replace(s)
}

// childPID is the PID of the process the task spawned last, as fork()
// returns it to the parent: it waits until the process has started (or
// has failed to, or the task is stopped: then "?").
func (t *task) childPID() string {
	for i := len(t.spawned) - 1; i >= 0; i-- {
		c := t.spawned[i]
		if c.def.Kind != lesson.Process {
			continue
		}
		for {
			c.mu.Lock()
			ph := c.proc
			c.mu.Unlock()
			if ph != nil {
				return strconv.Itoa(ph.pid)
			}
			select {
			case <-c.done:
				return "?"
			case <-t.stop:
				return "?"
			case <-time.After(time.Millisecond):
			}
		}
	}
	return "?"
}

func (w *world) compile(steps []lesson.Step) ([]instr, error) {
	out := make([]instr, len(steps))
	for i := range steps {
		st := &steps[i]
		o := ops[st.Op]
		if o == nil {
			return nil, fmt.Errorf("%s: step %q is not supported by this version of the engine", st.Pos, st.Op)
		}
		out[i] = instr{run: o.run, st: st}
		if o.compile != nil {
			if err := o.compile(w, &out[i]); err != nil {
				return nil, err
			}
		}
		if w.turns != nil {
			w.gateInstr(&out[i])
		}
	}
	return out, nil
}

// exec runs steps; false means the task must stop (the run stopped, a daemon
// was cut off, or an exit step ran).
func (t *task) exec(code []instr) bool {
	w := t.w
	for i := range code {
		in := &code[i]
		if t.halted() {
			return false
		}
		if w.e.paused.Load() && !t.pauseWait() {
			return false
		}
		t.label()
		if !in.run(t, in) {
			return false
		}
	}
	return true
}

// Running: what each step does.

func runLog(t *task, in *instr) bool {
	t.emit(evt.Event{Task: t.name, Data: evt.Log{Text: in.text(t)}})
	return true
}

func runSleep(t *task, in *instr) bool {
	t.set(evt.Sleeping, evt.ReasonSleep, "", "")
	s := do[*lesson.SleepStep](in)
	d := s.For
	if s.Random > 0 {
		d += rand.N(s.Random)
	}
	if !t.sleep(d) {
		return false
	}
	t.running()
	return true
}

func runRepeat(t *task, in *instr) bool {
	if in.adds {
		return t.addLoop(in)
	}
	r := do[*lesson.RepeatStep](in)
	if d := r.For; d > 0 {
		// Again and again for a while: the clock is read every few turns,
		// so the loop stays what it repeats.
		end := time.Now().Add(d)
		for n := 0; ; n++ {
			if n&15 == 0 && !time.Now().Before(end) {
				return true
			}
			if !t.exec(in.body) {
				return false
			}
		}
	}
	times := r.Times
	if times == lesson.CountCores {
		times = t.w.e.opt.Cores
	}
	for n := 0; n < times; n++ {
		if !t.exec(in.body) {
			return false
		}
	}
	return true
}

// addLoop runs a repeat of add steps as a tight loop: nothing but the
// counters' loads and stores between turns, so the scheduler can switch the
// task anywhere, between a load and its store too. Every 64 turns it looks
// at the clock, a pause and a stop.
func (t *task) addLoop(in *instr) bool {
	r := do[*lesson.RepeatStep](in)
	times := r.Times
	if times == lesson.CountCores {
		times = t.w.e.opt.Cores
	}
	var end time.Time
	if r.For > 0 {
		end, times = time.Now().Add(r.For), -1
	}
	for n := 0; times < 0 || n < times; n++ {
		if n&63 == 0 {
			if t.halted() || t.w.e.paused.Load() && !t.pauseWait() {
				return false
			}
			if times < 0 && !time.Now().Before(end) {
				return true
			}
		}
		for i := range in.body {
			t.mine(in.body[i].ctr).add(do[*lesson.AddStep](&in.body[i]).N)
		}
	}
	return true
}

// runCrash ends the task's process as an uncaught panic does, in a process
// task's process; mtviz itself refuses (see the outlets' crash).
func runCrash(t *task, in *instr) bool {
	return t.w.e.outlet.crash(t, do[*lesson.CrashStep](in).Message)
}

func runRead(t *task, in *instr) bool {
	t.copy = t.mine(in.ctr).v.Load()
	t.emit(evt.Event{Task: t.name, Data: evt.CopyStep{Copy: evt.CopyRead, Object: in.ctr.name, Value: t.copy}})
	return true
}

func runWrite(t *task, in *instr) bool {
	n := do[*lesson.WriteStep](in).Add
	v := t.copy + n
	t.mine(in.ctr).v.Store(v)
	t.emit(evt.Event{Task: t.name, Data: evt.CopyStep{Copy: evt.CopyWrite, Object: in.ctr.name, Value: v, N: n}})
	return true
}

func runUnlock(t *task, in *instr) bool {
	var name string
	released, holding := false, "it"
	switch {
	case in.rw != nil:
		name, released = in.rw.name, in.rw.release(t)
	case in.sm != nil:
		name, released, holding = in.sm.name, in.sm.release(t), "a permit"
	default:
		name, released = in.lk.name, in.lk.release(t)
	}
	if !released {
		t.emit(evt.Event{Task: t.name, Data: evt.Failure{Object: name, Error: fmt.Sprintf("%s released %s without holding %s", t.name, name, holding)}})
	}
	return true
}

func runSpawn(t *task, in *instr) bool {
	w := t.w
	t.spawned = in.tasks
	stagger := do[*lesson.SpawnStep](in).Stagger
	if stagger <= 0 {
		w.startAll(in.tasks, t)
		return t.awaitStarted(in.tasks)
	}
	for i, c := range in.tasks {
		if i > 0 {
			// The spawner sleeps between starts: its lane says so.
			t.set(evt.Sleeping, evt.ReasonSleep, "", "")
			if !t.sleep(stagger) {
				return false
			}
			t.running()
		}
		w.startAll([]*task{c}, t)
	}
	return true
}

// startWait bounds how long a spawn waits for its processes to start.
const startWait = 10 * time.Second

// awaitStarted returns once every process task of ts is running its steps
// (it has said hello to mtviz), or has ended, as Python's Process.start()
// returns once the child exists: what follows a spawn (a phase, say) is
// not the processes' start-up. A process's own children start as they
// may: only mtviz's hub knows who connected.
func (t *task) awaitStarted(ts []*task) bool {
	h := t.w.e.hub
	if h == nil {
		return true
	}
	limit := time.NewTimer(startWait)
	defer limit.Stop()
	for _, c := range ts {
		if c.def.Kind != lesson.Process {
			continue
		}
		r := h.rec(t.w.round, c.name)
		select {
		case <-r.connected:
		case <-r.ended:
		case <-c.done:
		case <-t.stop:
			return false
		case <-limit.C:
			return true
		}
	}
	return true
}

func runStop(t *task, in *instr) bool {
	for _, c := range in.tasks {
		c.halt(evt.EndStopped, t.name)
	}
	return true
}

func runPhase(t *task, in *instr) bool {
	t.emit(evt.Event{Task: t.name, Data: evt.PhaseStart{Phase: do[*lesson.PhaseStep](in).Name}})
	return true
}

func runExit(t *task, in *instr) bool {
	if w := t.w; w.self == t {
		// A process task's own exit ends its process at once.
		t.setState(taskState{state: evt.Done, end: evt.EndExit})
		w.e.outlet.exit(do[*lesson.ExitStep](in).Code)
	}
	return false
}

func runEach(t *task, in *instr) bool {
	for {
		if s := t.w.turns; s != nil && !s.turn(t, getMove(t, in)) {
			return false
		}
		v, ok := t.get(in, t.stop)
		if !ok {
			return false
		}
		if v == do[*lesson.EachStep](in).Until {
			return true
		}
		if !t.exec(in.body) {
			return false
		}
	}
}

func runWait(t *task, in *instr) bool {
	stop, end := t.within(do[*lesson.WaitStep](in).Timeout)
	defer end()
	if in.cv == nil {
		return t.orGaveUp(in.ev.wait(t, stop), in)
	}
	ok, held := in.cv.wait(t, stop)
	if !held {
		t.emit(evt.Event{
			Task: t.name,
			Data: evt.Failure{Object: in.cv.name, Error: fmt.Sprintf("%s waited on %s without holding its lock", t.name, in.cv.name)},
		})
	}
	return t.orGaveUp(ok, in)
}

func runLock(t *task, in *instr) bool {
	l := do[*lesson.LockStep](in)
	stop, end := t.within(l.Timeout)
	defer end()
	if in.sm != nil {
		return t.orGaveUp(in.sm.acquire(t, stop), in)
	}
	if in.rw != nil {
		return t.orGaveUp(in.rw.acquire(t, l.Read, stop), in)
	}
	return t.orGaveUp(in.lk.acquireUntil(t, stop), in)
}

func runJoin(t *task, in *instr) bool {
	stop, end := t.within(do[*lesson.JoinStep](in).Timeout)
	defer end()
	return t.orGaveUp(t.join(in.tasks, stop), in)
}

func runGet(t *task, in *instr) bool {
	stop, end := t.within(do[*lesson.GetStep](in).Timeout)
	defer end()
	_, ok := t.get(in, stop)
	return t.orGaveUp(ok, in)
}

// within is what a wait with a timeout ends on: the task's stop, or the
// timeout's end (d 0: the stop alone). end releases it.
func (t *task) within(d time.Duration) (<-chan struct{}, func()) {
	if d <= 0 {
		return t.stop, func() {}
	}
	ch, quit := make(chan struct{}), make(chan struct{})
	t.timed.Store(true) // it wakes itself: never stuck
	tm := time.NewTimer(d)
	go func() {
		select {
		case <-t.stop:
		case <-tm.C:
		case <-quit:
			return
		}
		close(ch)
	}()
	return ch, func() { tm.Stop(); close(quit); t.timed.Store(false) }
}

// orGaveUp turns a wait that ended without its object into the step's
// outcome: a stopped task stops; one whose timeout passed says it gave up
// and goes on to its next step, as a Python acquire(timeout=...) returns
// False.
func (t *task) orGaveUp(ok bool, in *instr) bool {
	what, timeout := waitOf(in.st)
	if ok || t.halted() || timeout <= 0 {
		return ok
	}
	t.mu.Lock()
	t.waitsOn = nil
	t.mu.Unlock()
	t.running()
	t.emit(evt.Event{Task: t.name, Data: evt.Log{Text: words.F("gave up waiting for %s after %s (%s timeout)", what, timeout, in.st.Op)}})
	return true
}

func runNotify(t *task, in *instr) bool {
	if !in.cv.notify(do[*lesson.NotifyStep](in).All, t) {
		t.emit(evt.Event{
			Task: t.name,
			Data: evt.Failure{Object: in.cv.name, Error: fmt.Sprintf("%s notified %s without holding its lock", t.name, in.cv.name)},
		})
	}
	return true
}

func runSet(t *task, in *instr) bool {
	in.ev.set()
	t.emit(in.ev.snapshot())
	return true
}

func runClear(t *task, in *instr) bool {
	in.ev.clear()
	t.emit(in.ev.snapshot())
	return true
}

func runBranch(t *task, in *instr) bool {
	body := in.alt
	if in.ev.state() {
		body = in.body
	}
	return t.exec(body)
}
