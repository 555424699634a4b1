// Package probe samples the operating system: per-core utilisation, and for one
// process and all its descendants their PID, parent, name, state as /proc
// gives it, CPU use, threads (state, CPU and the core each last ran on) and,
// if asked, context switches.
// It knows nothing of scenarios: it reports what the kernel says.
package probe

import (
	"bytes"
	"context"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shirou/gopsutil/v3/process"
)

// Thread is one thread of a process, as the kernel reports it.
type Thread struct {
	TID   int     `json:"tid"`
	Name  string  `json:"name,omitempty"` // its comm, read when the thread was first seen
	State State   `json:"state"`
	CPU   float64 `json:"cpu"`
	Core  int     `json:"core"`
	// Switches since the thread's previous reading; zero at its first.
	Switches Switches `json:"switches,omitzero"`
}

// Proc is one process of the observed tree.
type Proc struct {
	PID      int      `json:"pid"`
	PPID     int      `json:"ppid"`
	Name     string   `json:"name"`
	State    State    `json:"state"`
	CPU      float64  `json:"cpu"`  // percent of one core over the last interval
	Core     int      `json:"core"` // the core its busiest thread last ran on (field 39 of the thread's stat)
	NThreads int      `json:"nthreads"`
	Threads  []Thread `json:"threads,omitempty"`
	// Switches is the sum of its threads' Switches. Those of a thread that
	// ended since the previous sample are lost with it.
	Switches Switches `json:"switches,omitzero"`
}

// Sample is one reading of the OS.
type Sample struct {
	T     time.Duration `json:"t"`
	Cores []float64     `json:"cores"` // percent busy, per core
	Procs []Proc        `json:"procs"`
	Gone  []int         `json:"gone,omitempty"` // PIDs that disappeared since the last sample
	// Locks are the file locks (/proc/locks) held or awaited by observed processes.
	Locks []FileLock `json:"locks,omitempty"`
	// Switches is the sum of the processes' Switches: summed over samples,
	// the switches of a run. SwitchesSpan is the time they were counted
	// over (since the previous sample that read them; 0 when this one did
	// not).
	Switches     Switches      `json:"switches,omitzero"`
	SwitchesSpan time.Duration `json:"switches_span,omitempty"`
}

// FileLock is one line of /proc/locks that concerns an observed process.
type FileLock struct {
	PID     int    `json:"pid"`
	File    string `json:"file"` // major:minor:inode, as /proc/locks writes it
	Type    string `json:"type"` // FLOCK, POSIX, OFDLCK
	Mode    string `json:"mode"` // READ or WRITE
	Waiting bool   `json:"waiting,omitempty"`
}

// TotalCPU is the cores used by every observed process, summed (1.0 = one core).
func (s *Sample) TotalCPU() float64 {
	t := 0.0
	for _, p := range s.Procs {
		t += p.CPU
	}
	return t / 100
}

// Options tune a probe.
type Options struct {
	Hz      float64   // samples per second (default 10)
	Root    int       // the process whose tree is observed (default this one)
	Start   time.Time // time zero for Sample.T
	Threads bool      // also read every thread
	// Switches also reads every thread's context switches, at the cost of
	// a descriptor and a read per thread. It implies Threads.
	Switches bool
	// SwitchesEvery reads them on one sample in this many (default every
	// sample): a status read costs twice a stat read, and a watch of
	// hundreds of threads wants them once a second, not ten times.
	SwitchesEvery int
}

// clockTicks is USER_HZ, which Linux fixes at 100 for /proc on every
// architecture mtviz runs on.
const clockTicks = 100

// Probe samples the OS at a fixed rate.
type Probe struct {
	opt     Options
	out     chan Sample
	procDir *os.File
	locks   *os.File

	procs    map[int]*proc
	others   map[int]bool // PIDs seen that are not in the tree
	loadavg  *statFile    // /proc/loadavg, whose last field is the newest PID
	lastPID  string
	lastCPU  []coreTimes
	statFile *os.File
	statBuf  [16 * 1024]byte
	samples  int
	// readSwitches: this sample reads the switches; lastSwitches is when
	// the previous one that did was taken.
	readSwitches bool
	lastSwitches time.Duration

	// statusBuf is shared by every thread's status read: each is parsed
	// before the next.
	statusBuf [statusSize]byte
}

type proc struct {
	pid      int
	name     string
	st       *statFile
	cpu      cpuClock
	nthreads int
	threads  map[int]*thread
}

type thread struct {
	st     *statFile
	cpu    cpuClock
	status *os.File // task/TID/status, when switches are read
	sw     switchCount
	name   string
}

func (t *thread) close() {
	t.st.close()
	if t.status != nil {
		t.status.Close()
	}
}

// cpuClock turns a task's CPU ticks into a share of one core: the ticks it
// gained divided by the time between the two reads that saw them. /proc
// counts in ticks of 10 ms, so an interval much shorter than a few ticks
// says more about the tick than about the task: such a reading is not used
// as a base, and the last share stands.
type cpuClock struct {
	prev  uint64
	at    time.Time
	share float64
	read  bool
}

