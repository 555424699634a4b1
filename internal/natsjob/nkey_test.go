package natsjob

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
)

// A server that takes nkeys, as an external one may: a master and a
// worker present an nkey seed file and do the job; another seed is
// refused.
func TestNkeyAuth(t *testing.T) {
	user, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := user.PublicKey()
	seed, _ := user.Seed()
	dir := t.TempDir()
	seedFile := filepath.Join(dir, "user.nk")
	os.WriteFile(seedFile, seed, 0o600)
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, NoSigs: true, NoLog: true,
		JetStream: true, StoreDir: filepath.Join(dir, "js"), Nkeys: []*server.NkeyUser{{Nkey: pub}}})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	defer func() { s.Shutdown(); s.WaitForShutdown() }()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("the server did not start")
	}
	url := s.ClientURL()
	auth := Auth{NkeySeed: seedFile}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	wnc, err := Connect(url, auth, "worker", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer wnc.Close()
	done := make(chan WorkerReport, 1)
	go func() { r, _ := RunWorker(ctx, wnc, WorkerConfig{Job: "n"}); done <- r }()
	mnc, err := Connect(url, auth, "master", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer mnc.Close()
	rep, err := RunMaster(ctx, mnc, MasterConfig{Job: "n", Tasks: 100})
	if err != nil || rep.Collected != 100 {
		t.Fatalf("master: %+v %v", rep, err)
	}
	if w := <-done; w.Done-w.Duplicates != 100 {
		t.Errorf("worker: %+v", w)
	}
	other, _ := nkeys.CreateUser()
	otherSeed, _ := other.Seed()
	otherFile := filepath.Join(dir, "other.nk")
	os.WriteFile(otherFile, otherSeed, 0o600)
	if _, err := Connect(url, Auth{NkeySeed: otherFile}, "stranger", nil); !errors.Is(err, ErrRefused) {
		t.Errorf("another nkey: %v", err)
	}
}
