package engine

import (
	"fmt"
	"strings"

	evt "mtviz/internal/event"
	"mtviz/internal/lesson"
	"mtviz/internal/words"
)

// turnStep is a visible step as the scheduler sees it: what it is, and
// whether it can be taken now without waiting.
type turnStep struct {
	Move
	object string // the object as the step names it, for the turn's event
	ready  func(t *task) (bool, waitInfo)
}

// waitInfo is what a task at its gate waits for, when its step cannot be
// taken: its state says so, as if it were blocked in the step itself, so
// that lanes, the Locks panel and the wait-for graph read the same.
type waitInfo struct {
	reason         evt.Reason
	object, holder string
	on             any       // the object or task, for the wait-for graph
	list           *waitList // the object's waiters, where the task shows
	snap           func() evt.Event
	why            string // in words: "waits for m2, held by b"
}

func always(*task) (bool, waitInfo) { return true, waitInfo{} }

// show puts in the task's state what it waits for, or that it waits for
// its turn, when that changed.
func (g *turnGate) show(t *task, ok bool, wi waitInfo) {
	if g.set && ok == g.ready && (ok || wi.why == g.shown.why) {
		return
	}
	g.unlist(t)
	g.set, g.ready, g.shown = true, ok, wi
	if ok {
		t.set(evt.Blocked, evt.ReasonTurn, "", "")
		return
	}
	if wi.list != nil {
		wi.list.add(t, wi.on)
	} else {
		t.mu.Lock()
		t.waitsOn = wi.on
		t.mu.Unlock()
	}
	t.set(evt.Blocked, wi.reason, wi.object, wi.holder)
	if wi.snap != nil {
		t.emit(wi.snap())
	}
}

// unlist takes the task off the waiters it was shown among.
func (g *turnGate) unlist(t *task) {
	if !g.set || g.ready {
		return
	}
	if l := g.shown.list; l != nil {
		l.remove(t)
		if g.shown.snap != nil {
			t.emit(g.shown.snap())
		}
		return
	}
	t.mu.Lock()
	t.waitsOn = nil
	t.mu.Unlock()
}

// unshow ends what the turnGate showed, as the task goes on.
func (g *turnGate) unshow(t *task) {
	g.unlist(t)
	g.ready = true
}

// stepMoves make, for each visible step, its turnStep. A step with none
// runs unseen, as part of the visible step before it.
var stepMoves = map[lesson.Op]func(t *task, in *instr) turnStep{
	lesson.OpRead:   readMove,
	lesson.OpWrite:  writeMove,
	lesson.OpLock:   lockMove,
	lesson.OpUnlock: unlockMove,
	lesson.OpWait:   waitMove,
	lesson.OpNotify: notifyMove,
	lesson.OpSet:    flagMove("set"),
	lesson.OpClear:  flagMove("clear"),
	lesson.OpPut:    putMove,
	lesson.OpGet:    getMove,
	lesson.OpJoin:   joinMove,
}

// gateInstr puts a gate before a visible step; free mode never comes here.
func (w *world) gateInstr(in *instr) {
	switch in.st.Op {
	case lesson.OpRepeat:
		in.adds = false // the tight loop of adds has no gates
		return
	case lesson.OpAdd:
		in.run = runAddTurns
		return
	}
	mk := stepMoves[in.st.Op]
	if mk == nil {
		return
	}
	run := in.run
	in.run = func(t *task, in *instr) bool {
		return t.w.turns.turn(t, mk(t, in)) && run(t, in)
	}
}

func one(name string, op, text string, ready func(*task) (bool, waitInfo)) turnStep {
	return turnStep{Move: Move{Op: op, Objects: []string{name}, Text: text}, object: name, ready: ready}
}

func readMove(t *task, in *instr) turnStep {
	return one(in.ctr.name, "read", words.F("reads %s into its copy", in.ctr.name), always)
}

func writeMove(t *task, in *instr) turnStep {
	n := do[*lesson.WriteStep](in).Add
	return one(in.ctr.name, "write", words.F("writes its copy %d %+d = %d to %s", t.copy, n, t.copy+n, in.ctr.name), always)
}

// runAddTurns is `x = x + n` in two visible steps: the read into the
// task's copy, then the write of the copy plus n. A write over a value
// another task wrote since the read loses that update, as add counts it.
func runAddTurns(t *task, in *instr) bool {
	s, c, n := t.w.turns, in.ctr, do[*lesson.AddStep](in).N
	if s.isFree() {
		c.add(n)
		return true
	}
	if !s.turn(t, one(c.name, "read", words.F("reads %s into its copy (to add %+d)", c.name, n), always)) {
		return false
	}
	old := c.v.Load()
	t.copy = old
	t.emit(evt.Event{Task: t.name, Data: evt.CopyStep{Copy: evt.CopyRead, Object: c.name, Value: old}})
	if !s.turn(t, one(c.name, "write", words.F("writes its copy %d %+d = %d to %s", old, n, old+n, c.name), always)) {
		return false
	}
	if !c.v.CompareAndSwap(old, old+n) {
		c.lost.Add(1)
		c.v.Store(old + n)
	}
	t.emit(evt.Event{Task: t.name, Data: evt.CopyStep{Copy: evt.CopyWrite, Object: c.name, Value: old + n, N: n}})
	return true
}

