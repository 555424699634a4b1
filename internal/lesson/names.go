package lesson

import (
	"fmt"
	"strconv"
	"strings"
)

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// CutCopy splits a task copy's name, "worker-2", into its task's name
// and its number: "worker" and 2. A name without a number is no copy.
func CutCopy(name string) (base string, n int, ok bool) {
	i := strings.LastIndexByte(name, '-')
	if i <= 0 || i == len(name)-1 {
		return "", 0, false
	}
	for _, c := range name[i+1:] {
		if c < '0' || c > '9' {
			return "", 0, false
		}
	}
	n, err := strconv.Atoi(name[i+1:])
	return name[:i], n, err == nil
}

// isCopy reports whether name is a copy of a counted task: worker-2 of a
// task worker with count 4 (or count cores, which any copy number fits).
func (l *loader) isCopy(name string) bool {
	base, n, ok := CutCopy(name)
	if !ok || !l.tasks[base] || n < 1 {
		return false
	}
	c := l.counts[base]
	return c == CountCores || c > 1 && n <= c
}

// closest suggests a known name within two edits of a misspelt one; of
// equally close names, the one sharing more letters in order ("lok" is
// "lock" rather than "log").
func closest(s string, table []schema) string { return Closest(s, tableNames(table)) }

// Closest suggests the name of names within two edits of a misspelt s, or
// "": of equally close names, the one sharing more letters in order.
func Closest(s string, names []string) string {
	best, bestD, bestC := "", 3, -1
	for _, n := range names {
		d := editDistance(s, n)
		if c := commonLetters(s, n); d < bestD || d == bestD && c > bestC {
			best, bestD, bestC = n, d, c
		}
	}
	if bestD >= 3 {
		return ""
	}
	return best
}

// didYouMean is " (did you mean "x"?)" for a close name, or "".
func didYouMean(s string, names []string) string {
	if m := Closest(s, names); m != "" {
		return fmt.Sprintf(" (did you mean %q?)", m)
	}
	return ""
}

func joinComma(names []string) string { return strings.Join(names, ", ") }

// commonLetters is the length of the longest common subsequence.
func commonLetters(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 0
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				cur[j] = prev[j-1] + 1
			} else {
				cur[j] = max(prev[j], cur[j-1])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// BuiltinPlaceholders are the names a log text may use besides counters.
var BuiltinPlaceholders = map[string]bool{"pid": true, "ppid": true, "child": true, "value": true, "cores": true, "time": true, "task": true}

// Placeholders returns the names written as {name} in a log text.
func Placeholders(text string) []string {
	var out []string
	for {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(text[i:], '}')
		if j < 0 {
			return out
		}
		if name := text[i+1 : i+j]; nameRE.MatchString(name) {
			out = append(out, name)
		}
		text = text[i+j+1:]
	}
}

// CopyName is copy n of a counted task: "worker-2"; CutCopy reads it back.
func CopyName(task string, n int) string { return task + "-" + strconv.Itoa(n) }

// CopyOf is the counted task a task copy belongs to ("poller" for
// "poller-12" of a task poller with count 2 or more), or "" for a task of
// its own.
func (sc *Scenario) CopyOf(name string) string {
	base, _, ok := CutCopy(name)
	if sc == nil || !ok {
		return ""
	}
	for _, t := range sc.Tasks {
		if t.Name == base && (t.Count > 1 || t.Count == CountCores) {
			return t.Name
		}
	}
	return ""
}

// BaseTask is a task copy's task ("worker" for "worker-2"), or the name
// itself for a task of its own.
func BaseTask(name string) string {
	if base, _, ok := CutCopy(name); ok {
		return base
	}
	return name
}

// ProcessCopy names a process's own copy of an object: counter c of the
// process task procs-1 is "c @procs-1".
func ProcessCopy(object, task string) string { return object + " @" + task }
