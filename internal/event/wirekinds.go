package event

// Each kind's payload into the recording's flat form and back: field by
// field, no reflection (TestJSONUnchanged and TestWireSetBits hold them to
// the types).

func (RoundStart) put(*Wire)       {}
func takeRoundStart(*Wire) Payload { return RoundStart{} }

func (p RoundEnd) put(w *Wire)     { w.Values, w.LostBy = p.Values, p.LostBy }
func takeRoundEnd(w *Wire) Payload { return RoundEnd{Values: w.Values, LostBy: w.LostBy} }

func (p TaskStart) put(w *Wire) { w.TaskKind, w.Daemon, w.State = p.TaskKind, p.Daemon, p.State }
func takeTaskStart(w *Wire) Payload {
	return TaskStart{TaskKind: w.TaskKind, Daemon: w.Daemon, State: w.State}
}

func (p StateChange) put(w *Wire) {
	w.State, w.Reason, w.Object, w.Holder, w.End, w.By, w.Folded = p.State, p.Reason, p.Object, p.Holder, p.End, p.By, p.Folded
}
func takeStateChange(w *Wire) Payload {
	return StateChange{State: w.State, Reason: w.Reason, Object: w.Object, Holder: w.Holder, End: w.End, By: w.By, Folded: w.Folded}
}

func (p LockChange) put(w *Wire) {
	w.Object, w.Holder, w.Count, w.Waiters = p.Object, p.Holder, p.Count, p.Waiters
}
func takeLockChange(w *Wire) Payload {
	return LockChange{Object: w.Object, Holder: w.Holder, Count: w.Count, Waiters: w.Waiters}
}

func (p LockFile) put(w *Wire)     { w.Object, w.File = p.Object, p.File }
func takeLockFile(w *Wire) Payload { return LockFile{Object: w.Object, File: w.File} }

func (p CondChange) put(w *Wire)     { w.Object, w.Waiters = p.Object, p.Waiters }
func takeCondChange(w *Wire) Payload { return CondChange{Object: w.Object, Waiters: w.Waiters} }

func (p FlagChange) put(w *Wire) { w.Object, w.Waiters, w.Set = p.Object, p.Waiters, p.Set }
func takeFlagChange(w *Wire) Payload {
	return FlagChange{Object: w.Object, Waiters: w.Waiters, Set: w.Set}
}

func (p CounterChange) put(w *Wire) { w.Object, w.Value, w.Lost = p.Object, p.Value, p.Lost }
func takeCounterChange(w *Wire) Payload {
	return CounterChange{Object: w.Object, Value: w.Value, Lost: w.Lost}
}

func (p Log) put(w *Wire)     { w.Text = p.Text }
func takeLog(w *Wire) Payload { return Log{Text: w.Text} }

func (p Stderr) put(w *Wire)     { w.Text = p.Text }
func takeStderr(w *Wire) Payload { return Stderr{Text: w.Text} }

func (p PhaseStart) put(w *Wire)     { w.Phase = p.Phase }
func takePhaseStart(w *Wire) Payload { return PhaseStart{Phase: w.Phase} }

func (p KeyWait) put(w *Wire)     { w.Key, w.Label = p.Key, p.Label }
func takeKeyWait(w *Wire) Payload { return KeyWait{Key: w.Key, Label: w.Label} }

func (p Failure) put(w *Wire)     { w.Object, w.Error = p.Object, p.Error }
func takeFailure(w *Wire) Payload { return Failure{Object: w.Object, Error: w.Error} }

func (p Pause) put(w *Wire)     { w.Paused = p.Paused }
func takePause(w *Wire) Payload { return Pause{Paused: w.Paused} }

func (p Process) put(w *Wire) { w.PPID, w.GoMaxProcs, w.Program = p.PPID, p.GoMaxProcs, p.Program }
func takeProcess(w *Wire) Payload {
	return Process{PPID: w.PPID, GoMaxProcs: w.GoMaxProcs, Program: w.Program}
}

func (p Exit) put(w *Wire) {
	w.Code, w.Signal, w.Reaper, w.ReaperPID, w.Adopted, w.CPUTime = p.Code, p.Signal, p.Reaper, p.ReaperPID, p.Adopted, p.CPUTime
}
func takeExit(w *Wire) Payload {
	return Exit{Code: w.Code, Signal: w.Signal, Reaper: w.Reaper, ReaperPID: w.ReaperPID, Adopted: w.Adopted, CPUTime: w.CPUTime}
}

func (p SignalSent) put(w *Wire) { w.Error, w.Signal, w.Target = p.Error, p.Signal, p.Target }
func takeSignalSent(w *Wire) Payload {
	return SignalSent{Error: w.Error, Signal: w.Signal, Target: w.Target}
}

func (p QueuePut) put(w *Wire)     { w.Object, w.Item = p.Object, p.Item }
func takeQueuePut(w *Wire) Payload { return QueuePut{Object: w.Object, Item: w.Item} }

func (p QueueGet) put(w *Wire)     { w.Object, w.Item = p.Object, p.Item }
func takeQueueGet(w *Wire) Payload { return QueueGet{Object: w.Object, Item: w.Item} }

