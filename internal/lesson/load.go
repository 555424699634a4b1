package lesson

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Error is one thing wrong in a scenario file.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Errors is every problem the loader found in one file, in file order.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

const maxErrors = 20

// MaxRounds is the most rounds a lesson may have.
const MaxRounds = 1000

// Limits on what a file may ask for, so that a typo cannot ask for a year of sleep.
const (
	maxDur   = time.Hour
	maxTimes = 1_000_000_000
	// maxCount: a lesson may run hundreds of copies (async runs 250 waits
	// per process); --max-tasks is the limit of a run.
	maxCount      = 1000
	maxGoMaxProcs = 256
	maxRounds     = MaxRounds
	maxSteps      = 10_000
	maxDepth      = 16
)

var idRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)
var nameRE = regexp.MustCompile(`^[\p{L}_][\p{L}\p{N}_.-]{0,39}$`)

// IsID reports whether s may be a lesson's id.
func IsID(s string) bool { return idRE.MatchString(s) }

// MaxFile is the largest scenario file read unless the caller allows more:
// the built-in lessons are a few kilobytes.
const MaxFile = 1 << 20

// maxNesting is the deepest a file may nest brackets, or indent, before
// anything parses it: a YAML parser given 50,000 nested '[' builds them all.
const (
	maxNesting = 64
	maxIndent  = 256
)

// LoadFile reads and checks a scenario file of at most MaxFile bytes.
func LoadFile(path string) (*Scenario, error) { return LoadFileLimit(path, MaxFile) }

// LoadFileLimit reads and checks a scenario file of at most limit bytes.
// Only a regular file is read: a FIFO, a device or a directory is refused at
// once, before any read.
func LoadFileLimit(path string, limit int64) (*Scenario, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, errors.Unwrap(err))
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (a scenario is a YAML file)", path)
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d a scenario may have (raise it with --max-size)", path, st.Size(), limit)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, errors.Unwrap(err))
	}
	defer f.Close()
	// The file may have grown since: read no more than the limit, and one
	// byte to tell.
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: more than the %d bytes a scenario may have (raise it with --max-size)", path, limit)
	}
	return Load(path, data)
}

// nesting finds the first place where brackets nest, or lines indent,
// deeper than the parser should be asked to build. It counts every bracket,
// quoted or not: telling quotes apart would take a parser, and no lesson
// nests anything 64 deep.
func nesting(data []byte) (line int, msg string) {
	depth, line, col := 0, 1, 0
	indenting := true
	for _, c := range data {
		col++
		switch {
		case c == '\n':
			line, col, indenting = line+1, 0, true
			continue
		case indenting && c == ' ':
			if col > maxIndent {
				return line, fmt.Sprintf("indented more than %d columns", maxIndent)
			}
			continue
		}
		indenting = false
		switch c {
		case '[', '{':
			depth++
			if depth > maxNesting {
				return line, fmt.Sprintf("brackets nested more than %d deep", maxNesting)
			}
		case ']', '}':
			depth = max(0, depth-1)
		}
	}
	return 0, ""
}

// Load checks a scenario held in memory; name is the file name used in errors.
// It returns Errors when the file is wrong, and never panics.
func Load(name string, data []byte) (*Scenario, error) { return LoadSet(name, data, nil) }

// LoadSet is Load with some of the lesson's switches set. A switch it does
// not have, or a value the switch does not take, is a *SetError.
func LoadSet(name string, data []byte, set map[string]string) (sc *Scenario, err error) {
	l := &loader{file: name, given: set}
	defer func() {
		// The YAML parser is outside code: a panic in it is still bad input to us.
		if r := recover(); r != nil {
			sc, err = nil, Errors{{Pos: Pos{File: name, Line: 1, Col: 1}, Msg: fmt.Sprintf("the file could not be read as YAML (%v)", r)}}
		}
	}()
	// A byte-order mark is not part of the YAML.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if line, msg := nesting(data); line > 0 {
		return nil, Errors{{Pos: Pos{File: name, Line: line, Col: 1}, Msg: msg + "; a scenario is never that deep"}}
	}
	sc = l.load(data)
	if len(l.errs) == 0 && set == nil {
		l.compareUnits(sc, data)
	}
	if len(l.errs) > 0 {
		return nil, l.errs
	}
	if len(l.setErr) > 0 {
		return nil, &SetError{Msg: strings.Join(l.setErr, "; ")}
	}
	sc.Warnings = l.warns
	sc.Untranslated = l.translations()
	return sc, nil
}

