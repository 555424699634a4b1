package spec

import (
	"path/filepath"

	"mtviz/scenarios"
)

// Builtins loads every lesson embedded in the binary, in file-name order.
func Builtins() ([]*Scenario, error) {
	var out []*Scenario
	for _, name := range scenarios.Names() {
		data, err := scenarios.Read(name)
		if err != nil {
			return nil, err
		}
		sc, err := Load(filepath.Join("scenarios", name), data)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, nil
}

// Builtin loads one embedded lesson by id.
func Builtin(id string) (*Scenario, error) {
	data, err := scenarios.Read(id + ".yaml")
	if err != nil {
		return nil, err
	}
	return Load(filepath.Join("scenarios", id+".yaml"), data)
}
