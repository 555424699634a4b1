package lesson

import "testing"

// A copy's name is made and read back in one place: the engine names
// copies with CopyName, lanes and figures find their task with CutCopy.
func TestCopyNames(t *testing.T) {
	for _, n := range []int{1, 2, 250} {
		base, got, ok := CutCopy(CopyName("worker", n))
		if !ok || base != "worker" || got != n {
			t.Errorf("CopyName(worker, %d) read back as %q %d %v", n, base, got, ok)
		}
	}
	for _, name := range []string{"worker", "worker-", "-2", "worker-x2", "server disk"} {
		if _, _, ok := CutCopy(name); ok {
			t.Errorf("%q read as a copy", name)
		}
		if BaseTask(name) != name {
			t.Errorf("BaseTask(%q) = %q", name, BaseTask(name))
		}
	}
	sc, err := Load("t.yaml", []byte("title: t\ntasks:\n  - {name: poller, count: 3, steps: [{sleep: 1ms}]}\n  - {name: main-2, steps: [{sleep: 1ms}]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"poller-3": "poller", "poller": "", "main-2": "", "other-1": ""} {
		if got := sc.CopyOf(name); got != want {
			t.Errorf("CopyOf(%q) = %q, want %q", name, got, want)
		}
	}
	if ProcessCopy("c", "procs-1") != "c @procs-1" {
		t.Error(ProcessCopy("c", "procs-1"))
	}
}
