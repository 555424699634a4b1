package compare

import (
	"testing"

	"mtviz/internal/engine"
	"mtviz/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m, engine.MaybeChild) }