type loader struct {
	file   string
	errs   Errors
	objs   map[string]*Object
	tasks  map[string]bool
	counts map[string]int  // each task's count (copies)
	procs  map[string]bool // tasks of kind process
	warns  Errors
	// Texts a person reads: given in some languages and not others
	// (untranslated), or in one only (plainTexts); bilingual once any
	// text of the file has two.
	untranslated, plainTexts Errors
	bilingual                bool
	phases                   map[string]bool
	nsteps                   int

	given      map[string]string // switches the caller set
	switchDecl []Switch
	set        map[string]string // every switch's value in effect
	setErr     []string
	// chosenOut are tasks spawned in a choose case that was not chosen.
	chosenOut map[string]bool
}

// idFromName makes an id of a file's base name: "My Lesson.yaml" is
// "my-lesson".
func idFromName(path string) string {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(base) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	id := strings.Trim(b.String(), "-")
	if len(id) > 40 {
		id = strings.Trim(id[:40], "-")
	}
	if id == "" {
		id = "lesson"
	}
	return id
}

func (l *loader) pos(n ast.Node) Pos {
	p := Pos{File: l.file, Line: 1, Col: 1}
	if n == nil {
		return p
	}
	// A mapping's own token is a ':'; people look for the first key.
	switch m := n.(type) {
	case *ast.MappingNode:
		if len(m.Values) > 0 && m.Values[0].Key != nil {
			n = m.Values[0].Key
		}
	case *ast.MappingValueNode:
		if m.Key != nil {
			n = m.Key
		}
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		p.Line, p.Col = tk.Position.Line, tk.Position.Column
	}
	return p
}

func (l *loader) errorf(n ast.Node, format string, args ...any) {
	l.errorAt(l.pos(n), format, args...)
}

// warnAt notes a trap that a lesson may fall into on purpose (a deadlock
// lesson's tasks never reach the unlock they would need): the file loads,
// and mtviz check and run say it.
func (l *loader) warnAt(p Pos, format string, args ...any) {
	if len(l.warns) < maxErrors {
		l.warns = append(l.warns, &Error{Pos: p, Msg: fmt.Sprintf(format, args...)})
	}
}

func (l *loader) errorAt(p Pos, format string, args ...any) {
	if len(l.errs) < maxErrors {
		l.errs = append(l.errs, &Error{Pos: p, Msg: fmt.Sprintf(format, args...)})
	}
}

// topKeys reads the file's one document, and its top-level keys.
func (l *loader) topKeys(f *ast.File) (map[string]ast.Node, bool) {
	var docs []*ast.DocumentNode
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		l.errorAt(Pos{File: l.file, Line: 1, Col: 1}, "the file is empty; a scenario needs at least title and tasks")
		return nil, false
	}
	if len(docs) > 1 {
		l.errorf(docs[1].Body, "a scenario file holds one document; this is a second one")
		return nil, false
	}
	top, ok := l.mapping(docs[0].Body, "a scenario")
	if !ok {
		return nil, false
	}
	seen := map[string]ast.Node{}
	for _, kv := range top {
		key, ok := l.key(kv)
		if !ok {
			continue
		}
		known := false
		for _, k := range topKeys {
			known = known || k.name == key
		}
		if known {
			seen[key] = kv.Value
		} else {
			l.errorf(kv.Key, "unknown key %q in a scenario; known keys: %s", key, topKeyNames())
		}
	}
	return seen, true
}