func (p QueueChange) put(w *Wire) {
	w.Object, w.Waiters, w.Items, w.Len = p.Object, p.Waiters, p.Items, p.Len
}
func takeQueueChange(w *Wire) Payload {
	return QueueChange{Object: w.Object, Waiters: w.Waiters, Items: w.Items, Len: w.Len}
}

func (p ProgramEnd) put(w *Wire) {
	w.Error, w.Program, w.Code, w.Signal, w.Output = p.Error, p.Program, p.Code, p.Signal, p.Output
}
func takeProgramEnd(w *Wire) Payload {
	return ProgramEnd{Error: w.Error, Program: w.Program, Code: w.Code, Signal: w.Signal, Output: w.Output}
}

func (p Refused) put(w *Wire)     { w.Object, w.Error, w.Addr = p.Object, p.Error, p.Addr }
func takeRefused(w *Wire) Payload { return Refused{Object: w.Object, Error: w.Error, Addr: w.Addr} }

func (p WorkStep) put(w *Wire)     { w.Object, w.Work = p.Object, p.Work }
func takeWorkStep(w *Wire) Payload { return WorkStep{Object: w.Object, Work: w.Work} }

func (p BrokerRead) put(w *Wire)     { w.Object, w.Broker = p.Object, p.Broker }
func takeBrokerRead(w *Wire) Payload { return BrokerRead{Object: w.Object, Broker: w.Broker} }

func (p CopyStep) put(w *Wire) { w.Object, w.Value, w.Copy, w.N = p.Object, p.Value, p.Copy, p.N }
func takeCopyStep(w *Wire) Payload {
	return CopyStep{Object: w.Object, Value: w.Value, Copy: w.Copy, N: w.N}
}

func (p Deadlock) put(w *Wire)     { w.Cycle, w.Edges = p.Cycle, p.Edges }
func takeDeadlock(w *Wire) Payload { return Deadlock{Cycle: w.Cycle, Edges: w.Edges} }

func (p Stuck) put(w *Wire)     { w.Edges = p.Edges }
func takeStuck(w *Wire) Payload { return Stuck{Edges: w.Edges} }

func (p RuntimeState) put(w *Wire)     { w.State, w.P, w.Why = p.State, p.P, p.Why }
func takeRuntimeState(w *Wire) Payload { return RuntimeState{State: w.State, P: w.P, Why: w.Why} }

func (p Turn) put(w *Wire)     { w.Object, w.Text = p.Object, p.Text }
func takeTurn(w *Wire) Payload { return Turn{Object: w.Object, Text: w.Text} }

func (Finish) put(*Wire)       {}
func takeFinish(*Wire) Payload { return Finish{} }

// takes makes each kind's payload from the flat form.
var takes = map[Kind]func(*Wire) Payload{
	KRound:    takeRoundStart,
	KRoundEnd: takeRoundEnd,
	KTask:     takeTaskStart,
	KState:    takeStateChange,
	KLock:     takeLockChange,
	KLockFile: takeLockFile,
	KCond:     takeCondChange,
	KFlag:     takeFlagChange,
	KCounter:  takeCounterChange,
	KLog:      takeLog,
	KStderr:   takeStderr,
	KPhase:    takePhaseStart,
	KKey:      takeKeyWait,
	KError:    takeFailure,
	KPause:    takePause,
	KProcess:  takeProcess,
	KExit:     takeExit,
	KSignal:   takeSignalSent,
	KPut:      takeQueuePut,
	KGet:      takeQueueGet,
	KQueue:    takeQueueChange,
	KRun:      takeProgramEnd,
	KRefused:  takeRefused,
	KWork:     takeWorkStep,
	KBroker:   takeBrokerRead,
	KCopy:     takeCopyStep,
	KDeadlock: takeDeadlock,
	KStuck:    takeStuck,
	KRuntime:  takeRuntimeState,
	KTurn:     takeTurn,
	KEnd:      takeFinish,
}

// set is a bit for each field after the header that is not zero, in
// the order of Wire's fields.
func (w *Wire) set() uint64 {
	var b uint64
	for i, nz := range [...]bool{
		w.TaskKind != "",
		w.Daemon,
		w.State != 0,
		w.Reason != "",
		w.Object != "",
		w.Holder != "",
		w.End != "",
		w.By != "",
		w.Folded != 0,
		w.Count != 0,
		w.Waiters != nil,
		w.File != "",
		w.Set,
		w.Value != 0,
		w.Lost != 0,
		w.Values != nil,
		w.LostBy != nil,
		w.Copy != "",
		w.N != 0,
		w.Item != "",
		w.Items != nil,
		w.Len != 0,
		w.Text != "",
		w.Phase != "",
		w.Key != "",
		w.Label != "",
		w.Error != "",
		w.Paused,
		w.PPID != 0,
		w.GoMaxProcs != 0,
		w.Program != "",
		w.Code != 0,
		w.Signal != 0,
		w.Reaper != "",
		w.ReaperPID != 0,
		w.Adopted,
		w.CPUTime != 0,
		w.Target != "",
		w.Output != "",
		w.Cycle != nil,
		w.Edges != nil,
		w.P != 0,
		w.Why != "",
		w.Addr != "",
		w.Work != nil,
		w.Broker != nil,
	} {
		if nz {
			b |= 1 << i
		}
	}
	return b
}
