package lesson

// Examples, one per step, object and check, as 'mtviz steps' prints them.
// They name the objects and tasks of exampleFile, in which a test loads
// every one of them.

var stepExamples = map[string]string{
	"log":     `log: "{task} has PID {pid}; c is {c}"`,
	"sleep":   `sleep: {for: 1s, random: 500ms}`,
	"busy":    `busy: {for: 2s, hold: g, count: c}`,
	"repeat":  `repeat: {times: 3, steps: [{add: {counter: c, n: 1}}]}`,
	"add":     `add: {counter: c, n: -5}`,
	"lock":    `lock: m`,
	"unlock":  `unlock: m`,
	"wait":    `wait: ev`,
	"notify":  `notify: {condition: cv, all: true}`,
	"set":     `set: ev`,
	"clear":   `clear: ev`,
	"put":     `put: {queue: q, value: "item {c}"}`,
	"get":     `get: q`,
	"spawn":   `spawn: [w, p]`,
	"join":    `join: w`,
	"phase":   `phase: work`,
	"exit":    `exit: 3`,
	"crash":   `crash: {message: "a thread's panic ends its process"}`,
	"each":    `each: {queue: q, until: stop, steps: [{log: "got {value}"}]}`,
	"read":    `read: c`,
	"write":   `write: {counter: c, add: 5}`,
	"stop":    `stop: w`,
	"branch":  `branch: {event: ev, if_set: [{log: set}], if_clear: [{log: clear}]}`,
	"kill":    `kill: {task: p, signal: TERM}`,
	"run":     `run: {program: sort, args: ["-r"], stdin: "a\nb\n"}`,
	"request": `request: {server: disk, times: 10, count: c, mode: poll}`,
	"master":  `master: {broker: nats, tasks: 100}`,
	"work":    `work: {broker: nats, pace: 10ms, count: c}`,
	"key":     `key: {key: x, label: "end the parent now", auto: 2s, always: true}`,
}

var objectExamples = map[string]string{
	"counter":   `c: {kind: counter, value: 100}`,
	"lock":      `m: {kind: lock}`,
	"rlock":     `r: {kind: rlock}`,
	"gil":       `g: {kind: gil, interval: 5ms}`,
	"condition": `cv: {kind: condition, lock: m}`,
	"event":     `ev: {kind: event}`,
	"queue":     `q: {kind: queue, size: 2}`,
	"semaphore": `s: {kind: semaphore, value: 3}`,
	"local":     `mine: {kind: local, value: 0}`,
	"rwlock":    `rw: {kind: rwlock}`,
	"flock":     `f: {kind: flock}`,
	"server":    `disk: {kind: server, delay: 20ms}`,
	"broker":    `nats: {kind: broker, ack_wait: 1s, results: c}`,
}

var checkExamples = map[string]string{
	"transitions":     `transitions: {task: w, states: [running, blocked, done], name: w went from running to blocked}`,
	"runtime":         `runtime: {task: w, states: [running, runnable]}`,
	"lines":           `lines: {tasks: [w], values: [hello, bye]}`,
	"before":          `before: {first: ask, then: answer}`,
	"deadlock":        `deadlock: {tasks: [w, main]}`,
	"holds":           `holds: {lock: r, counts: [1, 2, 1, 0]}`,
	"stopped_blocked": `stopped_blocked: {task: w}`,
	"parent":          `parent: {task: p, parent: mtviz}`,
	"overlap":         `overlap: {tasks: [p, p2]}`,
	"lifetime":        `lifetime: {task: p, at_least: 2s}`,
	"logs":            `logs: {task: w, match: tick, count: 5, at_least: 1s}`,
	"never_logged":    `never_logged: {task: w, match: "never"}`,
	"after_exit":      `after_exit: {task: p, match: "p has exited"}`,
	"gone_with":       `gone_with: {task: p2, parent: p}`,
	"zombie":          `zombie: {task: p}`,
	"adopted":         `adopted: {task: p2, while: alive}`,
	"exit_status":     `exit_status: {task: p, code: 3}`,
	"survived":        `survived: {task: p2, after: p}`,
	"terminated":      `terminated: {task: p}`,
	"program":         `program: {program: sort, exit: 0, output: b}`,
	"received":        `received: {task: w, values: [A, B, C]}`,
	"processes":       `processes: {task: p, max: 1, min: 1}`,
	"blocked":         `blocked: {task: w, on: m}`,
	"queue":           `queue: {queue: q, reached: 2}`,
	"bounds":          `bounds: {counter: c, min: 0, max: 10}`,
	"pids":            `pids: {task: p, min: 1}`,
	"logs_count":      `logs_count: {task: w, match: got, min: 1, max: 3}`,
	"counter":         `counter: {counter: c, equals: 0, when: "lock=on"}`,
	"drift":           `drift: {counter: c, needs_cores: 2}`,
	"threads":         `threads: {task: p, max: 16}`,
	"recorded":        `recorded: {broker: nats}`,
	"refused":         `refused: {task: p, broker: nats}`,
	"redelivered":     `redelivered: {task: p, broker: nats}`,
	"resumed":         `resumed: {task: p2, after: p, broker: nats}`,
	"cpu_time":        `cpu_time: {tasks: [p], max: 0.5}`,
	"cpu":             `cpu: {phase: work, max: 1.2}`,
	"cpu_min":         `cpu_min: {phase: work, min: 1.4}`,
	"cpu_ratio":       `cpu_ratio: {phase: work, over: rest, min: 1.4}`,
}

// chooseExample shows `choose`: the steps of one value of a switch.
const chooseExample = `choose: {switch: lock, on: [{lock: m}, {add: {counter: c, n: 1}}, {unlock: m}], off: [{add: {counter: c, n: 1}}]}`

// exampleFile is the lesson every example fits in.
const exampleFile = `id: examples
title: every example
switches:
  lock: {values: [on, off]}
objects:
  c: {kind: counter}
  m: {kind: lock}
  r: {kind: rlock}
  g: {kind: gil}
  cv: {kind: condition, lock: m}
  ev: {kind: event}
  q: {kind: queue}
  f: {kind: flock}
  disk: {kind: server}
  nats: {kind: broker}
tasks:
  - name: main
    steps:
      - phase: rest
      - put: {queue: q, value: A}
      - phase: work
      - add: {counter: c, n: 1}
      - spawn: [w, p]
  - name: w
    steps:
      - log: hi
  - name: p
    kind: process
    steps:
      - spawn: p2
  - name: p2
    kind: process
    steps:
      - log: hi
`
