package lesson

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds the loader arbitrary bytes. Its seed corpus is every file
// under testdata (good and broken scenarios) and the built-in lessons; inputs
// the fuzzer finds failing are kept in testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/*.yaml")
	lessons, _ := filepath.Glob("../../scenarios/*.yaml")
	for _, p := range append(seeds, lessons...) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Load("fuzz.yaml", data)
		if err != nil {
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error of the wrong type: %T %v", err, err)
			}
			for _, e := range es {
				if e.Pos.Line < 1 || e.Pos.Col < 1 || e.Msg == "" || e.Pos.File != "fuzz.yaml" {
					t.Fatalf("error without a place or a message: %q", e.Error())
				}
			}
			return
		}
		if sc == nil || len(sc.Tasks) == 0 {
			t.Fatal("accepted a scenario with no tasks")
		}
		for _, task := range sc.Tasks {
			if len(task.Steps) == 0 {
				t.Fatalf("accepted task %q with no steps", task.Name)
			}
		}
	})
}
