package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	evt "mtviz/internal/event"
)

// A broker is a child of mtviz listening on 127.0.0.1 only while the run
// lasts; when Run returns, however the run ended, it is reaped and its
// directory is gone.
func TestBrokerGoneAfterTheRun(t *testing.T) {
	e := New(load(t, `
objects:
  nats: {kind: broker}
tasks:
  - name: w
    steps: [{work: nats}]
`), Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error)
	go func() { done <- e.Run(ctx) }()
	var pid int
	for b := range e.Events() {
		for _, ev := range b {
			if ev.Kind() == evt.KProcess && ev.Task == "broker nats" {
				pid = ev.PID
			}
			if ev.Kind() == evt.KState && ev.Task == "w" && ev.StateChange().State == evt.Blocked && pid != 0 {
				socks := listening(t, pid)
				if len(socks) == 0 {
					t.Error("the broker listens on no TCP socket")
				}
				for _, s := range socks {
					if !strings.HasPrefix(s, "tcp 0100007F:") {
						t.Errorf("the broker listens on %s", s)
					}
				}
				if info := e.brokerInfo["nats"]; !strings.HasPrefix(info.URL, "nats://127.0.0.1:") || info.Token == "" {
					t.Errorf("broker info %+v", info)
				}
				cancel()
			}
		}
	}
	if err := <-done; !errors.Is(err, ErrStopped) {
		t.Errorf("Run returned %v", err)
	}
	if pid == 0 {
		t.Fatal("no broker process was reported")
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
		t.Errorf("PID %d is still there", pid)
	}
	if dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), fmt.Sprintf("mtviz-run-%d-*", os.Getpid()))); len(dirs) > 0 {
		t.Errorf("left behind: %v", dirs)
	}
}
