package lesson

import (
	"reflect"
	"strings"
	"testing"
)

// Every check kind makes a struct of its own, with a default name, so a
// verdict always says what it is about and no two kinds share settings.
func TestEveryCheckHasItsOwnStruct(t *testing.T) {
	types := map[reflect.Type]string{}
	for _, table := range [][]schema{checks, sweepChecks} {
		for _, c := range table {
			if c.check == nil {
				t.Errorf("check %q makes no struct", c.name)
				continue
			}
			s := c.check()
			if s.Title() == "" {
				t.Errorf("check %q's default name is empty", c.name)
			}
			ty := reflect.TypeOf(s)
			if other, ok := types[ty]; ok {
				t.Errorf("checks %q and %q share the struct %v", c.name, other, ty)
			}
			types[ty] = c.name
			for _, f := range c.fields {
				if f.set == nil {
					t.Errorf("check %q: field %q has no setter", c.name, f.name)
				}
			}
		}
	}
}

// Every step, object and check has an example, and each example loads in
// the file the examples are written for.
func TestEveryExampleLoads(t *testing.T) {
	for name, table := range map[string][]schema{"step": steps, "object": objects, "check": checks} {
		ex := map[string]map[string]string{"step": stepExamples, "object": objectExamples, "check": checkExamples}[name]
		for _, s := range table {
			if ex[s.name] == "" {
				t.Errorf("%s %q has no example", name, s.name)
			}
		}
	}
	for name, ex := range stepExamples {
		src := exampleFile + "  - name: x\n    steps:\n      - " + ex + "\n"
		if name == "exit" || name == "crash" || name == "kill" {
			src = strings.Replace(exampleFile, "      - spawn: p2\n", "      - spawn: p2\n      - "+ex+"\n", 1)
		}
		if _, err := Load("ex.yaml", []byte(src)); err != nil {
			t.Errorf("step %s: %s: %v", name, ex, err)
		}
	}
	withChoose := exampleFile + "  - name: x\n    steps:\n      - " + chooseExample + "\n"
	if _, err := Load("ex.yaml", []byte(withChoose)); err != nil {
		t.Errorf("choose: %v", err)
	}
	for name, ex := range objectExamples {
		id := strings.SplitN(ex, ":", 2)[0]
		var lines []string
		for _, l := range strings.Split(exampleFile, "\n") {
			if strings.HasPrefix(l, "  "+id+": ") {
				l = "  " + ex
			}
			lines = append(lines, l)
		}
		if _, err := Load("ex.yaml", []byte(strings.Join(lines, "\n"))); err != nil {
			t.Errorf("object %s: %s: %v", name, ex, err)
		}
	}
	for name, ex := range checkExamples {
		src := exampleFile + "checks:\n  - " + ex + "\n"
		if _, err := Load("ex.yaml", []byte(src)); err != nil {
			t.Errorf("check %s: %s: %v", name, ex, err)
		}
	}
}