// minCPUInterval is the shortest interval a CPU share is computed over.
const minCPUInterval = 50 * time.Millisecond

func (c *cpuClock) update(ticks uint64, now time.Time) float64 {
	switch {
	case !c.read || ticks < c.prev:
		c.prev, c.at, c.read, c.share = ticks, now, true, 0
	case now.Sub(c.at) >= minCPUInterval:
		c.share = cpuPercent(ticks-c.prev, now.Sub(c.at).Seconds())
		c.prev, c.at = ticks, now
	}
	return c.share
}

// New prepares a probe; call Run or Sample.
func New(opt Options) *Probe {
	if opt.Hz <= 0 {
		opt.Hz = 10
	}
	if opt.Root == 0 {
		opt.Root = os.Getpid()
	}
	if opt.Start.IsZero() {
		opt.Start = time.Now()
	}
	if opt.Switches {
		opt.Threads = true
	}
	return &Probe{opt: opt, out: make(chan Sample, 16), procs: map[int]*proc{}, others: map[int]bool{}}
}

// Samples delivers samples; it is closed when Run returns.
func (p *Probe) Samples() <-chan Sample { return p.out }

// Run samples until ctx ends. A slow reader never slows the probe: a sample
// that finds the channel full is dropped.
func (p *Probe) Run(ctx context.Context) {
	defer close(p.out)
	defer p.Close()
	tk := time.NewTicker(time.Duration(float64(time.Second) / p.opt.Hz))
	defer tk.Stop()
	for {
		s := p.Sample()
		select {
		case p.out <- s:
		default: // nobody read the last one in time: this one goes
		}
		select {
		case <-ctx.Done():
			// One last reading, so that what ended at the very end is seen
			// ended; the reader is still there to take it. It waits for the
			// interval, so that its CPU shares cover as long as any other's.
			select {
			case <-tk.C:
			case <-time.After(time.Second):
			}
			select {
			case p.out <- p.Sample():
			case <-time.After(time.Second):
			}
			return
		case <-tk.C:
		}
	}
}

// Close releases the files the probe keeps open.
func (p *Probe) Close() {
	for pid, pr := range p.procs {
		pr.close()
		delete(p.procs, pid)
	}
	if p.procDir != nil {
		p.procDir.Close()
		p.procDir = nil
	}
	if p.loadavg != nil {
		p.loadavg.close()
		p.loadavg = nil
	}
	if p.locks != nil {
		p.locks.Close()
		p.locks = nil
	}
	if p.statFile != nil {
		p.statFile.Close()
		p.statFile = nil
	}
}

func (pr *proc) close() {
	pr.st.close()
	for _, t := range pr.threads {
		t.close()
	}
}

// Sample reads the OS once. It is not safe to call while Run runs.
func (p *Probe) Sample() Sample {
	now := time.Now()
	s := Sample{T: now.Sub(p.opt.Start)}
	s.Cores = p.cores()
	p.discover()
	pids := make([]int, 0, len(p.procs))
	for pid := range p.procs {
		pids = append(pids, pid)
	}
	sort.Ints(pids)
	p.samples++
	every := max(1, p.opt.SwitchesEvery)
	p.readSwitches = p.opt.Switches && (p.samples-1)%every == 0
	// A process that execs another program keeps its PID and changes its
	// name (a shell that runs python3): read names again now and then.
	names := p.samples%5 == 0
	for _, pid := range pids {
		pr := p.procs[pid]
		b, err := pr.st.read()
		var st stat
		ok := err == nil
		if ok {
			st, ok = parseStat(b, names)
			if ok && names && st.comm != "" && !strings.HasPrefix(pr.name, st.comm) {
				pr.name = st.comm
			}
		}
		if !ok {
			pr.close()
			delete(p.procs, pid)
			s.Gone = append(s.Gone, pid)
			continue
		}
		out := Proc{PID: pid, PPID: st.ppid, Name: pr.name, State: State(st.state), NThreads: st.nthreads, Core: st.processor}
		out.CPU = pr.cpu.update(st.ticks, time.Now())
		if p.opt.Threads {
			out.Threads = p.threads(pr, st.nthreads)
			// The core a process ran on is its busiest thread's: a Go
			// program's main thread is often idle while another works.
			busiest := -1.0
			for _, th := range out.Threads {
				if th.CPU > busiest {
					busiest, out.Core = th.CPU, th.Core
				}
				out.Switches.add(th.Switches)
			}
		}
		s.Switches.add(out.Switches)
		s.Procs = append(s.Procs, out)
	}
	s.Locks = p.fileLocks()
	limitCPU(s.Procs, len(s.Cores))
	if p.readSwitches {
		if p.samples > 1 {
			s.SwitchesSpan = s.T - p.lastSwitches
		}
		p.lastSwitches = s.T
	}
	return s
}

