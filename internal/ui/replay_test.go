package ui

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"mtviz/internal/engine"
	"mtviz/internal/fold"
	"mtviz/internal/lesson"
	"mtviz/internal/record"
	"mtviz/internal/session"
	"mtviz/internal/testutil"
)

// instants picks item counts at which a run can be cut cleanly: every item
// before the cut is no later than the last of them, every item after it is
// later. The replay seeks by time, so only there do both sides hold the
// same items.
func instants(items []fold.Item) []int {
	var cuts []int
	latest := time.Duration(-1)
	for k := 1; k < len(items); k++ {
		latest = max(latest, items[k-1].T())
		if items[k].T() > latest {
			cuts = append(cuts, k)
		}
	}
	out := []int{}
	for _, f := range []int{3, 2} {
		if len(cuts) > 0 {
			out = append(out, cuts[len(cuts)/f])
		}
	}
	return append(out, len(items))
}

// A recorded run replays to the very screens the live run showed, with
// colour and without, at three instants, and to the same verdicts.
func TestReplayShowsTheLiveScreens(t *testing.T) {
	defer lipgloss.SetColorProfile(lipgloss.ColorProfile())
	for _, id := range []string{"fork", "deadlock", "race-steps"} {
		t.Run(id, func(t *testing.T) {
			sc := builtin(t, id)
			var buf bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			s := session.Start(ctx, sc, session.Options{AutoKeys: true, Record: &buf})
			var items []fold.Item
			for it := range s.Items() {
				items = append(items, it)
			}
			sum := s.Wait()
			if err := s.RecordError(); err != nil {
				t.Fatal(err)
			}
			rec, err := record.ReadBytes(id+".jsonl", buf.Bytes(), record.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if rec.Count != len(items) {
				t.Fatalf("%d items recorded, %d delivered", rec.Count, len(items))
			}
			for _, k := range instants(items) {
				live := newLesson(tc(160, 48), sc, session.Options{})
				live.reset(fold.New(fold.Config{Scenario: sc, Cores: s.Cores, Root: session.RootPID()}))
				at := time.Duration(0)
				for _, it := range items[:k] {
					live.tl.Apply(it)
					at = max(at, it.T())
				}
				holdAt(live, at)
				if k == len(items) {
					live.finish(sum)
					at = live.tl.Now
					holdAt(live, at)
				}
				play := newReplayLesson(tc(160, 48), rec)
				rp(play).seek(play, at)
				rp(play).settle(play)
				rp(play).close()
				if k == len(items) && !reflect.DeepEqual(*play.summary, sum) {
					t.Errorf("verdicts differ:\nlive   %+v\nreplay %+v", sum, *play.summary)
				}
				for _, profile := range []termenv.Profile{termenv.Ascii, termenv.ANSI} {
					lipgloss.SetColorProfile(profile)
					live.cache, play.cache = map[string]cached{}, map[string]cached{}
					live.render()
					play.render()
					// The header and the footer say which it is (live keys,
					// replay keys); everything between must match.
					lv, pv := body(live.View()), body(play.View())
					if lv != pv {
						t.Errorf("at %v (item %d of %d, profile %v) the screens differ:\nlive:\n%s\nreplay:\n%s", at, k, len(items), profile, lv, pv)
					}
				}
			}
		})
	}
}

func body(s string) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[1:len(lines)-1], "\n")
}

func TestMain(m *testing.M) { testutil.Main(m, engine.MaybeChild) }

// sixteen is a run of 16 tasks that lock, work and sleep for about five
// seconds, recorded once for the benchmarks.
var sixteen struct {
	once  sync.Once
	rec   *record.Recording
	items []fold.Item
	err   error
	size  int
}

func recordSixteen(b testing.TB) *record.Recording {
	sixteen.once.Do(func() {
		sc, err := lesson.Load("sixteen.yaml", []byte(testutil.SixteenLanes))
		if err != nil {
			sixteen.err = err
			return
		}
		var buf bytes.Buffer
		s := session.Start(context.Background(), sc, session.Options{Record: &buf, GoTrace: session.TraceOn})
		s.Wait()
		sixteen.size = buf.Len()
		sixteen.rec, sixteen.err = record.ReadBytes("sixteen.jsonl", buf.Bytes(), record.Options{})
		if sixteen.err == nil {
			sixteen.items, sixteen.err = sixteen.rec.ReadAll()
		}
	})
	if sixteen.err != nil {
		b.Fatal(sixteen.err)
	}
	return sixteen.rec
}

// Replaying as fast as it can: fold every item of a 16-lane recording and
// draw the 200×60 screen once per 100 ms of recorded time, as the screen
// would at 10 frames a second. x_realtime is how many times faster than the
// run itself that goes.
func BenchmarkReplay16Lanes(b *testing.B) {
	rec := recordSixteen(b)
	span := rec.Span
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		m := newReplayLesson(tc(200, 60), rec)
		next := time.Duration(0)
		for _, it := range sixteen.items {
			m.tl.Apply(it)
			if t := it.T(); t >= next {
				rp(m).at = t
				m.render()
				next = t + 100*time.Millisecond
			}
		}
	}
	per := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(span.Seconds()/per.Seconds(), "x_realtime")
	b.ReportMetric(float64(rec.Count), "items")
	b.ReportMetric(float64(sixteen.size)/span.Seconds()/1024, "KB/s_recorded")
}

// The fold's share of a frame: the whole 16-lane run folded, item by item,
// as the screen folds it; ms/frame is the cost per 100 ms of the run, what
// one frame at 10 frames a second folds.
func BenchmarkFoldFrame(b *testing.B) {
	rec := recordSixteen(b)
	span := rec.Span
	events := 0
	for _, it := range sixteen.items {
		events += len(it.Events)
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		tl := newFold(rec)
		for _, it := range sixteen.items {
			tl.Apply(it)
		}
	}
	frames := float64(span) / float64(100*time.Millisecond)
	per := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(per.Microseconds())/1000/frames, "ms/frame")
	b.ReportMetric(float64(events)/frames, "events/frame")
}