// prologue reads what a person reads first: id, title, summary, lesson.
func (l *loader) prologue(sc *Scenario, seen map[string]ast.Node) {
	if n, ok := seen["id"]; ok {
		sc.ID, _ = l.str(n, "id")
		if !idRE.MatchString(sc.ID) {
			l.errorAt(l.pos(n), "id %q must be lower-case letters, digits and dashes (at most 40)", sc.ID)
		}
	} else {
		// Without an id, the file's name gives one, made safe: the file
		// never asked for it, so it cannot be wrong.
		sc.ID = idFromName(l.file)
	}
	if n, ok := seen["title"]; ok {
		sc.Title, _ = l.prose(n, "title")
	} else {
		l.errorAt(Pos{File: l.file, Line: 1, Col: 1}, "a scenario needs a title")
	}
	if n, ok := seen["summary"]; ok {
		sc.Summary, _ = l.prose(n, "summary")
	}
	if n, ok := seen["lesson"]; ok {
		sc.Lesson, _ = l.prose(n, "lesson")
	}
}

func (l *loader) load(data []byte) *Scenario {
	sc := &Scenario{File: l.file, Rounds: 1, Source: data}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		l.syntaxError(err)
		return nil
	}
	seen, ok := l.topKeys(f)
	if !ok {
		return nil
	}
	if n, ok := seen["switches"]; ok {
		l.switchDecl = l.switches(n)
		sc.Switches = l.switchDecl
	}
	l.set = l.applySet(l.switchDecl, l.given)
	sc.Set = l.set
	l.prologue(sc, seen)
	if n, ok := seen["trace"]; ok {
		sc.RuntimeTrace, _ = l.boolean(n, "trace")
	}
	if n, ok := seen["rounds"]; ok {
		if v, ok := l.integer(n, "rounds", 1, maxRounds); ok {
			sc.Rounds = int(v)
		}
	}
	l.objs = map[string]*Object{}
	if n, ok := seen["objects"]; ok {
		sc.Objects = l.objects(n)
	}
	tn, ok := seen["tasks"]
	if !ok {
		l.errorAt(Pos{File: l.file, Line: 1, Col: 1}, "a scenario needs tasks")
		return sc
	}
	l.phases = map[string]bool{}
	sc.Tasks = l.taskList(tn)
	if n, ok := seen["checks"]; ok {
		sc.Checks = l.checks(n)
	}
	if n, ok := seen["goal"]; ok {
		sc.Goal = l.goal(n)
	}
	if n, ok := seen["compare"]; ok {
		l.compare(sc, n)
	}
	if n, ok := seen["sweep"]; ok {
		sc.Sweep = l.sweep(n)
	}
	l.finish(sc, tn)
	return sc
}

func (l *loader) syntaxError(err error) {
	var ye interface {
		GetToken() *token.Token
		GetMessage() string
	}
	p := Pos{File: l.file, Line: 1, Col: 1}
	msg := err.Error()
	if errors.As(err, &ye) {
		msg = ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			p.Line, p.Col = tk.Position.Line, tk.Position.Column
		}
	}
	l.errorAt(p, "YAML syntax: %s", msg)
}

// key returns a mapping entry's key as plain text.
func (l *loader) key(kv *ast.MappingValueNode) (string, bool) {
	if kv.Key == nil {
		l.errorf(kv, "a mapping entry has no key")
		return "", false
	}
	if kv.Key.IsMergeKey() {
		l.errorf(kv.Key, "merge keys (<<) are not supported")
		return "", false
	}
	s, ok := scalar(kv.Key)
	if !ok {
		l.errorf(kv.Key, "keys must be plain names")
		return "", false
	}
	return s, true
}

func (l *loader) mapping(n ast.Node, what string) ([]*ast.MappingValueNode, bool) {
	n = l.plain(n)
	switch m := n.(type) {
	case *ast.MappingNode:
		return m.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}, true
	case nil:
		return nil, false
	}
	l.errorf(n, "%s must be a mapping of keys to values, not %s", what, describe(n))
	return nil, false
}

