package event

import (
	"strings"
	"syscall"

	"mtviz/internal/words"
)

// Events in words, for every reader of events: the fold's log, the
// verdicts, the trace export; in the language of the screen's words
// (words.Set), English as written here.

// ExitText is a wait status in words.
func ExitText(code, signal int) string {
	if signal != 0 {
		return words.F("killed by signal %d (%s)", signal, syscall.Signal(signal).String())
	}
	if code < 0 {
		return words.T("ended")
	}
	return words.F("exit %d", code)
}

// SignalName is SIGTERM for 15.
func SignalName(sig int) string {
	switch syscall.Signal(sig) {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGKILL:
		return "SIGKILL"
	case syscall.SIGINT:
		return "SIGINT"
	}
	return words.F("signal %d", sig)
}

// ReaperText says who reaped a process.
func ReaperText(ev *Event) string {
	x := ev.Exit()
	switch {
	case x.Adopted:
		return words.F("mtviz (PID %d), which adopted it as subreaper", x.ReaperPID)
	case x.Reaper != "":
		return words.F("%s (PID %d), its parent", x.Reaper, x.ReaperPID)
	}
	return words.F("mtviz (PID %d), its parent", x.ReaperPID)
}

// EndText says how a task ended.
func EndText(end End, by string, reason Reason, object string) string {
	switch end {
	case EndStopped:
		switch {
		case reason == "":
			return words.F("stopped by %s", by)
		case object == "":
			return words.F("stopped by %s, while blocked on %s", by, words.T(string(reason)))
		}
		return words.F("stopped by %s, while blocked on %s %s", by, words.T(string(reason)), object)
	case EndCutOff:
		return words.T("cut off: daemon")
	case EndKilled:
		return words.T("its process ended before its steps did (a signal, or a crash)")
	case EndCrashed:
		return words.T("crashed: a panic ended its whole process")
	}
	return words.T(string(end))
}

// The ends EndText says by their own name, for the catalog.
var _ = []string{words.N("exit"), words.N("engine fault"), words.N("could not start"), words.N("run stopped")}

// What a task may be blocked on, by its name, for the catalog.
var _ = []string{words.N("lock"), words.N("flock"), words.N("gil"), words.N("join"), words.N("condition"),
	words.N("event"), words.N("queue"), words.N("sleep"), words.N("key"), words.N("paused"), words.N("I/O"),
	words.N("poll"), words.N("stopped"), words.N("turn")}

// ReasonText is what a task waits for, in words: "lock m1".
func ReasonText(reason Reason, object string) string {
	t := words.T(string(reason))
	if object != "" && object != string(reason) {
		t += " " + object
	}
	return t
}

// DeadlockText names a wait-for cycle.
func DeadlockText(edges []WaitEdge) string {
	kind := words.T("deadlock: ")
	if len(edges) == 1 {
		kind = words.T("self-deadlock: ")
	}
	parts := make([]string, len(edges))
	for i, e := range edges {
		switch {
		case e.Reason == ReasonJoin:
			parts[i] = words.F("%s joins %s", e.Task, e.Holder)
		case e.Holder == e.Task:
			parts[i] = words.F("%s waits for %s, which it holds itself", e.Task, e.Object)
		default:
			parts[i] = words.F("%s waits for %s, held by %s", e.Task, e.Object, e.Holder)
		}
	}
	return kind + strings.Join(parts, words.T("; "))
}

// CycleText is a cycle in one line: a → m2 → b → m1 → a.
func CycleText(edges []WaitEdge) string {
	if len(edges) == 0 {
		return ""
	}
	var b strings.Builder
	for _, e := range edges {
		b.WriteString(e.Task)
		b.WriteString(" → ")
		if e.Reason == ReasonJoin {
			b.WriteString("join → ")
		} else {
			b.WriteString(e.Object + " → ")
		}
	}
	b.WriteString(edges[0].Task)
	return b.String()
}

// StuckText says, for a run that could not go on, who waited for what and
// who held it.
func StuckText(edges []WaitEdge) string {
	parts := make([]string, len(edges))
	for i, e := range edges {
		why := words.T(string(e.Reason))
		switch {
		case e.Reason == ReasonJoin:
			parts[i] = words.F("%s joins %s", e.Task, e.Holder)
		case e.Holder != "" && e.Ended:
			parts[i] = words.F("%s waits for %s %s, held by %s, which has ended holding it", e.Task, why, e.Object, e.Holder)
		case e.Holder != "":
			parts[i] = words.F("%s waits for %s %s, held by %s", e.Task, why, e.Object, e.Holder)
		case e.Reason == ReasonQueue:
			parts[i] = words.F("%s waits on queue %s, and no task left will put to it", e.Task, e.Object)
		case e.Reason == ReasonCond:
			parts[i] = words.F("%s waits on condition %s, and no task left will notify it", e.Task, e.Object)
		case e.Reason == ReasonEvent:
			parts[i] = words.F("%s waits for event %s, and no task left will set it", e.Task, e.Object)
		default:
			parts[i] = words.F("%s waits for %s %s", e.Task, why, e.Object)
		}
	}
	return words.T("stuck: ") + strings.Join(parts, words.T("; "))
}
