package spec

import (
	"reflect"
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
