// The engine's aliases of the event vocabulary, made by the move of it to internal/event.

package engine

import evt "mtviz/internal/event"

// The event vocabulary (internal/event) under the engine's own names.
type (
	State       = evt.State
	Reason      = evt.Reason
	End         = evt.End
	CopyOp      = evt.CopyOp
	Kind        = evt.Kind
	Event       = evt.Event
	WorkOp      = evt.WorkOp
	Work        = evt.Work
	BrokerState = evt.BrokerState
	WaitEdge    = evt.WaitEdge
)

const (
	NoState        = evt.NoState
	Created        = evt.Created
	Runnable       = evt.Runnable
	Running        = evt.Running
	Blocked        = evt.Blocked
	Sleeping       = evt.Sleeping
	Done           = evt.Done
	ReasonLock     = evt.ReasonLock
	ReasonFileLock = evt.ReasonFileLock
	ReasonGIL      = evt.ReasonGIL
	ReasonJoin     = evt.ReasonJoin
	ReasonCond     = evt.ReasonCond
	ReasonEvent    = evt.ReasonEvent
	ReasonQueue    = evt.ReasonQueue
	ReasonSleep    = evt.ReasonSleep
	ReasonKey      = evt.ReasonKey
	ReasonPaused   = evt.ReasonPaused
	ReasonIO       = evt.ReasonIO
	ReasonPoll     = evt.ReasonPoll
	ReasonStopped  = evt.ReasonStopped
	EndNormal      = evt.EndNormal
	EndStopped     = evt.EndStopped
	EndCutOff      = evt.EndCutOff
	EndKilled      = evt.EndKilled
	EndExit        = evt.EndExit
	EndFault       = evt.EndFault
	EndNoStart     = evt.EndNoStart
	EndHalted      = evt.EndHalted
	EndCrashed     = evt.EndCrashed
	CopyRead       = evt.CopyRead
	CopyWrite      = evt.CopyWrite
	KRound         = evt.KRound
	KRoundEnd      = evt.KRoundEnd
	KTask          = evt.KTask
	KState         = evt.KState
	KLock          = evt.KLock
	KLockFile      = evt.KLockFile
	KCond          = evt.KCond
	KFlag          = evt.KFlag
	KCounter       = evt.KCounter
	KLog           = evt.KLog
	KStderr        = evt.KStderr
	KPhase         = evt.KPhase
	KKey           = evt.KKey
	KError         = evt.KError
	KPause         = evt.KPause
	KProcess       = evt.KProcess
	KExit          = evt.KExit
	KSignal        = evt.KSignal
	KPut           = evt.KPut
	KGet           = evt.KGet
	KQueue         = evt.KQueue
	KRun           = evt.KRun
	KRefused       = evt.KRefused
	KWork          = evt.KWork
	KBroker        = evt.KBroker
	KCopy          = evt.KCopy
	KDeadlock      = evt.KDeadlock
	KStuck         = evt.KStuck
	KRuntime       = evt.KRuntime
	KEnd           = evt.KEnd
	WorkBegun      = evt.WorkBegun
	WorkCollected  = evt.WorkCollected
	WorkTook       = evt.WorkTook
	WorkDone       = evt.WorkDone
	WorkRefused    = evt.WorkRefused
	MaxQueueItems  = evt.MaxQueueItems
	ReasonTurn     = evt.ReasonTurn
	KTurn          = evt.KTurn
)
