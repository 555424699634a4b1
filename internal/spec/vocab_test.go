package spec

import "testing"

// Every check has a default name, so a verdict always says what it is about.
func TestEveryCheckHasATitle(t *testing.T) {
	for _, c := range checks {
		if c.title == nil {
			t.Errorf("check %q has no default name", c.name)
		} else if c.title(Check{}) == "" {
			t.Errorf("check %q's default name is empty", c.name)
		}
	}
}
