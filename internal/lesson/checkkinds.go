package lesson

// CheckKind is the name of a check: the key a lesson file gives it.
type CheckKind string

// The checks of a run, by name. The table in checkvocab.go says what each
// takes; the verdict's judges are keyed by these.
const (
	CheckTransitions    CheckKind = "transitions"
	CheckRuntime        CheckKind = "runtime"
	CheckLines          CheckKind = "lines"
	CheckBefore         CheckKind = "before"
	CheckDeadlock       CheckKind = "deadlock"
	CheckHolds          CheckKind = "holds"
	CheckStoppedBlocked CheckKind = "stopped_blocked"
	CheckParent         CheckKind = "parent"
	CheckOverlap        CheckKind = "overlap"
	CheckLifetime       CheckKind = "lifetime"
	CheckLogs           CheckKind = "logs"
	CheckNeverLogged    CheckKind = "never_logged"
	CheckAfterExit      CheckKind = "after_exit"
	CheckGoneWith       CheckKind = "gone_with"
	CheckZombie         CheckKind = "zombie"
	CheckAdopted        CheckKind = "adopted"
	CheckExitStatus     CheckKind = "exit_status"
	CheckSurvived       CheckKind = "survived"
	CheckTerminated     CheckKind = "terminated"
	CheckProgram        CheckKind = "program"
	CheckReceived       CheckKind = "received"
	CheckProcesses      CheckKind = "processes"
	CheckBlocked        CheckKind = "blocked"
	CheckQueue          CheckKind = "queue"
	CheckBounds         CheckKind = "bounds"
	CheckPIDs           CheckKind = "pids"
	CheckLogsCount      CheckKind = "logs_count"
	CheckCounter        CheckKind = "counter"
	CheckDrift          CheckKind = "drift"
	CheckThreads        CheckKind = "threads"
	CheckRecorded       CheckKind = "recorded"
	CheckRefused        CheckKind = "refused"
	CheckRedelivered    CheckKind = "redelivered"
	CheckResumed        CheckKind = "resumed"
	CheckCPUTime        CheckKind = "cpu_time"
	CheckCPU            CheckKind = "cpu"
	CheckCPUMin         CheckKind = "cpu_min"
	CheckCPURatio       CheckKind = "cpu_ratio"
)

// The checks of a comparison (compare.go's table).
const (
	CheckMore CheckKind = "more"
)

// The checks of a sweep (switches.go's table).
const (
	CheckGrows     CheckKind = "grows"
	CheckLevelsOff CheckKind = "levels_off"
	CheckRises     CheckKind = "rises"
)

// checkKinds are the names of a table of checks.
func checkKinds(table []schema) []CheckKind {
	kinds := make([]CheckKind, len(table))
	for i := range table {
		kinds[i] = CheckKind(table[i].name)
	}
	return kinds
}