func lockMove(t *task, in *instr) turnStep {
	if sm := in.sm; sm != nil {
		return one(sm.name, "lock", words.F("takes a permit of %s", sm.name), func(t *task) (bool, waitInfo) {
			sm.mu.Lock()
			free := len(sm.holders) < sm.size
			sm.mu.Unlock()
			if free {
				return true, waitInfo{}
			}
			h := sm.holderNames()
			return false, waitInfo{reason: evt.ReasonLock, object: sm.name, holder: h, on: sm, list: &sm.waiters, snap: sm.snapshot,
				why: words.F("waits for a permit of %s, held by %s", sm.name, h)}
		})
	}
	l, name := in.lk, do[*lesson.LockStep](in).Lock
	return one(l.name, "lock", words.F("takes %s", name), func(t *task) (bool, waitInfo) {
		h := l.mu.holder.Load()
		if h == nil || l.reentrant && h == t {
			return true, waitInfo{}
		}
		return false, waitInfo{reason: evt.ReasonLock, object: l.name, holder: h.name, on: l, list: &l.waiters, snap: l.snapshot,
			why: words.F("waits for %s, held by %s", name, h.name)}
	})
}

func unlockMove(t *task, in *instr) turnStep {
	name := do[*lesson.UnlockStep](in).Lock
	if in.sm != nil {
		return one(in.sm.name, "unlock", words.F("gives back a permit of %s", name), always)
	}
	return one(in.lk.name, "unlock", words.F("lets go of %s", name), always)
}

func waitMove(t *task, in *instr) turnStep {
	if c := in.cv; c != nil {
		st := one(c.name, "wait", words.F("waits on %s (lets go of its lock)", c.name), always)
		st.Objects = append(st.Objects, c.lock.name)
		return st
	}
	ev := in.ev
	return one(ev.name, "wait", words.F("waits for %s", ev.name), func(t *task) (bool, waitInfo) {
		if ev.state() {
			return true, waitInfo{}
		}
		return false, waitInfo{reason: evt.ReasonEvent, object: ev.name, on: ev, list: &ev.waiters, snap: ev.snapshot,
			why: words.F("waits for %s to be set", ev.name)}
	})
}

// wakeStep is the second half of a condition's wait: once notified, the
// waiter takes the lock back. Before the notify it waits on the condition;
// after it, for the lock.
func (c *cond) wakeStep(ch chan struct{}) turnStep {
	st := one(c.name, "wake", words.F("wakes on %s and takes its lock back", c.name), func(t *task) (bool, waitInfo) {
		select {
		case <-ch:
		default:
			return false, waitInfo{reason: evt.ReasonCond, object: c.name, on: c,
				why: words.F("waits on %s for a notify", c.name)}
		}
		if h := c.lock.mu.holder.Load(); h != nil && h != t {
			return false, waitInfo{reason: evt.ReasonLock, object: c.lock.name, holder: h.name, on: c.lock, list: &c.lock.waiters, snap: c.lock.snapshot,
				why: words.F("was notified; waits for %s's lock, held by %s", c.name, h.name)}
		}
		return true, waitInfo{}
	})
	st.Objects = append(st.Objects, c.lock.name)
	return st
}

func notifyMove(t *task, in *instr) turnStep {
	text := words.F("notifies %s", in.cv.name)
	if do[*lesson.NotifyStep](in).All {
		text = words.F("notifies every waiter on %s", in.cv.name)
	}
	return one(in.cv.name, "notify", text, always)
}

// flagTexts says an event's set and clear as a step (op+"s" in English).
var flagTexts = map[string]string{"set": words.N("sets %s"), "clear": words.N("clears %s")}

func flagMove(op string) func(t *task, in *instr) turnStep {
	return func(t *task, in *instr) turnStep {
		return one(in.ev.name, op, fmt.Sprintf(words.T(flagTexts[op]), in.ev.name), always)
	}
}

func putMove(t *task, in *instr) turnStep {
	q := in.q
	return one(q.name, "put", words.F("puts %s on %s", in.text(t), q.name), func(t *task) (bool, waitInfo) {
		q.mu.Lock()
		n := len(q.items)
		q.mu.Unlock()
		if q.size <= 0 || n < q.size {
			return true, waitInfo{}
		}
		return false, waitInfo{reason: evt.ReasonQueue, object: q.name, on: q, list: &q.waiters, snap: q.snapshot,
			why: words.F("waits for room in %s (%d/%d full)", q.name, n, q.size)}
	})
}

func getMove(t *task, in *instr) turnStep {
	q := in.q
	return one(q.name, "get", words.F("gets a value from %s", q.name), func(t *task) (bool, waitInfo) {
		q.mu.Lock()
		n := len(q.items)
		q.mu.Unlock()
		if n > 0 {
			return true, waitInfo{}
		}
		return false, waitInfo{reason: evt.ReasonQueue, object: q.name, on: q, list: &q.waiters, snap: q.snapshot,
			why: words.F("waits for a value in %s (empty)", q.name)}
	})
}

func joinMove(t *task, in *instr) turnStep {
	names := do[*lesson.JoinStep](in).Tasks
	st := one(strings.Join(names, ", "), "join", words.F("joins %s", strings.Join(names, words.T(", "))), func(t *task) (bool, waitInfo) {
		for _, c := range in.tasks {
			if !c.isDone() {
				return false, waitInfo{reason: evt.ReasonJoin, object: c.name, on: c, why: words.F("waits for %s to end", c.name)}
			}
		}
		return true, waitInfo{}
	})
	st.Objects = append([]string(nil), names...)
	return st
}
