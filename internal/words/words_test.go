package words

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// asked is every word the screens ask the catalog for: the constant first
// argument of each words.T, words.F and words.N in the packages that draw
// them, with whether it is a format (F).
func asked(t *testing.T) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	files, err := filepath.Glob("../*/*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			fn, ok := wordsCall(name, call)
			if !ok {
				return true
			}
			s, ok := constString(call.Args[0])
			switch {
			case ok:
				out[s] = out[s] || fn == "F"
			case fn != "T":
				// T may look up a word N marked; F and N take it as written.
				t.Errorf("%s: words.%s of a value the catalog's test cannot read; write the text there", fset.Position(call.Pos()), fn)
			}
			return true
		})
	}
	if len(out) < 100 {
		t.Fatalf("found only %d screen words in %v: is the scan looking in the right place?", len(out), files)
	}
	return out
}

func isWords(sel *ast.SelectorExpr) bool {
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == "words" && slices.Contains([]string{"T", "F", "N"}, sel.Sel.Name)
}

// formatters are functions that pass their first argument to words.F, by
// the folder they are in: a verdict's pass, fail and undecided.
var formatters = map[string][]string{"verdict": {"pass", "fail", "undecided"}}

// wordsCall says whether call asks the catalog for its first argument, and
// as which of T, F and N.
func wordsCall(file string, call *ast.CallExpr) (string, bool) {
	switch fun := call.Fun.(type) {
	case *ast.SelectorExpr:
		return fun.Sel.Name, isWords(fun)
	case *ast.Ident:
		dir := filepath.Base(filepath.Dir(file))
		return "F", slices.Contains(formatters[dir], fun.Name)
	}
	return "", false
}

// constString is a string literal, or literals joined by +.
func constString(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		a, ok1 := constString(e.X)
		b, ok2 := constString(e.Y)
		return a + b, ok1 && ok2 && e.Op == token.ADD
	case *ast.ParenExpr:
		return constString(e.X)
	}
	return "", false
}

// Every word a screen shows has its Chinese.
func TestEveryScreenWordHasChinese(t *testing.T) {
	zh := Chinese()
	for en := range asked(t) {
		if strings.TrimSpace(zh[en]) == "" {
			t.Errorf("no Chinese for the screen word %q (add it to zh.go)", en)
		}
	}
}

// The catalog holds no word no screen asks for (a word renamed in the code
// and not in the catalog would show English).
func TestNoStaleWords(t *testing.T) {
	used := asked(t)
	for en := range Chinese() {
		if _, ok := used[en]; !ok {
			t.Errorf("the catalog translates %q, which no screen asks for", en)
		}
	}
}

// verb is a format's verb; its argument's index ([2]) stands before the
// verb letter, after any width and precision (%.2[3]f).
var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?(\[\d+\])?[a-zA-Z%]`)

// verbs is a format's verbs, in argument order (an explicit index puts a
// verb where it says).
func verbs(format string) []string {
	var out []string
	next := 0
	for _, v := range verb.FindAllStringSubmatch(format, -1) {
		if v[0] == "%%" {
			continue
		}
		i, index := next, v[1]+v[3]
		if index != "" {
			i, _ = strconv.Atoi(strings.Trim(index, "[]"))
			i--
		}
		for len(out) <= i {
			out = append(out, "")
		}
		out[i] = strings.Replace(v[0], index, "", 1)
		next = i + 1
	}
	return out
}

// A translated format fills in the same values, of the same kinds.
func TestFormatsKeepTheirVerbs(t *testing.T) {
	zh := Chinese()
	for en, isFormat := range asked(t) {
		if !isFormat || zh[en] == "" {
			continue
		}
		want := verbs(en)
		got := verbs(zh[en])
		// A width is the English layout's; Chinese may pad otherwise.
		strip := func(vs []string) []string {
			out := make([]string, len(vs))
			for i, v := range vs {
				out[i] = v[len(v)-1:]
			}
			return out
		}
		if !slices.Equal(strip(want), strip(got)) {
			t.Errorf("%q has verbs %v, its Chinese %q has %v", en, want, zh[en], got)
		}
		// And fmt reads the Chinese so: no verb it cannot fill (%!).
		args := make([]any, len(want))
		for i, v := range strip(want) {
			args[i] = sample[v]
		}
		if out := fmt.Sprintf(zh[en], args...); strings.Contains(out, "%!") {
			t.Errorf("%q fills in as %q", zh[en], out)
		}
	}
}

// sample is a value of the kind each verb letter takes.
var sample = map[string]any{"d": 1, "s": "x", "q": "x", "v": []int{1}, "f": 1.5, "g": 1.5}

// T says a word in the language chosen, and English as written.
func TestTFollowsTheLanguage(t *testing.T) {
	defer Set(Lang())
	Set("en")
	if got := T("Tasks"); got != "Tasks" {
		t.Errorf("English T(Tasks) = %q", got)
	}
	if got := F("%d cores", 2); got != "2 cores" {
		t.Errorf("English F = %q", got)
	}
	Set("zh")
	if got := T("Tasks"); got != "任务" {
		t.Errorf("Chinese T(Tasks) = %q", got)
	}
	if got := F("%d cores", 2); got != "2 核" {
		t.Errorf("Chinese F = %q", got)
	}
	if got := T("a word nobody translated"); got != "a word nobody translated" {
		t.Errorf("a word with no Chinese = %q, not its English", got)
	}
}

// No word is in both halves of the catalog.
func TestNoWordGivenTwice(t *testing.T) {
	for _, en := range givenTwice {
		t.Errorf("%q is translated both in zh.go and in zh_engine.go", en)
	}
}
