package main

import (
	"strings"
	"testing"
)

// A person plays the scheduler in deadlock-play: two key presses, a takes
// m1 and b takes m2, and the screen draws the cycle, says the goal was met
// in 2 steps and how many orders meet it; q exits 1, for the lesson's
// checks (each task got both locks) failed in that order.
func TestTUISchedulerReachesTheDeadlock(t *testing.T) {
	s, mark := startTUI(t, 120, 36, "run", "deadlock-play", "--scheduler", "you")
	screenShows(t, s, "Scheduler: you choose · step 0", "1 a", "▸ takes m1", "2 b", "▸ takes m2")
	tmux(t, "send-keys", "-t", s, "1")
	screenShows(t, s, "step 1", "▸ takes m2")
	tmux(t, "send-keys", "-t", s, "2")
	screen := screenShows(t, s, "deadlock: a → m2 → b → m1 → a", "★ goal met in 2 steps", "2 of 6 orders meet it")
	t.Logf("deadlock-play, played:\n%s", screen)
	if !strings.Contains(screen, "a ─ waits for m2, held by ─▶ b") {
		t.Errorf("the Locks panel does not draw the wait-for graph:\n%s", screen)
	}
	tmux(t, "send-keys", "-t", s, "q")
	screenShows(t, s, "MTVIZ-EXIT 1")
	if left := marked(mark); len(left) > 0 {
		t.Errorf("processes left behind:\n%s", strings.Join(left, "\n"))
	}
}

// s turns the scheduler on at the start of a round; a lets every task run
// freely again, and the lesson runs to its end.
func TestTUISchedulerOnAndFree(t *testing.T) {
	s, _ := startTUI(t, 100, 30, "run", "race-play")
	screenShows(t, s, "race-play", "balance")
	tmux(t, "send-keys", "-t", s, "s")
	screenShows(t, s, "Scheduler: you choose · step 0", "reads balance into its copy (to add +5)")
	tmux(t, "send-keys", "-t", s, "1")
	screenShows(t, s, "step 1", "writes its copy 0 +5 = 5 to balance")
	tmux(t, "send-keys", "-t", s, "a")
	screenShows(t, s, "every task runs freely now", "the balance ended at 0")
	tmux(t, "send-keys", "-t", s, "q")
	screenShows(t, s, "MTVIZ-EXIT")
}
