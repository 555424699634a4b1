package lesson

import (
	"errors"
	"path/filepath"

	"mtviz/scenarios"
)

// Builtins loads every lesson embedded in the binary, in file-name order. A
// broken one is left out and reported in the error; the others still load.
func Builtins() ([]*Scenario, error) {
	var out []*Scenario
	var errs []error
	for _, name := range scenarios.Names() {
		data, err := scenarios.Read(name)
		if err == nil {
			var sc *Scenario
			if sc, err = Load(filepath.Join("scenarios", name), data); err == nil {
				out = append(out, sc)
				continue
			}
		}
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// Builtin loads one embedded lesson by id.
func Builtin(id string) (*Scenario, error) {
	data, err := scenarios.Read(id + ".yaml")
	if err != nil {
		return nil, err
	}
	return Load(filepath.Join("scenarios", id+".yaml"), data)
}
