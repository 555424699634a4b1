package probe

import "bytes"

// Switches counts context switches: voluntary ones, where a thread gave up
// its core to wait (a lock, a channel, I/O, a sleep), and involuntary ones,
// where the scheduler took the core away.
type Switches struct {
	Vol   uint64 `json:"vol,omitempty"`
	Invol uint64 `json:"invol,omitempty"`
}

func (s *Switches) add(o Switches) {
	s.Vol += o.Vol
	s.Invol += o.Invol
}

// switchCount turns a thread's lifetime counts into counts since its last
// reading. The first reading is only a base: a thread seen late would
// otherwise bring its whole past into one sample.
type switchCount struct {
	last Switches
	read bool
}

func (c *switchCount) update(now Switches) Switches {
	if !c.read || now.Vol < c.last.Vol || now.Invol < c.last.Invol {
		// First reading, or a counter went back: another task behind the
		// same TID. Start again from here.
		c.last, c.read = now, true
		return Switches{}
	}
	d := Switches{Vol: now.Vol - c.last.Vol, Invol: now.Invol - c.last.Invol}
	c.last = now
	return d
}

// statusSize bounds a read of a status file (about 1.4 KB on a 2-core
// machine; the CPU and node masks grow with the machine).
const statusSize = 4096

// parseSwitches reads the two counters of /proc/PID/task/TID/status:
//
//	voluntary_ctxt_switches:	150
//	nonvoluntary_ctxt_switches:	3
//
// Only lines ending in a newline count, so a file cut short by the bound is
// never misread as a smaller number. It allocates nothing.
func parseSwitches(b []byte) (sw Switches, ok bool) {
	var vol, invol bool
	for {
		end := bytes.IndexByte(b, '\n')
		if end < 0 {
			break // the rest has no newline: possibly cut
		}
		line := b[:end]
		b = b[end+1:]
		if v, found, good := counter(line, "voluntary_ctxt_switches:"); found {
			if !good {
				return Switches{}, false
			}
			sw.Vol, vol = v, true
		} else if v, found, good := counter(line, "nonvoluntary_ctxt_switches:"); found {
			if !good {
				return Switches{}, false
			}
			sw.Invol, invol = v, true
		}
	}
	if !vol || !invol {
		return Switches{}, false
	}
	return sw, true
}

// counter reads "key<blanks>digits". found says the line has the key; good
// that a whole number in range follows it.
func counter(line []byte, key string) (v uint64, found, good bool) {
	if len(line) < len(key) || string(line[:len(key)]) != key {
		return 0, false, false
	}
	rest := line[len(key):]
	for len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t') {
		rest = rest[1:]
	}
	if len(rest) == 0 {
		return 0, true, false
	}
	for _, c := range rest {
		if c < '0' || c > '9' {
			return 0, true, false
		}
		d := uint64(c - '0')
		if v > (1<<64-1-d)/10 {
			return 0, true, false // overflows 64 bits
		}
		v = v*10 + d
	}
	return v, true, true
}
