package verdict

import "mtviz/internal/words"

// The words every report uses for verdicts, on screen and headless, in
// the language of the screen's words (English as written here).

// Mark is a verdict as a report prints it beside a check.
func (v Verdict) Mark() string {
	switch v {
	case Pass:
		return words.T("PASS")
	case Fail:
		return words.T("FAIL")
	}
	return words.T("NOT DECIDED")
}

// State is what a run came to, in a few words: the screen's header and the
// compare printer say it.
func (s Summary) State() string {
	switch {
	case s.Stopped:
		return words.T("stopped before its end")
	case len(s.Checks) == 0 && s.Verdict != Fail:
		return words.T("no checks: nothing was decided")
	case s.Verdict == Pass:
		return words.T("every check held")
	case s.Verdict == Fail:
		return words.T("a check failed")
	}
	return words.T("a check was not decided")
}

// Conclusion is a run's last line, headless: what it came to and how long
// it took.
func (s Summary) Conclusion() string {
	took := s.Duration.Seconds()
	switch {
	case s.Stopped:
		return words.F("stopped before the end after %.1fs", took)
	case len(s.Checks) == 0 && s.Verdict != Fail:
		return words.F("NOT DECIDED: no checks: nothing was decided (%.1fs)", took)
	case s.Verdict == Pass:
		return words.F("ok: every check held (%.1fs)", took)
	case s.Verdict == Undecided:
		return words.F("NOT DECIDED: no check failed, but not every check could be decided (%.1fs)", took)
	}
	return words.F("FAILED: a check did not hold (%.1fs)", took)
}
