package event

import "fmt"

// Accessors, one per kind, as golang.org/x/exp/trace has them: each
// returns the event's payload of that kind, and panics on an event of
// another kind (a reader that asks for the wrong kind is wrong).

func as[P Payload](e Event) P {
	p, ok := e.Data.(P)
	if !ok {
		var z P
		panic(fmt.Sprintf("event: %T asked of a %q event", z, e.Kind()))
	}
	return p
}

// ObjectName is the object the event is about, for a kind that is about
// one ("" for the others).
func (e Event) ObjectName() string {
	if o, ok := e.Data.(ObjectNamer); ok {
		return o.ObjectName()
	}
	return ""
}

// RoundStart is a round event's payload.
func (e Event) RoundStart() RoundStart { return as[RoundStart](e) }

// RoundEnd is a round_end event's payload.
func (e Event) RoundEnd() RoundEnd { return as[RoundEnd](e) }

// TaskStart is a task event's payload.
func (e Event) TaskStart() TaskStart { return as[TaskStart](e) }

// StateChange is a state event's payload.
func (e Event) StateChange() StateChange { return as[StateChange](e) }

// LockChange is a lock event's payload.
func (e Event) LockChange() LockChange { return as[LockChange](e) }

// LockFile is a lock_file event's payload.
func (e Event) LockFile() LockFile { return as[LockFile](e) }

// CondChange is a cond event's payload.
func (e Event) CondChange() CondChange { return as[CondChange](e) }

// FlagChange is a flag event's payload.
func (e Event) FlagChange() FlagChange { return as[FlagChange](e) }

// CounterChange is a counter event's payload.
func (e Event) CounterChange() CounterChange { return as[CounterChange](e) }

// Log is a log event's payload.
func (e Event) Log() Log { return as[Log](e) }

// Stderr is a stderr event's payload.
func (e Event) Stderr() Stderr { return as[Stderr](e) }

// PhaseStart is a phase event's payload.
func (e Event) PhaseStart() PhaseStart { return as[PhaseStart](e) }

// KeyWait is a key event's payload.
func (e Event) KeyWait() KeyWait { return as[KeyWait](e) }

// Failure is an error event's payload.
func (e Event) Failure() Failure { return as[Failure](e) }

// Pause is a pause event's payload.
func (e Event) Pause() Pause { return as[Pause](e) }

// Process is a process event's payload.
func (e Event) Process() Process { return as[Process](e) }

// Exit is an exit event's payload.
func (e Event) Exit() Exit { return as[Exit](e) }

// SignalSent is a signal event's payload.
func (e Event) SignalSent() SignalSent { return as[SignalSent](e) }

// QueuePut is a put event's payload.
func (e Event) QueuePut() QueuePut { return as[QueuePut](e) }

// QueueGet is a get event's payload.
func (e Event) QueueGet() QueueGet { return as[QueueGet](e) }

// QueueChange is a queue event's payload.
func (e Event) QueueChange() QueueChange { return as[QueueChange](e) }

// ProgramEnd is a run event's payload.
func (e Event) ProgramEnd() ProgramEnd { return as[ProgramEnd](e) }

// Refused is a refused event's payload.
func (e Event) Refused() Refused { return as[Refused](e) }

// WorkStep is a work event's payload.
func (e Event) WorkStep() WorkStep { return as[WorkStep](e) }

// BrokerRead is a broker event's payload.
func (e Event) BrokerRead() BrokerRead { return as[BrokerRead](e) }

// CopyStep is a copy event's payload.
func (e Event) CopyStep() CopyStep { return as[CopyStep](e) }

// Deadlock is a deadlock event's payload.
func (e Event) Deadlock() Deadlock { return as[Deadlock](e) }

// Stuck is a stuck event's payload.
func (e Event) Stuck() Stuck { return as[Stuck](e) }

// RuntimeState is a runtime event's payload.
func (e Event) RuntimeState() RuntimeState { return as[RuntimeState](e) }

// Turn is a turn event's payload.
func (e Event) Turn() Turn { return as[Turn](e) }
