package engine

import (
	"reflect"
	"testing"
)

// A Go panic in a child's standard error keeps its message and its
// goroutine's header; the frames (mtviz's own code, with the paths of the
// machine it was built on) become one line, at once when a "created by"
// frame ends them, at the blank line between goroutines, or at the end.
// Lines that are no stack trace pass as they are.
func TestStackTrim(t *testing.T) {
	in := []string{
		"a line of its own",
		"panic: crash step of p: p divides by zero",
		"",
		"goroutine 5 [running]:",
		"mtviz/internal/engine.runCrash.func1()",
		"\t/build/path/internal/engine/exec.go:277 +0x65",
		"created by mtviz/internal/engine.runCrash in goroutine 23",
		"\t/build/path/internal/engine/exec.go:277 +0x176",
		"goroutine 1 [chan receive]:",
		"main.main()",
		"\t/build/path/main.go:10 +0x1",
		"",
		"exit status 2",
		"goroutine 7 [select]:",
		"main.loop()",
	}
	want := []string{
		"a line of its own",
		"panic: crash step of p: p divides by zero",
		"",
		"goroutine 5 [running]:",
		"  (4 lines of the stack trace left out: mtviz's own code, which ran the step)",
		"goroutine 1 [chan receive]:",
		"  (2 lines of the stack trace left out: mtviz's own code, which ran the step)",
		"exit status 2",
		"goroutine 7 [select]:",
		"  (1 line of the stack trace left out: mtviz's own code, which ran the step)",
	}
	var st stackTrim
	var got []string
	for _, l := range in {
		if s, ok := st.line(l); ok {
			got = append(got, s)
		}
	}
	if s, ok := st.end(); ok {
		got = append(got, s)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}
