package session

import "mtviz/internal/verdict"

// decideGoal judges the lesson's goal, if it has one; a run stopped before
// its end decides nothing of it.
func decideGoal(gj *verdict.Judge, stopped bool) *verdict.Result {
	if gj == nil || stopped {
		return nil
	}
	r := gj.DecideGoal()
	return &r
}

// Goal is whether the run met the lesson's goal, once Done is closed: nil
// when the lesson has none, or the run was stopped before its end.
func (s *Session) Goal() *verdict.Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.goal
}
