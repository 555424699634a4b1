package lesson

import (
	"errors"
	"strings"
	"testing"
)

const switched = `title: switched
switches:
  kind: {values: [goroutines, processes], doc: who does the work}
  tasks: {values: [1, 4, 16], default: 4}
  lock: {values: [on, off], default: on}
objects:
  c: {kind: counter}
  l: {kind: lock}
sweep:
  over: tasks
  series: kind
  figures: [work, switches]
  checks:
    - grows: {figure: switches, series: processes, factor: 2}
tasks:
  - name: main
    steps:
      - choose:
          switch: kind
          goroutines: [{spawn: g}, {join: g}]
          processes: [{spawn: p}, {join: p}]
  - name: g
    count: $tasks
    steps:
      - choose:
          switch: lock
          on: [{lock: l}, {add: {counter: c, n: 1}}, {unlock: l}]
          off: [{add: {counter: c, n: 1}}]
  - name: p
    kind: process
    count: $tasks
    steps:
      - busy: {for: 10ms, count: c}
checks:
  - counter: {counter: c, equals: 4, when: lock=on}
  - counter: {counter: c, equals: 16, when: "lock=on|off", name: both}
`

func TestSwitchesDefaults(t *testing.T) {
	sc, err := Load("s.yaml", []byte(switched))
	if err != nil {
		t.Fatal(err)
	}
	if got := sc.Set; got["kind"] != "goroutines" || got["tasks"] != "4" || got["lock"] != "on" {
		t.Errorf("defaults: %v", got)
	}
	var names []string
	for _, tk := range sc.Tasks {
		names = append(names, tk.Name)
	}
	// p is spawned only where kind=processes: with goroutines it is gone.
	if strings.Join(names, ",") != "main,g" {
		t.Errorf("tasks %v, want main,g", names)
	}
	if sc.Tasks[1].Count != 4 || len(sc.Tasks[1].Steps) != 3 {
		t.Errorf("g: count %d, %d steps; want 4 and the locked case's 3", sc.Tasks[1].Count, len(sc.Tasks[1].Steps))
	}
	if len(sc.Checks) != 2 {
		t.Errorf("%d checks, want both (lock=on)", len(sc.Checks))
	}
	if sc.Sweep == nil || sc.Sweep.Over != "tasks" || sc.Sweep.Series != "kind" || len(sc.Sweep.Checks) != 1 || sc.Sweep.Checks[0].Spec.(*GrowsCheck).Factor != 2 {
		t.Errorf("sweep: %+v", sc.Sweep)
	}
}

func TestSwitchesSet(t *testing.T) {
	sc, err := LoadSet("s.yaml", []byte(switched), map[string]string{"kind": "processes", "tasks": "16", "lock": "off"})
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Tasks) != 2 || sc.Tasks[1].Name != "p" || sc.Tasks[1].Count != 16 || !sc.Tasks[1].Spawned {
		t.Errorf("tasks: %+v", sc.Tasks)
	}
	if len(sc.Checks) != 1 || sc.Checks[0].Name != "both" {
		t.Errorf("checks with lock=off: %+v", sc.Checks)
	}
	again, err := Reload(sc, map[string]string{"tasks": "1"})
	if err != nil || again.Tasks[1].Count != 1 || again.Tasks[1].Name != "g" {
		t.Errorf("reload: %v %+v", err, again)
	}
}

func TestSwitchesRefused(t *testing.T) {
	for set, want := range map[string]string{
		"colour=red": `s.yaml has no switch "colour" (it has: kind, tasks, lock)`,
		"tasks=3":    `switch tasks is one of 1, 4, 16, not "3"`,
	} {
		k, v, _ := strings.Cut(set, "=")
		_, err := LoadSet("s.yaml", []byte(switched), map[string]string{k: v})
		var se *SetError
		if !errors.As(err, &se) || se.Msg != want {
			t.Errorf("--set %s: got %v, want %q", set, err, want)
		}
	}
}

// Tasks only a dropped task would spawn are dropped with it.
func TestChooseDropsWhatOnlyDroppedTasksSpawn(t *testing.T) {
	all, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range all {
		if sc.ID != "gil" {
			continue
		}
		gil, err := Reload(sc, map[string]string{"mode": "gil"})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tk := range gil.Tasks {
			names = append(names, tk.Name)
		}
		if strings.Join(names, ",") != "main,gil-phase,locked" {
			t.Errorf("gil with mode=gil runs %v, want main,gil-phase,locked", names)
		}
		return
	}
	t.Fatal("no gil lesson")
}
