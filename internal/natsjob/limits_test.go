package natsjob

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A server whose storage is full refuses the master's tasks: the master
// stops with an error that says so, and does not wait for ever.
func TestFullStoreErrors(t *testing.T) {
	tok := NewToken()
	s, err := StartServer(ServerConfig{Token: tok, Dir: t.TempDir(), MaxStore: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	_, err = RunMaster(ctx, connect(t, s, tok), MasterConfig{Job: "full", Tasks: 1_000_000})
	if err == nil || ctx.Err() != nil || !strings.Contains(err.Error(), "storage is full") {
		t.Fatalf("a master on a full server: %v (ctx %v)", err, ctx.Err())
	}
	t.Logf("after %v: %v", time.Since(start).Round(time.Millisecond), err)
}

// One server: one replica by default; more cannot be placed, and the
// master says what to do.
func TestReplicasStandalone(t *testing.T) {
	s, tok, _ := testServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	nc := connect(t, s, tok)
	if r := DefaultReplicas(nc); r != 1 {
		t.Errorf("a server of its own: %d replicas by default, want 1", r)
	}
	_, err := RunMaster(ctx, nc, MasterConfig{Job: "r3", Tasks: 10, Replicas: 3})
	if err == nil || !strings.Contains(err.Error(), "--replicas") {
		t.Errorf("3 replicas on one server: %v", err)
	}
}

// A job's state directory is locked by its master: a second one is
// refused at once, naming the first; closed, it stays for the next;
// removed, it is gone.
func TestStateDir(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	d, err := OpenStateDir("j")
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(d.Path); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("%s: %v %v", d.Path, st, err)
	}
	if _, err := OpenStateDir("j"); !errors.Is(err, ErrHeld) || !strings.Contains(err.Error(), "pid") {
		t.Errorf("a second open: %v", err)
	}
	if err := d.SetPort(4242); err != nil || d.Port() != 4242 {
		t.Errorf("port: %d %v", d.Port(), err)
	}
	d.Close()
	d, err = OpenStateDir("j")
	if err != nil || d.Port() != 4242 {
		t.Fatalf("open again: %v, port %d", err, d.Port())
	}
	if err := d.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(d.Path); !os.IsNotExist(err) {
		t.Errorf("removed, it is still there: %v", err)
	}
	// A link where the directory should be is refused.
	base, _ := StateBase()
	os.Symlink(t.TempDir(), filepath.Join(base, "l"))
	if _, err := OpenStateDir("l"); err == nil {
		t.Error("a link was taken for the job's directory")
	}
}
