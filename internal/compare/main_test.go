package compare

import (
	"testing"

	"go.uber.org/goleak"

	"mtviz/internal/sim"
)

func TestMain(m *testing.M) {
	sim.MaybeChild()
	goleak.VerifyTestMain(m)
}
