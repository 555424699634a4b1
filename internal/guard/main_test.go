package guard

import (
	"testing"

	"go.uber.org/goleak"
)

// The panic test's goroutine stays parked in Recover on purpose: a guarded
// goroutine that panicked never returns to code that broke.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("mtviz/internal/guard.Recover"))
}
