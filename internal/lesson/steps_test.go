package lesson

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// zeroOf is a value of the type a field's kind decodes to, for calling its
// setter.
func zeroOf(k kind) any {
	switch k {
	case kDur:
		return durVal{d: time.Second}
	case kInt, kCount:
		return int64(1)
	case kFloat:
		return 1.0
	case kBool:
		return true
	case kNames, kTaskRefs, kList, kLogLines:
		return []string{"x"}
	case kSteps:
		return []Step{{Op: OpLog, Do: &LogStep{Text: "x"}}}
	}
	return "x"
}

// Every step makes a struct of its own, and each of its fields' setters
// writes that struct: no two kinds share settings, and no field is read
// from another kind's.
func TestEveryStepHasItsOwnStruct(t *testing.T) {
	types := map[reflect.Type]string{}
	for _, s := range steps {
		if s.step == nil {
			t.Errorf("step %q makes no struct", s.name)
			continue
		}
		ty := reflect.TypeOf(s.step())
		if other, ok := types[ty]; ok {
			t.Errorf("steps %q and %q share the struct %v", s.name, other, ty)
		}
		types[ty] = s.name
		for _, f := range s.fields {
			if f.set == nil {
				t.Errorf("step %q: field %q has no setter", s.name, f.name)
				continue
			}
			do := s.step()
			f.set(do, zeroOf(f.kind)) // panics if it writes another kind's struct
			if reflect.DeepEqual(do, s.step()) {
				t.Errorf("step %q: field %q's setter leaves the step unchanged", s.name, f.name)
			}
		}
	}
}

// Each step's example loads into its kind's struct, under its name.
func TestStepExamplesDecodeIntoTheirStruct(t *testing.T) {
	for _, s := range steps {
		ex := stepExamples[s.name]
		src := exampleFile + "  - name: x\n    steps:\n      - " + ex + "\n"
		if s.name == "exit" || s.name == "crash" || s.name == "kill" {
			src = strings.Replace(exampleFile, "      - spawn: p2\n", "      - spawn: p2\n      - "+ex+"\n", 1)
		}
		sc, err := Load("ex.yaml", []byte(src))
		if err != nil {
			t.Errorf("step %s: %v", s.name, err)
			continue
		}
		found := false
		for _, tk := range sc.Tasks {
			Walk(tk.Steps, func(st *Step) {
				if st.Op == Op(s.name) {
					found = true
					if reflect.TypeOf(st.Do) != reflect.TypeOf(s.step()) {
						t.Errorf("step %s decoded into %T", s.name, st.Do)
					}
				}
			})
		}
		if !found {
			t.Errorf("step %s: its example has no %s step", s.name, s.name)
		}
	}
}

// A child process gets its scenario as JSON: every step of every built-in
// lesson and good test file reads back as it was, its settings in its
// kind's struct.
func TestStepsSurviveJSON(t *testing.T) {
	scs, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("testdata/good/*.yaml")
	for _, f := range files {
		sc, err := LoadFile(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		scs = append(scs, sc)
	}
	kinds := map[Op]bool{}
	for _, sc := range scs {
		b, err := json.Marshal(sc)
		if err != nil {
			t.Fatalf("%s: %v", sc.File, err)
		}
		var back Scenario
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: %v", sc.File, err)
		}
		if !reflect.DeepEqual(back.Tasks, sc.Tasks) {
			t.Errorf("%s: the tasks read back differ:\n%+v\n%+v", sc.File, back.Tasks, sc.Tasks)
		}
		for _, tk := range back.Tasks {
			Walk(tk.Steps, func(st *Step) { kinds[st.Op] = true })
		}
	}
	if len(kinds) < len(steps)/2 {
		t.Errorf("only %d kinds of steps were read back", len(kinds))
	}
	var st Step
	if err := json.Unmarshal([]byte(`{"Op":"fly","Do":{}}`), &st); err == nil {
		t.Error("a step of no kind was read")
	}
	if err := json.Unmarshal([]byte(`{"Op":"add","Do":{"N":"many"}}`), &st); err == nil {
		t.Error("an add with a text for n was read")
	}
}

// Walk visits every step, those inside repeats, each loops and both ways of
// a branch too, in order.
func TestWalkVisitsNestedSteps(t *testing.T) {
	log := func(s string) Step { return Step{Op: OpLog, Do: &LogStep{Text: s}} }
	ss := []Step{
		log("a"),
		{Op: OpRepeat, Do: &RepeatStep{Times: 1, Steps: []Step{log("b")}}},
		{Op: OpBranch, Do: &BranchStep{IfSet: []Step{log("c")}, IfClear: []Step{
			{Op: OpEach, Do: &EachStep{Steps: []Step{log("d")}}}}}},
	}
	var got []string
	Walk(ss, func(st *Step) {
		if l, ok := st.Do.(*LogStep); ok {
			got = append(got, l.Text)
		}
	})
	if strings.Join(got, "") != "abcd" {
		t.Errorf("walked %v", got)
	}
	if !Has(ss, OpEach) || Has(ss, OpKey) {
		t.Error("Has is wrong about the steps inside")
	}
}
