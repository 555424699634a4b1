package probe

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/shirou/gopsutil/v3/process"
)

// fixture is 50 helper processes holding about ten threads each, started
// once for all benchmarks of a run.
var fixture struct {
	once  sync.Once
	cmds  []*exec.Cmd
	pids  []int
	stats []string // every /proc/.../stat path of the fixture's processes and threads
}

func startFixture(b *testing.B) {
	fixture.once.Do(func() {
		for i := 0; i < 50; i++ {
			c := helper(b, "threads")
			c.Env = append(c.Env, "MTVIZ_THREADS=8")
			in, _ := c.StdinPipe()
			out, _ := c.StdoutPipe()
			if err := c.Start(); err != nil {
				b.Fatal(err)
			}
			_ = in // held open: the helper ends when it closes
			bufio.NewReader(out).ReadString('\n')
			fixture.cmds = append(fixture.cmds, c)
			fixture.pids = append(fixture.pids, c.Process.Pid)
		}
		for _, pid := range fixture.pids {
			dir := "/proc/" + strconv.Itoa(pid)
			fixture.stats = append(fixture.stats, dir+"/stat")
			tasks, _ := filepath.Glob(dir + "/task/*/stat")
			fixture.stats = append(fixture.stats, tasks...)
		}
	})
}

func stopFixture() {
	for _, c := range fixture.cmds {
		c.Process.Kill()
		c.Wait()
	}
}

// BenchmarkProbeVsFloor times one probe sample of the fixture (plus this
// process) against the floor: one pread per process and thread on a
// descriptor kept open. Both are measured in the same iterations, so the
// ratio compares like with like on a noisy machine.
func BenchmarkProbeVsFloor(b *testing.B) { probeVsFloor(b, Options{Threads: true}) }

// BenchmarkWatchVsFloor is the same with what 'mtviz watch' reads at 10 Hz:
// threads, and context switches on one sample in ten.
func BenchmarkWatchVsFloor(b *testing.B) {
	probeVsFloor(b, Options{Threads: true, Switches: true, SwitchesEvery: 10})
}

func probeVsFloor(b *testing.B, opt Options) {
	startFixture(b)
	p := New(opt)
	defer p.Close()
	s := p.Sample()
	entities := 0
	for _, pr := range s.Procs {
		entities += 1 + len(pr.Threads)
	}
	var files []*statFile
	for _, path := range fixture.stats {
		if f, err := openStat(path); err == nil {
			files = append(files, f)
		}
	}
	defer func() {
		for _, f := range files {
			f.close()
		}
	}()
	var probeT, floorT time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		p.Sample()
		t1 := time.Now()
		for _, f := range files {
			if buf, err := f.read(); err == nil {
				parseStat(buf, false)
			}
		}
		floorT += time.Since(t1)
		probeT += t1.Sub(t0)
	}
	b.StopTimer()
	perProbe := float64(probeT.Nanoseconds()) / float64(b.N) / float64(entities)
	perFloor := float64(floorT.Nanoseconds()) / float64(b.N) / float64(len(files))
	b.ReportMetric(float64(entities), "entities")
	b.ReportMetric(float64(probeT.Microseconds())/float64(b.N), "µs/sample")
	b.ReportMetric(perProbe, "ns/entity")
	b.ReportMetric(perFloor, "floor-ns/entity")
	b.ReportMetric(perProbe/perFloor, "x-floor")
}

// The same information through gopsutil's per-process calls, for comparison.
func BenchmarkGopsutilPerProcess(b *testing.B) {
	startFixture(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, pid := range fixture.pids {
			pr, err := process.NewProcess(int32(pid))
			if err != nil {
				b.Fatal(err)
			}
			pr.Status()
			pr.Ppid()
			pr.Times()
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(fixture.pids)), "ns/process")
}

func BenchmarkOpenReadClose(b *testing.B) {
	startFixture(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, path := range fixture.stats {
			if buf, err := os.ReadFile(path); err == nil {
				parseStat(buf, false)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(fixture.stats)), "ns/file")
}

// BenchmarkProbeProcesses times one sample of the 50 fixture processes
// without their threads: the process tree alone.
func BenchmarkProbeProcesses(b *testing.B) {
	startFixture(b)
	p := New(Options{})
	defer p.Close()
	p.Sample()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.Sample()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/sample")
}

// BenchmarkProbeSwitches times one sample of the fixture's threads without
// and with their context switches (a second pread per thread). Both probes
// sample in the same iterations, so the ratio holds on a noisy machine.
func BenchmarkProbeSwitches(b *testing.B) {
	startFixture(b)
	plain := New(Options{Threads: true})
	defer plain.Close()
	sw := New(Options{Switches: true})
	defer sw.Close()
	threads := 0
	for _, pr := range sw.Sample().Procs {
		threads += len(pr.Threads)
	}
	plain.Sample()
	var plainT, swT time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		plain.Sample()
		t1 := time.Now()
		sw.Sample()
		swT += time.Since(t1)
		plainT += t1.Sub(t0)
	}
	b.StopTimer()
	us := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N) }
	b.ReportMetric(float64(threads), "threads")
	b.ReportMetric(us(plainT), "µs/sample")
	b.ReportMetric(us(swT), "switches-µs/sample")
	b.ReportMetric(us(swT-plainT)*1000/float64(threads), "switches-ns/thread")
	b.ReportMetric(us(swT)/us(plainT), "x")
}
