package verdict

import "fmt"

// The words every report uses for verdicts, on screen and headless.

// Mark is a verdict as a report prints it beside a check.
func (v Verdict) Mark() string {
	switch v {
	case Pass:
		return "PASS"
	case Fail:
		return "FAIL"
	}
	return "NOT DECIDED"
}

// State is what a run came to, in a few words: the screen's header and the
// compare printer say it.
func (s Summary) State() string {
	switch {
	case s.Stopped:
		return "stopped before its end"
	case len(s.Checks) == 0 && s.Verdict != Fail:
		return "no checks: nothing was decided"
	case s.Verdict == Pass:
		return "every check held"
	case s.Verdict == Fail:
		return "a check failed"
	}
	return "a check was not decided"
}

// Conclusion is a run's last line, headless: what it came to and how long
// it took.
func (s Summary) Conclusion() string {
	took := s.Duration.Seconds()
	switch {
	case s.Stopped:
		return fmt.Sprintf("stopped before the end after %.1fs", took)
	case len(s.Checks) == 0 && s.Verdict != Fail:
		return fmt.Sprintf("NOT DECIDED: no checks: nothing was decided (%.1fs)", took)
	case s.Verdict == Pass:
		return fmt.Sprintf("ok: every check held (%.1fs)", took)
	case s.Verdict == Undecided:
		return fmt.Sprintf("NOT DECIDED: no check failed, but not every check could be decided (%.1fs)", took)
	}
	return fmt.Sprintf("FAILED: a check did not hold (%.1fs)", took)
}
