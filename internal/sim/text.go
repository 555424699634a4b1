package sim

import (
	"fmt"
	"strings"
	"syscall"
)

// Events in words, for every reader of events: the fold's log, the
// verdicts, the trace export.

// ExitText is a wait status in words.
func ExitText(code, signal int) string {
	if signal != 0 {
		return fmt.Sprintf("killed by signal %d (%s)", signal, syscall.Signal(signal))
	}
	if code < 0 {
		return "ended"
	}
	return fmt.Sprintf("exit %d", code)
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
	return fmt.Sprintf("signal %d", sig)
}

// ReaperText says who reaped a process.
func ReaperText(ev *Event) string {
	switch {
	case ev.Adopted:
		return fmt.Sprintf("mtviz (PID %d), which adopted it as subreaper", ev.ReaperPID)
	case ev.Reaper != "":
		return fmt.Sprintf("%s (PID %d), its parent", ev.Reaper, ev.ReaperPID)
	}
	return fmt.Sprintf("mtviz (PID %d), its parent", ev.ReaperPID)
}

// EndText says how a task ended.
func EndText(end End, by string, reason Reason, object string) string {
	switch end {
	case EndStopped:
		t := "stopped by " + by
		if reason != "" {
			t += ", while blocked on " + string(reason)
			if object != "" {
				t += " " + object
			}
		}
		return t
	case EndCutOff:
		return "cut off: daemon"
	case EndKilled:
		return "its process ended before its steps did (a signal, or a crash)"
	case EndCrashed:
		return "crashed: a panic ended its whole process"
	}
	return string(end)
}

// DeadlockText names a wait-for cycle.
func DeadlockText(edges []WaitEdge) string {
	kind := "deadlock"
	if len(edges) == 1 {
		kind = "self-deadlock"
	}
	parts := make([]string, len(edges))
	for i, e := range edges {
		switch {
		case e.Reason == ReasonJoin:
			parts[i] = fmt.Sprintf("%s joins %s", e.Task, e.Holder)
		case e.Holder == e.Task:
			parts[i] = fmt.Sprintf("%s waits for %s, which it holds itself", e.Task, e.Object)
		default:
			parts[i] = fmt.Sprintf("%s waits for %s, held by %s", e.Task, e.Object, e.Holder)
		}
	}
	return kind + ": " + strings.Join(parts, "; ")
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
		switch {
		case e.Reason == ReasonJoin:
			parts[i] = fmt.Sprintf("%s joins %s", e.Task, e.Holder)
		case e.Holder != "" && e.Ended:
			parts[i] = fmt.Sprintf("%s waits for %s %s, held by %s, which has ended holding it", e.Task, e.Reason, e.Object, e.Holder)
		case e.Holder != "":
			parts[i] = fmt.Sprintf("%s waits for %s %s, held by %s", e.Task, e.Reason, e.Object, e.Holder)
		case e.Reason == ReasonQueue:
			parts[i] = fmt.Sprintf("%s waits on queue %s, and no task left will put to it", e.Task, e.Object)
		case e.Reason == ReasonCond:
			parts[i] = fmt.Sprintf("%s waits on condition %s, and no task left will notify it", e.Task, e.Object)
		case e.Reason == ReasonEvent:
			parts[i] = fmt.Sprintf("%s waits for event %s, and no task left will set it", e.Task, e.Object)
		default:
			parts[i] = fmt.Sprintf("%s waits for %s %s", e.Task, e.Reason, e.Object)
		}
	}
	return "stuck: " + strings.Join(parts, "; ")
}
