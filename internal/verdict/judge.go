package verdict

import (
	"fmt"
	"strings"
	"time"

	"mtviz/internal/event"
	"mtviz/internal/item"
	"mtviz/internal/lesson"
	"mtviz/internal/words"
)

// Verdict is what a check came to.
type Verdict uint8

// Verdicts. A check that could not be decided (one core where the race
// needs two, a machine too busy to compare CPU, a process killed from
// outside) says so: it never passes.
const (
	Pass Verdict = iota
	Fail
	Undecided
)

var verdictNames = [...]string{"pass", "fail", "not decided"}

func (v Verdict) String() string { return verdictNames[v] }

// MarshalText writes the verdict's name in JSON.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText reads a verdict's name.
func (v *Verdict) UnmarshalText(b []byte) error {
	for i, n := range verdictNames {
		if n == string(b) {
			*v = Verdict(i)
			return nil
		}
	}
	return fmt.Errorf("unknown verdict %q", b)
}

// Result is the verdict of one check.
type Result struct {
	Name    string  `json:"name"`
	OK      bool    `json:"ok"` // the check held (Verdict pass)
	Verdict Verdict `json:"verdict"`
	Detail  string  `json:"detail"`
}

// Summary is the verdict of a whole run.
type Summary struct {
	Scenario string        `json:"scenario"`
	OK       bool          `json:"ok"` // every check held and the run ran to its end
	Verdict  Verdict       `json:"verdict"`
	Checks   []Result      `json:"checks"`
	Rounds   int           `json:"rounds"`
	Cores    int           `json:"cores"`
	Duration time.Duration `json:"duration"`
	Stopped  bool          `json:"stopped,omitempty"`
	Errors   []string      `json:"errors,omitempty"`
}

// pass, fail and undecided say a verdict's detail in the language of the
// screen's words: format is looked up in the catalog as words.F does (its
// test reads their formats as it reads words.F's).
func pass(format string, a ...any) Result {
	return Result{Verdict: Pass, Detail: fmt.Sprintf(words.T(format), a...)}
}
func fail(format string, a ...any) Result {
	return Result{Verdict: Fail, Detail: fmt.Sprintf(words.T(format), a...)}
}

// holds is a pass when ok, else a fail, with the same detail d (already
// in the screen's language).
func holds(ok bool, d string) Result {
	if ok {
		return pass("%s", d)
	}
	return fail("%s", d)
}

func undecided(format string, a ...any) Result {
	return Result{Verdict: Undecided, Detail: words.T("not decided: ") + fmt.Sprintf(words.T(format), a...)}
}

// judge decides one check: it sees every event as the run goes and keeps
// what it needs, then decides from that and the shared facts.
type judge interface {
	event(f *facts, ev *event.Event)
	decide(f *facts) Result
}

// Config says what run is judged.
type Config struct {
	Scenario *lesson.Scenario
	Cores    int // cores the run had
	Root     int // mtviz's own PID: the root of the run's process tree
}

// Judge reads a run's items, the same the fold reads, and keeps what the
// checks and the figures need; it decides at the end. Memory is bounded by
// the run's length and its number of processes, not by its events.
type Judge struct {
	f   facts
	now time.Duration
}

// New starts judging a run.
func New(cfg Config) *Judge {
	j := &Judge{}
	j.f.init(cfg)
	return j
}

// Apply reads one item.
func (j *Judge) Apply(it item.Item) {
	if it.Sample != nil {
		j.f.sample(it.Sample)
		j.now = max(j.now, it.Sample.T)
	}
	for i := range it.Events {
		ev := &it.Events[i]
		j.f.event(ev)
		j.now = max(j.now, ev.T)
	}
}

// Decide decides every check of the run: stopped says the run was stopped
// before its end, errs are errors of the run as a whole.
func (j *Judge) Decide(stopped bool, errs []string) Summary {
	f := &j.f
	sum := Summary{Scenario: f.sc.ID, Cores: f.coreCount, Stopped: stopped,
		Rounds: len(f.ends), Duration: f.duration, Errors: f.errors}
	if f.errCount > len(f.errors) {
		sum.Errors = append(sum.Errors, fmt.Sprintf("and %d more errors", f.errCount-len(f.errors)))
	}
	sum.Errors = append(sum.Errors, errs...)
	if sum.Duration == 0 {
		sum.Duration = j.now
	}
	outside := f.killedOutside()
	for i, c := range f.sc.Checks {
		r := f.judges[i].decide(f)
		r.Name = c.Name
		switch {
		case stopped:
			r = undecided("the run was stopped before its end; so far, %s", r.Detail)
		case len(outside) > 0:
			r = undecided("ended from outside the lesson: %s; what it was doing was lost. So far, %s", strings.Join(outside, words.T("; ")), r.Detail)
		}
		r.Name = c.Name
		r.OK = r.Verdict == Pass
		sum.Checks = append(sum.Checks, r)
	}
	if f.stuck != nil {
		sum.Checks = append(sum.Checks, Result{Name: words.T("no task was left waiting forever"), Verdict: Fail,
			Detail: words.F("at %.2fs %s", f.stuck.T.Seconds(), event.StuckText(f.stuck.Stuck().Edges))})
	}
	if f.errCount > 0 {
		// An error of a step (a lock released that was not held, a process
		// that could not start) is the lesson not doing what it says: the
		// run fails, whatever its checks came to.
		sum.Checks = append(sum.Checks, Result{Name: words.T("the run had no errors"), Verdict: Fail,
			Detail: words.F("%d error(s): %s", f.errCount, strings.Join(f.errors[:min(3, len(f.errors))], words.T("; ")))})
	}
	sum.Verdict = Worst(sum.Checks)
	if stopped && sum.Verdict == Pass {
		sum.Verdict = Undecided
	}
	sum.OK = sum.Verdict == Pass
	return sum
}