func (l *loader) sequence(n ast.Node, what string) ([]ast.Node, bool) {
	n = l.plain(n)
	if s, ok := n.(*ast.SequenceNode); ok {
		return s.Values, true
	}
	if n != nil {
		l.errorf(n, "%s must be a list (lines starting with -), not %s", what, describe(n))
	}
	return nil, false
}

// plain refuses the YAML features that make positions and meaning hard to follow.
func (l *loader) plain(n ast.Node) ast.Node {
	switch n.(type) {
	case *ast.AnchorNode, *ast.AliasNode, *ast.TagNode, *ast.MergeKeyNode, *ast.DirectiveNode:
		l.errorf(n, "anchors, aliases, tags and merge keys are not supported")
		return nil
	}
	return n
}

func describe(n ast.Node) string {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.NullNode:
		return "nothing"
	}
	if s, ok := scalar(n); ok {
		if len(s) > 30 {
			s = s[:30] + "..."
		}
		return strconv.Quote(s)
	}
	return "a " + n.Type().String()
}

// scalar returns the text of a scalar node.
func scalar(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		if v.Value == nil {
			return "", true
		}
		return v.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		if tk := n.GetToken(); tk != nil {
			return tk.Value, true
		}
	}
	return "", false
}

func (l *loader) str(n ast.Node, what string) (string, bool) {
	n = l.plain(n)
	if n == nil {
		return "", false
	}
	s, ok := scalar(n)
	if !ok {
		l.errorf(n, "%s must be text, not %s", what, describe(n))
		return "", false
	}
	return l.subst(n, s), true
}

func (l *loader) integer(n ast.Node, what string, lo, hi int64) (int64, bool) {
	s, ok := l.str(n, what)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 64)
	if err != nil {
		l.errorf(n, "%s must be a whole number, not %q", what, s)
		return 0, false
	}
	if v < lo || v > hi {
		l.errorf(n, "%s must be from %d to %d, not %d", what, lo, hi, v)
		return 0, false
	}
	return v, true
}

func (l *loader) float(n ast.Node, what string) (float64, bool) {
	s, ok := l.str(n, what)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 1e6 {
		l.errorf(n, "%s must be a number from 0 to 1000000, not %q", what, s)
		return 0, false
	}
	return v, true
}

func (l *loader) boolean(n ast.Node, what string) (bool, bool) {
	s, ok := l.str(n, what)
	if !ok {
		return false, false
	}
	switch s {
	case "true", "yes", "on":
		return true, true
	case "false", "no", "off":
		return false, true
	}
	l.errorf(n, "%s must be true or false, not %q", what, s)
	return false, false
}

type durVal struct{ d time.Duration }

func (l *loader) duration(n ast.Node, what string) (time.Duration, bool) {
	s, ok := l.str(n, what)
	if !ok {
		return 0, false
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		if _, nerr := strconv.ParseFloat(s, 64); nerr == nil {
			l.errorf(n, "%s needs a unit, as in %ss or %sms", what, s, s)
		} else {
			l.errorf(n, "%s must be a duration such as 2s or 150ms, not %q", what, s)
		}
		return 0, false
	}
	if d < 0 || d > maxDur {
		l.errorf(n, "%s must be from 0s to %s, not %s", what, maxDur, s)
		return 0, false
	}
	return d, true
}

func (l *loader) nameList(n ast.Node, what string) ([]string, bool) {
	n = l.plain(n)
	if seq, ok := n.(*ast.SequenceNode); ok {
		out := make([]string, 0, len(seq.Values))
		for _, v := range seq.Values {
			s, ok := l.str(v, what)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		if len(out) == 0 {
			l.errorf(n, "%s is an empty list", what)
			return nil, false
		}
		return out, true
	}
	s, ok := l.str(n, what)
	if !ok {
		return nil, false
	}
	return []string{s}, true
}
