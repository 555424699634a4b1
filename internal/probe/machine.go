package probe

import (
	"os"
	"strconv"
	"strings"
)

// What the probe reads of the machine as a whole: file locks and cores.

// fileLocks reads /proc/locks for the locks of observed processes. The file
// lists each held lock, then its waiters on lines marked "->".
func (p *Probe) fileLocks() []FileLock {
	if p.locks == nil {
		f, err := os.Open("/proc/locks")
		if err != nil {
			return nil
		}
		p.locks = f
	}
	buf := make([]byte, 64*1024)
	n, err := p.locks.ReadAt(buf, 0)
	if n == 0 && err != nil {
		return nil
	}
	return parseLocks(buf[:n], func(pid int) bool { return p.procs[pid] != nil })
}

// parseLocks reads lines such as
//
//	1: FLOCK  ADVISORY  WRITE 12345 00:2e:1234 0 EOF
//	1: -> FLOCK  ADVISORY  WRITE 12346 00:2e:1234 0 EOF
func parseLocks(b []byte, keep func(pid int) bool) []FileLock {
	var out []FileLock
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		waiting := len(f) > 1 && f[1] == "->"
		if waiting {
			f = append(f[:1], f[2:]...)
		}
		if len(f) < 6 {
			continue
		}
		pid, err := strconv.Atoi(f[4])
		if err != nil || pid <= 0 || !keep(pid) {
			continue
		}
		out = append(out, FileLock{PID: pid, File: f[5], Type: f[1], Mode: f[3], Waiting: waiting})
	}
	return out
}

func cpuPercent(ticks uint64, dt float64) float64 {
	if dt <= 0 {
		return 0
	}
	return float64(ticks) / clockTicks / dt * 100
}

// cores returns per-core utilisation since the last call. The first call
// goes through gopsutil; later ones re-read /proc/stat on a descriptor kept
// open (gopsutil opens and splits the whole file each time, which at 10 Hz
// was a sixth of mtviz's own CPU), parsing the same fields the same way.
func (p *Probe) cores() []float64 {
	// One source on every sample: /proc/stat kept open and parsed here
	// (gopsutil reads the same file; the tests hold the two to agree).
	if p.statFile == nil {
		f, err := os.Open("/proc/stat")
		if err != nil {
			return nil
		}
		p.statFile = f
	}
	n, err := p.statFile.ReadAt(p.statBuf[:], 0)
	if n == 0 && err != nil {
		return nil
	}
	ts := parseCPULines(p.statBuf[:n])
	out := make([]float64, len(ts))
	if len(p.lastCPU) == len(ts) {
		for i := range ts {
			busy := ts[i].busy - p.lastCPU[i].busy
			total := ts[i].total - p.lastCPU[i].total
			if total > 0 {
				out[i] = clamp(busy/total*100, 0, 100)
			}
		}
	}
	p.lastCPU = ts
	return out
}

type coreTimes struct{ busy, total float64 }

// parseCPULines reads the per-core lines of /proc/stat ("cpu0 user nice
// system idle iowait irq softirq steal guest guest_nice", in clock ticks) as
// gopsutil does: total is user to steal, busy is total less idle and iowait.
func parseCPULines(b []byte) []coreTimes {
	var out []coreTimes
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "cpu") || len(line) < 4 || line[3] < '0' || line[3] > '9' {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 9 {
			continue
		}
		var v [8]float64
		for i := range v {
			n, err := strconv.ParseUint(f[i+1], 10, 64)
			if err != nil {
				return nil
			}
			v[i] = float64(n) / clockTicks
		}
		total := v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7]
		out = append(out, coreTimes{busy: total - v[3] - v[4], total: total})
	}
	return out
}

func clamp(v, lo, hi float64) float64 { return max(lo, min(hi, v)) }