// Worst is the verdict of several checks: any failure fails them, else any
// check not decided leaves them undecided. No checks decide nothing.
func Worst(rs []Result) Verdict {
	if len(rs) == 0 {
		return Undecided
	}
	v := Pass
	for _, r := range rs {
		if r.Verdict == Fail || r.Verdict == Undecided && v == Pass {
			v = r.Verdict
		}
	}
	return v
}

// judges makes a check's judge, by kind: one entry per check of the
// vocabulary (a test fails when a check has none).
var judges = map[lesson.CheckKind]func(c lesson.CheckSpec, sc *lesson.Scenario) judge{
	lesson.CheckBlocked: func(c lesson.CheckSpec, _ *lesson.Scenario) judge { return &blockedJudge{c: c.(*lesson.BlockedCheck)} },
	lesson.CheckQueue:   func(c lesson.CheckSpec, _ *lesson.Scenario) judge { return &queueJudge{c: c.(*lesson.QueueCheck)} },
	lesson.CheckBounds:  func(c lesson.CheckSpec, _ *lesson.Scenario) judge { return &boundsJudge{c: c.(*lesson.BoundsCheck)} },
	lesson.CheckPIDs:    func(c lesson.CheckSpec, _ *lesson.Scenario) judge { return &pidsJudge{c: c.(*lesson.PIDsCheck)} },
	lesson.CheckLogsCount: func(c lesson.CheckSpec, _ *lesson.Scenario) judge {
		return &linesCountJudge{c: c.(*lesson.LinesCountCheck)}
	},
	lesson.CheckCounter:  func(c lesson.CheckSpec, _ *lesson.Scenario) judge { return &counterJudge{c: c.(*lesson.CounterCheck)} },
	lesson.CheckThreads:  func(c lesson.CheckSpec, _ *lesson.Scenario) judge { return &threadsJudge{c: c.(*lesson.ThreadsCheck)} },
	lesson.CheckCPUTime:  func(c lesson.CheckSpec, _ *lesson.Scenario) judge { return &cpuTimeJudge{c: c.(*lesson.CPUTimeCheck)} },
	lesson.CheckDrift:    func(c lesson.CheckSpec, _ *lesson.Scenario) judge { return &driftJudge{c: c.(*lesson.DriftCheck)} },
	lesson.CheckCPU:      func(c lesson.CheckSpec, _ *lesson.Scenario) judge { return &cpuMaxJudge{c: c.(*lesson.CPUCheck)} },
	lesson.CheckCPURatio: func(c lesson.CheckSpec, _ *lesson.Scenario) judge { return &ratioJudge{c: c.(*lesson.CPURatioCheck)} },
	lesson.CheckCPUMin:   func(c lesson.CheckSpec, _ *lesson.Scenario) judge { return &cpuMinJudge{c: c.(*lesson.CPUMinCheck)} },
	lesson.CheckParent:   func(c lesson.CheckSpec, _ *lesson.Scenario) judge { return &parentJudge{c: c.(*lesson.ParentCheck)} },
	lesson.CheckOverlap:  func(c lesson.CheckSpec, _ *lesson.Scenario) judge { return &overlapJudge{c: c.(*lesson.OverlapCheck)} },
	lesson.CheckLifetime: func(c lesson.CheckSpec, _ *lesson.Scenario) judge {
		return &lifetimeJudge{c: c.(*lesson.LifetimeCheck)}
	},
	lesson.CheckLogs: func(c lesson.CheckSpec, _ *lesson.Scenario) judge { return &logsJudge{c: c.(*lesson.LogsCheck)} },
	lesson.CheckNeverLogged: func(c lesson.CheckSpec, _ *lesson.Scenario) judge {
		return &neverJudge{c: c.(*lesson.NeverLoggedCheck)}
	},
	lesson.CheckAfterExit: func(c lesson.CheckSpec, _ *lesson.Scenario) judge {
		return &afterExitJudge{c: c.(*lesson.AfterExitCheck)}
	},
	lesson.CheckGoneWith: func(c lesson.CheckSpec, _ *lesson.Scenario) judge {
		return &goneWithJudge{c: c.(*lesson.GoneWithCheck)}
	},
	lesson.CheckZombie:  func(c lesson.CheckSpec, _ *lesson.Scenario) judge { return &zombieJudge{c: c.(*lesson.ZombieCheck)} },
	lesson.CheckAdopted: func(c lesson.CheckSpec, _ *lesson.Scenario) judge { return &adoptedJudge{c: c.(*lesson.AdoptedCheck)} },
	lesson.CheckTerminated: func(c lesson.CheckSpec, _ *lesson.Scenario) judge {
		return &terminatedJudge{c: c.(*lesson.TerminatedCheck)}
	},
	lesson.CheckExitStatus: func(c lesson.CheckSpec, _ *lesson.Scenario) judge {
		return &exitStatusJudge{c: c.(*lesson.ExitStatusCheck)}
	},
	lesson.CheckSurvived: func(c lesson.CheckSpec, _ *lesson.Scenario) judge {
		return &survivedJudge{c: c.(*lesson.SurvivedCheck)}
	},
	lesson.CheckProgram:  func(c lesson.CheckSpec, _ *lesson.Scenario) judge { return &programJudge{c: c.(*lesson.ProgramCheck)} },
	lesson.CheckReceived: func(c lesson.CheckSpec, _ *lesson.Scenario) judge { return newReceivedJudge(c.(*lesson.ReceivedCheck)) },
	lesson.CheckProcesses: func(c lesson.CheckSpec, sc *lesson.Scenario) judge {
		return newProcessesJudge(c.(*lesson.ProcessesCheck), sc)
	},
	lesson.CheckTransitions: func(c lesson.CheckSpec, _ *lesson.Scenario) judge {
		return &transitionsJudge{c: c.(*lesson.TransitionsCheck)}
	},
	lesson.CheckRuntime: func(c lesson.CheckSpec, _ *lesson.Scenario) judge { return newRuntimeJudge(c.(*lesson.RuntimeCheck)) },
	lesson.CheckLines:   func(c lesson.CheckSpec, _ *lesson.Scenario) judge { return &linesJudge{c: c.(*lesson.LinesCheck)} },
	lesson.CheckBefore:  func(c lesson.CheckSpec, _ *lesson.Scenario) judge { return &beforeJudge{c: c.(*lesson.BeforeCheck)} },
	lesson.CheckDeadlock: func(c lesson.CheckSpec, _ *lesson.Scenario) judge {
		return &deadlockJudge{c: c.(*lesson.DeadlockCheck)}
	},
	lesson.CheckHolds: func(c lesson.CheckSpec, _ *lesson.Scenario) judge { return &holdsJudge{c: c.(*lesson.HoldsCheck)} },
	lesson.CheckStoppedBlocked: func(c lesson.CheckSpec, _ *lesson.Scenario) judge {
		return &stoppedJudge{c: c.(*lesson.StoppedBlockedCheck)}
	},
	lesson.CheckRecorded: func(c lesson.CheckSpec, _ *lesson.Scenario) judge {
		return &recordedJudge{c: c.(*lesson.RecordedCheck)}
	},
	lesson.CheckRefused: func(c lesson.CheckSpec, _ *lesson.Scenario) judge { return &refusedJudge{c: c.(*lesson.RefusedCheck)} },
	lesson.CheckRedelivered: func(c lesson.CheckSpec, _ *lesson.Scenario) judge {
		return &redeliveredJudge{c: c.(*lesson.RedeliveredCheck)}
	},
	lesson.CheckResumed: func(c lesson.CheckSpec, _ *lesson.Scenario) judge { return &resumedJudge{c: c.(*lesson.ResumedCheck)} },
}

// HasJudge reports whether a check kind can be decided.
func HasJudge(kind lesson.CheckKind) bool { return judges[kind] != nil }

func newJudge(c lesson.Check, sc *lesson.Scenario) judge {
	if mk := judges[c.Kind]; mk != nil && c.Spec != nil {
		return mk(c.Spec, sc)
	}
	return unknownJudge{c.Kind}
}

type unknownJudge struct{ kind lesson.CheckKind }

func (unknownJudge) event(*facts, *event.Event) {}
func (u unknownJudge) decide(*facts) Result {
	return undecided("this version cannot decide a %s check", u.kind)
}

// noEvents is embedded by judges that decide from the shared facts alone.
type noEvents struct{}

func (noEvents) event(*facts, *event.Event) {}
