package lesson

var locks = []ObjectKind{Lock, RLock, FileLock, Condition, Semaphore, RWLock}

// counters are what a step counts into: a shared counter, or a per-task local.
var counters = []ObjectKind{Counter, Local}

// steps is the step vocabulary. It is the one place steps are documented:
// `mtviz steps` prints it and the loader's errors point to it. Each entry
// makes its kind's own struct and fills it.
var steps = []schema{
	{name: string(OpLog), step: func() StepSpec { return &LogStep{} }, rules: rulePlaceholders, short: "text", doc: "print a line, as the chapter's print() does; {name} is replaced by counter name's value, {task} by the task's name, {pid} and {ppid} by the real PID and parent PID of the task's process, {child} by the PID of the process task it spawned last (as fork() returns it), {value} by the value an each loop is on, {cores} by the run's cores, {time} by the time of day",
		fields: []field{{name: "text", kind: kText, required: true, doc: "the line", set: func(d any, v any) { d.(*LogStep).Text = v.(string) }}}},
	{name: string(OpSleep), step: func() StepSpec { return &SleepStep{} }, rules: rulePositive, short: "for", doc: "sleep; the lane shows Sleeping",
		fields: []field{
			{name: "for", kind: kDur, required: true, doc: "how long, e.g. 2s or 150ms", set: func(d any, v any) { d.(*SleepStep).For = v.(durVal).d }},
			{name: "random", kind: kDur, doc: "sleep up to this much longer, chosen at random", set: func(d any, v any) { d.(*SleepStep).Random = v.(durVal).d }},
		}},
	{name: string(OpBusy), step: func() StepSpec { return &BusyStep{} }, rules: rulePositive, short: "for", doc: "compute without pause (CPU-bound work)",
		fields: []field{
			{name: "for", kind: kDur, required: true, doc: "how long", set: func(d any, v any) { d.(*BusyStep).For = v.(durVal).d }},
			{name: "hold", kind: kRef, refs: []ObjectKind{GIL}, doc: "a gil the work must hold, handed over each switch interval",
				set: func(d any, v any) { d.(*BusyStep).Hold = v.(string) }},
			{name: "count", kind: kRef, refs: counters, doc: "a counter that counts work units (one per 1000 loop turns)",
				set: func(d any, v any) { d.(*BusyStep).Count = v.(string) }},
		}},
	{name: string(OpRepeat), step: func() StepSpec { return &RepeatStep{} }, rules: ruleRepeat, doc: "run the steps a number of times, or again and again for a while",
		fields: []field{
			{name: "times", kind: kCount, doc: "how many times, or `cores` for once per core (give times or for)", set: func(d any, v any) { d.(*RepeatStep).Times = int(v.(int64)) }},
			{name: "for", kind: kDur, doc: "or: again and again until this long has passed, e.g. 400ms (a loop that runs for many of the scheduler's time slices)", set: func(d any, v any) { d.(*RepeatStep).For = v.(durVal).d }},
			{name: "steps", kind: kSteps, required: true, doc: "the steps to repeat", set: func(d any, v any) { d.(*RepeatStep).Steps = v.([]Step) }},
		}},
	{name: string(OpAdd), step: func() StepSpec { return &AddStep{} }, doc: "counter = counter + n, as a separate read and write so that another task can slip between them",
		fields: []field{
			{name: "counter", kind: kRef, refs: counters, required: true, doc: "the counter", set: func(d any, v any) { d.(*AddStep).Counter = v.(string) }},
			{name: "n", kind: kInt, required: true, doc: "the amount (negative to subtract)", set: func(d any, v any) { d.(*AddStep).N = v.(int64) }},
		}},
	{name: string(OpLock), step: func() StepSpec { return &LockStep{} }, short: "lock", doc: "acquire a lock; the lane shows Blocked while another task holds it",
		fields: []field{{name: "lock", kind: kRef, refs: locks, required: true, doc: "a lock, rlock, flock, semaphore or rwlock, or a condition (its lock)", set: func(d any, v any) { d.(*LockStep).Lock = v.(string) }},
			{name: "read", kind: kBool, doc: "an rwlock: take it for reading, shared with other readers", set: func(d any, v any) { d.(*LockStep).Read = v.(bool) }}, {name: "timeout", kind: kDur, doc: "give up after this long and go on to the next step (the log says so), as Python's acquire(timeout=...) returns False", set: func(d any, v any) { d.(*LockStep).Timeout = v.(durVal).d }}}},
	{name: string(OpUnlock), step: func() StepSpec { return &UnlockStep{} }, short: "lock", doc: "release a lock the task holds",
		fields: []field{{name: "lock", kind: kRef, refs: locks, required: true, doc: "a lock, rlock or flock", set: func(d any, v any) { d.(*UnlockStep).Lock = v.(string) }}}},
	{name: string(OpWait), step: func() StepSpec { return &WaitStep{} }, short: "on", doc: "wait on a condition (its lock held) or until an event is set",
		fields: []field{{name: "on", kind: kRef, refs: []ObjectKind{Condition, Event}, required: true, doc: "a condition or an event", set: func(d any, v any) { d.(*WaitStep).On = v.(string) }}, {name: "timeout", kind: kDur, doc: "give up after this long and go on to the next step (the log says so), as Python's acquire(timeout=...) returns False", set: func(d any, v any) { d.(*WaitStep).Timeout = v.(durVal).d }}}},
	{name: string(OpNotify), step: func() StepSpec { return &NotifyStep{} }, short: "condition", doc: "wake one waiter of a condition (its lock held)",
		fields: []field{
			{name: "condition", kind: kRef, refs: []ObjectKind{Condition}, required: true, doc: "the condition", set: func(d any, v any) { d.(*NotifyStep).Condition = v.(string) }},
			{name: "all", kind: kBool, doc: "wake every waiter", set: func(d any, v any) { d.(*NotifyStep).All = v.(bool) }},
		}},
	{name: string(OpSet), step: func() StepSpec { return &SetStep{} }, short: "event", doc: "set an event, releasing its waiters",
		fields: []field{{name: "event", kind: kRef, refs: []ObjectKind{Event}, required: true, doc: "the event", set: func(d any, v any) { d.(*SetStep).Event = v.(string) }}}},
	{name: string(OpClear), step: func() StepSpec { return &ClearStep{} }, short: "event", doc: "clear an event so that waiters block again",
		fields: []field{{name: "event", kind: kRef, refs: []ObjectKind{Event}, required: true, doc: "the event", set: func(d any, v any) { d.(*ClearStep).Event = v.(string) }}}},
	{name: string(OpPut), step: func() StepSpec { return &PutStep{} }, rules: rulePlaceholders, doc: "put a value on a queue",
		fields: []field{
			{name: "queue", kind: kRef, refs: []ObjectKind{Queue}, required: true, doc: "the queue", set: func(d any, v any) { d.(*PutStep).Queue = v.(string) }},
			{name: "value", kind: kString, required: true, doc: "the value", set: func(d any, v any) { d.(*PutStep).Value = v.(string) }},
		}},
	{name: string(OpGet), step: func() StepSpec { return &GetStep{} }, short: "queue", doc: "take the next value from a queue, blocking while it is empty",
		fields: []field{{name: "queue", kind: kRef, refs: []ObjectKind{Queue}, required: true, doc: "the queue", set: func(d any, v any) { d.(*GetStep).Queue = v.(string) }}, {name: "timeout", kind: kDur, doc: "give up after this long and go on to the next step (the log says so), as Python's acquire(timeout=...) returns False", set: func(d any, v any) { d.(*GetStep).Timeout = v.(durVal).d }}}},
	{name: string(OpSpawn), step: func() StepSpec { return &SpawnStep{} }, short: "tasks", doc: "start tasks (a task some step spawns does not start with the round); a process task is started once its process runs (it has said hello), as Process.start() returns once the child exists",
		fields: []field{
			{name: "tasks", kind: kNames, required: true, doc: "a task name or a list; a counted task starts all its copies", set: func(d any, v any) { d.(*SpawnStep).Tasks = v.([]string) }},
			{name: "stagger", kind: kDur, doc: "start them one at a time, this long apart (default: all together)", set: func(d any, v any) { d.(*SpawnStep).Stagger = v.(durVal).d }},
		}},
	{name: string(OpJoin), step: func() StepSpec { return &JoinStep{} }, short: "tasks", doc: "wait until tasks have ended",
		fields: []field{{name: "tasks", kind: kNames, required: true, doc: "a task name or a list", set: func(d any, v any) { d.(*JoinStep).Tasks = v.([]string) }}, {name: "timeout", kind: kDur, doc: "give up after this long and go on to the next step (the log says so), as Python's acquire(timeout=...) returns False", set: func(d any, v any) { d.(*JoinStep).Timeout = v.(durVal).d }}}},
	{name: string(OpPhase), step: func() StepSpec { return &PhaseStep{} }, short: "name", doc: "mark the start of a named part of the run, for checks and the screen",
		fields: []field{{name: "name", kind: kString, required: true, doc: "the phase name", set: func(d any, v any) { d.(*PhaseStep).Name = v.(string) }}}},
	{name: string(OpExit), step: func() StepSpec { return &ExitStep{} }, rules: ruleExit, short: "code", doc: "end the task here; in a process task, end the process at once with this code, leaving its children behind",
		fields: []field{{name: "code", kind: kInt, doc: "exit code (processes)", set: func(d any, v any) { d.(*ExitStep).Code = int(v.(int64)) }}}},
	{name: string(OpCrash), step: func() StepSpec { return &CrashStep{} }, short: "message", doc: "panic: the whole process the task runs in ends at once, every goroutine in it, as an uncaught Go panic ends a Go program (exit status 2); only in a process task, or a task a process task spawns",
		fields: []field{{name: "message", kind: kString, required: true, doc: "what the panic says", set: func(d any, v any) { d.(*CrashStep).Message = v.(string) }}}},
	{name: string(OpEach), step: func() StepSpec { return &EachStep{} }, doc: "take values from a queue until a given value, running the steps for each; {value} in a log is the value",
		fields: []field{
			{name: "queue", kind: kRef, refs: []ObjectKind{Queue}, required: true, doc: "the queue", set: func(d any, v any) { d.(*EachStep).Queue = v.(string) }},
			{name: "until", kind: kString, required: true, doc: "the value that ends the loop", set: func(d any, v any) { d.(*EachStep).Until = v.(string) }},
			{name: "steps", kind: kSteps, doc: "the steps for each value (none: each value is only taken; the log says \"got VALUE from QUEUE\" either way)", set: func(d any, v any) { d.(*EachStep).Steps = v.([]Step) }},
		}},
	{name: string(OpRead), step: func() StepSpec { return &ReadStep{} }, short: "counter", doc: "copy a counter into the task's own private copy (the first half of balance = balance + n)",
		fields: []field{{name: "counter", kind: kRef, refs: counters, required: true, doc: "the counter", set: func(d any, v any) { d.(*ReadStep).Counter = v.(string) }}}},
	{name: string(OpWrite), step: func() StepSpec { return &WriteStep{} }, doc: "set a counter to the task's private copy plus n (the second half of balance = balance + n)",
		fields: []field{
			{name: "counter", kind: kRef, refs: counters, required: true, doc: "the counter", set: func(d any, v any) { d.(*WriteStep).Counter = v.(string) }},
			{name: "add", kind: kInt, required: true, doc: "what to add to the copy", set: func(d any, v any) { d.(*WriteStep).Add = v.(int64) }},
		}},
	{name: string(OpStop), step: func() StepSpec { return &StopStep{} }, short: "tasks", doc: "stop tasks at their next step or wait, even blocked ones (mtviz can; Python cannot)",
		fields: []field{{name: "tasks", kind: kNames, required: true, doc: "a task name or a list", set: func(d any, v any) { d.(*StopStep).Tasks = v.([]string) }}}},
	{name: string(OpBranch), step: func() StepSpec { return &BranchStep{} }, doc: "run one list of steps if an event is set, another if it is clear (like `if event.isSet():`)",
		fields: []field{
			{name: "event", kind: kRef, refs: []ObjectKind{Event}, required: true, doc: "the event", set: func(d any, v any) { d.(*BranchStep).Event = v.(string) }},
			{name: "if_set", kind: kSteps, doc: "steps when it is set", set: func(d any, v any) { d.(*BranchStep).IfSet = v.([]Step) }},
			{name: "if_clear", kind: kSteps, doc: "steps when it is clear", set: func(d any, v any) { d.(*BranchStep).IfClear = v.([]Step) }},
		}},
	{name: string(OpKill), step: func() StepSpec { return &KillStep{} }, rules: ruleKill, short: "task", doc: "send a signal to a process task's process",
		fields: []field{
			{name: "task", kind: kTaskRefs, required: true, doc: "the process task (every copy), or one copy of a counted task (worker-2)", set: func(d any, v any) { d.(*KillStep).Tasks = v.([]string) }},
			{name: "signal", kind: kString, doc: "TERM (default), KILL or INT", set: func(d any, v any) { d.(*KillStep).Signal = v.(string) }},
		}},
	{name: string(OpRun), step: func() StepSpec { return &RunStep{} }, rules: ruleRun, doc: "run an external program as a child process (never through a shell), feed it stdin, log its output and exit code",
		fields: []field{
			{name: "program", kind: kString, required: true, doc: "the program: a name looked up in PATH, or a path", set: func(d any, v any) { d.(*RunStep).Program = v.(string) }},
			{name: "args", kind: kList, doc: "its arguments, a list", set: func(d any, v any) { d.(*RunStep).Args = v.([]string) }},
			{name: "stdin", kind: kString, doc: "what to write to its standard input", set: func(d any, v any) { d.(*RunStep).Stdin = v.(string) }},
		}},
	{name: string(OpRequest), step: func() StepSpec { return &RequestStep{} }, rules: ruleRequest, short: "server", doc: "ask a server and wait for its answer, again and again: one request writes one byte and reads the one byte the server sends back after its delay; the lane shows the wait as I/O",
		fields: []field{
			{name: "server", kind: kRef, refs: []ObjectKind{Server}, required: true, doc: "the server", set: func(d any, v any) { d.(*RequestStep).Server = v.(string) }},
			{name: "times", kind: kInt, doc: "how many requests, one after another (default 1; give times or for)", set: func(d any, v any) { d.(*RequestStep).Times = int(v.(int64)) }},
			{name: "for", kind: kDur, doc: "or: request again and again until this long has passed", set: func(d any, v any) { d.(*RequestStep).For = v.(durVal).d }},
			{name: "count", kind: kRef, refs: counters, doc: "a counter that counts the answers (each process counts in its own copy)",
				set: func(d any, v any) { d.(*RequestStep).Count = v.(string) }},
			{name: "mode", kind: kString, doc: "poll (default): wait in Go's network poller (epoll), holding no thread while waiting; block: lock the goroutine to its OS thread and wait in a blocking read(2), one thread per waiting request",
				set: func(d any, v any) { d.(*RequestStep).Mode = v.(string) }},
		}},
	{name: string(OpMaster), step: func() StepSpec { return &MasterStep{} }, rules: ruleMaster, short: "broker", doc: "be the master of a broker's job: publish tasks 1..N to its work queue, a few hundred ahead of their results, and collect each result (n*n) once by task id, until all are in; a master started again after one was killed goes on where it stopped",
		fields: []field{
			{name: "broker", kind: kRef, refs: []ObjectKind{Broker}, required: true, doc: "the broker", set: func(d any, v any) { d.(*MasterStep).Broker = v.(string) }},
			{name: "tasks", kind: kInt, doc: "how many tasks (default 1000)", set: func(d any, v any) { d.(*MasterStep).Tasks = v.(int64) }},
		}},
	{name: string(OpWork), step: func() StepSpec { return &WorkStep{} }, rules: ruleWork, short: "broker", doc: "be a worker of a broker's job: pull tasks, publish each result, acknowledge the task once the server has stored the result, until the master says the job is done; the lane shows the waits for tasks as I/O in the net poller",
		fields: []field{
			{name: "broker", kind: kRef, refs: []ObjectKind{Broker}, required: true, doc: "the broker", set: func(d any, v any) { d.(*WorkStep).Broker = v.(string) }},
			{name: "pace", kind: kDur, doc: "how long each task takes (default 0), so that the work can be watched; a worker holds a few tasks ahead of its work", set: func(d any, v any) { d.(*WorkStep).Pace = v.(durVal).d }},
			{name: "count", kind: kRef, refs: counters, doc: "a counter that counts the tasks done (each process counts in its own copy)",
				set: func(d any, v any) { d.(*WorkStep).Count = v.(string) }},
			{name: "wrong_key", kind: kBool, doc: "present a wrong key: the server refuses the worker, which logs it and ends", set: func(d any, v any) { d.(*WorkStep).WrongKey = v.(bool) }},
		}},
	{name: string(OpKey), step: func() StepSpec { return &KeyStep{} }, rules: ruleKey, doc: "wait for the learner to press a key (headless runs press it after `auto`)",
		fields: []field{
			{name: "key", kind: kString, required: true, doc: "one character", set: func(d any, v any) { d.(*KeyStep).Key = v.(string) }},
			{name: "label", kind: kText, required: true, doc: "what the key does, shown on screen", set: func(d any, v any) { d.(*KeyStep).Label = v.(string) }},
			{name: "auto", kind: kDur, doc: "headless: press it after this long (default 1s)", set: func(d any, v any) { d.(*KeyStep).Auto = v.(durVal).d }},
			{name: "always", kind: kBool, doc: "press it after `auto` on screen too, if the learner has not (for a text that says \"press x, or wait\")", set: func(d any, v any) { d.(*KeyStep).Always = v.(bool) }},
		}},
}
