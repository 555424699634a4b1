package main

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A worker pointed at a port that is not NATS (an HTTP server, silent
// until asked) says so and exits 2 after a few tries, instead of trying
// for ever with "i/o timeout".
func TestWorkerGivenAServerThatIsNotNATS(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.NotFoundHandler()}
	go srv.Serve(ln)
	defer srv.Close()
	key := filepath.Join(t.TempDir(), "key")
	os.WriteFile(key, []byte("a-key-of-some-length\n"), 0o600)
	_, errb, code := mtvizWithin(t, time.Minute, "worker", "--server", "nats://"+ln.Addr().String(), "--token-file", key)
	if code != exitUsage || !strings.Contains(errb, "worker: not a NATS server: nats://"+ln.Addr().String()+" took the connection but did not greet it as NATS does") {
		t.Errorf("exit %d, %q", code, errb)
	}
	if n := strings.Count(errb, "trying again"); n != 3 {
		t.Errorf("%d tries said, want 3 before giving up:\n%s", n, errb)
	}
}
