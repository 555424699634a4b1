package compare

import (
	"testing"

	"go.uber.org/goleak"

	"mtviz/internal/sim"
	"mtviz/internal/testutil"
)

func TestMain(m *testing.M) {
	testutil.NoRaceExitSleep()
	sim.MaybeChild()
	goleak.VerifyTestMain(m)
}
