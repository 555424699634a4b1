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

// order is the order of the chapter: processes, threads, then both. A file
// not listed comes after these, by name.
var order = []string{
	"fork", "process", "clock", "daemon", "join", "pool", "subprocess", "ipc-queue", "zombie", "orphan",
	"thread-states", "threads", "race", "race-steps", "race-play", "rlock", "deadlock", "deadlock-play", "gil", "condition", "condition-play",
	"thread-queue", "event", "daemon-thread", "crash", "switching", "cpu-vs-io", "async", "distributed",
}

// Names lists the embedded scenario files in the chapter's order.
func Names() []string {
	ents, _ := fs.ReadDir(files, ".")
	rank := map[string]int{}
	for i, id := range order {
		rank[id+".yaml"] = i + 1
	}
	var out []string
	for _, e := range ents {
		if path.Ext(e.Name()) == ".yaml" {
			out = append(out, e.Name())
		}
	}
	sort.Slice(out, func(i, j int) bool {
		ri, rj := rank[out[i]], rank[out[j]]
		if ri == 0 {
			ri = len(order) + 1
		}
		if rj == 0 {
			rj = len(order) + 1
		}
		if ri != rj {
			return ri < rj
		}
		return out[i] < out[j]
	})
	return out
}

// Read returns one embedded file by name ("race.yaml").
func Read(name string) ([]byte, error) { return files.ReadFile(name) }

// ID is the scenario id a file name stands for.
func ID(name string) string { return strings.TrimSuffix(name, ".yaml") }