// limitCPU keeps a sample within the machine: no process above all the
// cores, and the processes together at most the machine's cores. Reads in
// ticks of 10 ms can overshoot by a tick each; the shares are scaled down
// together when they do.
func limitCPU(procs []Proc, cores int) {
	if cores <= 0 {
		return
	}
	most := float64(cores) * 100
	total := 0.0
	for i := range procs {
		procs[i].CPU = min(procs[i].CPU, most)
		total += procs[i].CPU
	}
	if total > most {
		f := most / total
		for i := range procs {
			procs[i].CPU *= f
			for j := range procs[i].Threads {
				procs[i].Threads[j].CPU = min(procs[i].Threads[j].CPU, 100)
			}
		}
	}
}

// newPIDs reports whether any process was created since the last call: the
// last field of /proc/loadavg is the most recently allocated PID. Listing
// /proc is the probe's largest fixed cost, and most ticks nothing is new.
func (p *Probe) newPIDs() bool {
	if p.loadavg == nil {
		f, err := openStat("/proc/loadavg")
		if err != nil {
			return true
		}
		p.loadavg = f
	}
	b, err := p.loadavg.read()
	if err != nil {
		return true
	}
	b = bytes.TrimSpace(b)
	last := string(b[bytes.LastIndexByte(b, ' ')+1:])
	if last == p.lastPID {
		return false
	}
	p.lastPID = last
	return true
}

// discover adds the root's new descendants. Only PIDs not seen before are
// read: a process that was not ours when first seen cannot become ours.
func (p *Probe) discover() {
	if !p.newPIDs() {
		return
	}
	if p.procDir == nil {
		d, err := os.Open("/proc")
		if err != nil {
			return
		}
		p.procDir = d
	} else if _, err := p.procDir.Seek(0, 0); err != nil {
		return
	}
	names, err := p.procDir.Readdirnames(-1)
	if err != nil {
		return
	}
	present := make(map[int]bool, len(names))
	var fresh []int
	for _, n := range names {
		if n[0] < '0' || n[0] > '9' {
			continue
		}
		pid, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		present[pid] = true
		if p.procs[pid] == nil && !p.others[pid] {
			fresh = append(fresh, pid)
		}
	}
	for pid := range p.others {
		if !present[pid] {
			delete(p.others, pid)
		}
	}
	// A new child and its new grandchild can appear in the same scan, in any
	// PID order: go over the newcomers until none joins the tree.
	pending := map[int]int{}
	for _, pid := range fresh {
		if pid == p.opt.Root {
			p.track(pid)
			continue
		}
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			continue
		}
		if st, ok := parseStat(b, false); ok {
			pending[pid] = st.ppid
		}
	}
	for changed := true; changed; {
		changed = false
		for pid, ppid := range pending {
			if p.procs[ppid] != nil {
				p.track(pid)
				delete(pending, pid)
				changed = true
			}
		}
	}
	for pid := range pending {
		p.others[pid] = true
	}
}

func (p *Probe) track(pid int) {
	st, err := openStat("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return
	}
	pr := &proc{pid: pid, st: st, threads: map[int]*thread{}}
	if gp, err := process.NewProcess(int32(pid)); err == nil {
		pr.name, _ = gp.Name()
	}
	if pr.name == "" {
		if b, err := st.read(); err == nil {
			s, _ := parseStat(b, true)
			pr.name = s.comm
		}
	}
	p.procs[pid] = pr
}

// threads reads every thread of a process. The list of threads is read again
// only when the thread count changed or a thread vanished.
func (p *Probe) threads(pr *proc, n int) []Thread {
	if n != pr.nthreads || len(pr.threads) != n {
		p.listThreads(pr)
		pr.nthreads = n
	}
	out := make([]Thread, 0, len(pr.threads))
	for tid, t := range pr.threads {
		b, err := t.st.read()
		var st stat
		ok := err == nil
		if ok {
			st, ok = parseStat(b, t.name == "")
			if ok && t.name == "" {
				t.name = st.comm
			}
		}
		if !ok {
			t.close()
			delete(pr.threads, tid)
			pr.nthreads = -1
			continue
		}
		th := Thread{TID: tid, Name: t.name, State: State(st.state), Core: st.processor}
		th.CPU = min(t.cpu.update(st.ticks, time.Now()), 100)
		if t.status != nil && p.readSwitches {
			// /proc/PID/status counts the main thread only; each thread
			// is read on its own and the process is their sum.
			if b, err := pread(t.status, p.statusBuf[:]); err == nil {
				if c, ok := parseSwitches(b); ok {
					th.Switches = t.sw.update(c)
				}
			}
		}
		out = append(out, th)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].TID < out[j].TID })
	return out
}

func (p *Probe) listThreads(pr *proc) {
	dir := "/proc/" + strconv.Itoa(pr.pid) + "/task"
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	seen := map[int]bool{}
	for _, n := range names {
		tid, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		seen[tid] = true
		if pr.threads[tid] == nil {
			if st, err := openStat(dir + "/" + n + "/stat"); err == nil {
				t := &thread{st: st}
				if p.opt.Switches {
					t.status, _ = os.Open(dir + "/" + n + "/status")
				}
				pr.threads[tid] = t
			}
		}
	}
	for tid, t := range pr.threads {
		if !seen[tid] {
			t.close()
			delete(pr.threads, tid)
		}
	}
}
