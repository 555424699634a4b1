package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// slowTrue: the test binary started as "true" with MTVIZ_SLOW_TRUE=DIR
// says so in DIR and lasts 300 ms, long enough for any probe to see it.
func slowTrue() {
	dir := os.Getenv("MTVIZ_SLOW_TRUE")
	if filepath.Base(os.Args[0]) != "true" || dir == "" {
		return
	}
	os.WriteFile(filepath.Join(dir, "ran"), nil, 0o644)
	time.Sleep(300 * time.Millisecond)
	os.Exit(0)
}

// The box of a lesson's processes tries, once, a process in a cgroup
// (true): mtviz's own, never the lesson's. It is done before the probe
// looks at mtviz's children, so no sample shows it; a try that lasts 300
// ms here would be in some 30 samples at 100 a second.
func TestOwnTryIsNotTheLessons(t *testing.T) {
	dir := t.TempDir()
	self, err := filepath.Abs(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(self, filepath.Join(dir, "true")); err != nil {
		t.Fatal(err)
	}
	c := exec.Command(self, "run", "fork", "--json", "--hz", "100")
	c.Env = append(os.Environ(), "MTVIZ_MAIN=1", "MTVIZ_SLOW_TRUE="+dir, "PATH="+dir+":"+os.Getenv("PATH"))
	out, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	seen, samples := map[string]bool{}, 0
	sc := bufio.NewScanner(out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line struct {
			Type  string `json:"type"`
			Procs []struct {
				PID  int    `json:"pid"`
				Name string `json:"name"`
			} `json:"procs"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil || line.Type != "sample" {
			continue
		}
		samples++
		for _, p := range line.Procs {
			seen[p.Name] = true
		}
	}
	if err := c.Wait(); err != nil {
		t.Fatalf("mtviz run fork: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "ran")); err != nil {
		t.Skip("no process was tried in a cgroup: this machine gives mtviz no cgroup v2 (the boxes use marks)")
	}
	if seen["true"] {
		t.Errorf("mtviz's own try (true) was among the lesson's processes in its samples")
	}
	var names []string
	for n := range seen {
		names = append(names, n)
	}
	t.Logf("%d samples; processes seen: %s", samples, strings.Join(names, ", "))
}
