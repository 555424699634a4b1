// Package scenarios holds the built-in lessons, one YAML file each, embedded
// in the binary. A new lesson is a new file here.
package scenarios

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed *.yaml
var files embed.FS

// Names lists the embedded scenario files, sorted.
func Names() []string {
	ents, _ := fs.ReadDir(files, ".")
	var out []string
	for _, e := range ents {
		if path.Ext(e.Name()) == ".yaml" {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

// Read returns one embedded file by name ("race.yaml").
func Read(name string) ([]byte, error) { return files.ReadFile(name) }

// ID is the scenario id a file name stands for.
func ID(name string) string { return strings.TrimSuffix(name, ".yaml") }
