package explore

import (
	"strings"
	"testing"
)

// Any bytes read as a schedule give task names a scheduler could be asked
// for, or an error naming the file; never a panic.
func FuzzRead(f *testing.F) {
	f.Add([]byte("# mtviz schedule\nt1\nt2\n"))
	f.Add([]byte("t1\r\n\r\nt2"))
	f.Add([]byte("\x00\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Read("f", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f") {
				t.Fatalf("an error that names no file: %v", err)
			}
			return
		}
		for _, turn := range s.Turns {
			if !taskRE.MatchString(turn.Task) || turn.Line < 1 {
				t.Fatalf("turn %+v", turn)
			}
		}
	})
}
