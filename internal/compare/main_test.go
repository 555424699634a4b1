package compare

import (
	"testing"

	"mtviz/internal/sim"
	"mtviz/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m, sim.MaybeChild) }
