package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"mtviz/internal/engine"
	"mtviz/internal/natsjob"
	"mtviz/internal/text"
)

// benchResult is what 'mtviz bench distributed' reports.
type benchResult struct {
	Workers     int     `json:"workers"`
	Tasks       int64   `json:"tasks"`
	PerMessage  int     `json:"tasks_per_message"`
	Storage     string  `json:"storage"`
	Seconds     float64 `json:"seconds"`
	TasksPerSec float64 `json:"tasks_per_s"`
	LatencyMs   latency `json:"latency_ms"`
	Acked       bool    `json:"every_task_acked"`
	CountedOnce int64   `json:"counted_once"`
	Duplicates  int64   `json:"duplicates"`
	RawPerSec   float64 `json:"raw_publish_ack_per_s"`
	OfRaw       float64 `json:"of_raw"`
	GoalRaw     float64 `json:"goal_of_raw"`
	MeetsRaw    bool    `json:"meets_raw_goal"`
}

type latency struct {
	P50, P90, P99, Max float64
}

func cmdBench(args []string, stdout, stderr io.Writer) error {
	help := len(args) > 0 && (args[0] == "-h" || args[0] == "--help")
	if !help && (len(args) == 0 || args[0] != "distributed") {
		return usagef("bench: say what to measure: 'mtviz bench distributed'")
	}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	workers := fs.Int("workers", 2, "`N` worker processes")
	tasks := fs.Int64("tasks", 100000, "`N` tasks")
	asJSON := fs.Bool("json", false, "one JSON object instead of text")
	memory := fs.Bool("memory", false, "streams in memory instead of files (both measurements)")
	per := fs.Int("per-message", 1, "`N` tasks one message carries, as the chapter's queue items; the server's work is per message, not per task")
	url := fs.String("nats", "", "measure on the server at `URL` instead of one of its own, with the key in --token-file (to compare with 'nats bench' on the same one)")
	keyArg := fs.String("token-file", "", "with --nats: read the key from `FILE`")
	if help {
		args = []string{"distributed", "--help"}
	}
	pos, err := parseFlags(fs, args[1:], benchUsage, stdout)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("bench: takes no more arguments, got %q", pos[0])
	}
	if *workers < 1 || *workers > 64 {
		return usagef("bench: --workers: from 1 to 64")
	}
	if *tasks < 1 || *tasks > natsjob.MaxTasks {
		return usagef("bench: --tasks: from 1 to %d", natsjob.MaxTasks)
	}
	if *per < 1 || *per > natsjob.MaxPerMessage {
		return usagef("bench: --per-message: from 1 to %d", natsjob.MaxPerMessage)
	}
	if (*url == "") != (*keyArg == "") {
		return usagef("bench: --nats URL and --token-file F go together")
	}
	ctx, stop := signalContext()
	defer stop()
	rd, err := engine.RunDir()
	if err != nil {
		return err
	}
	defer rd.Remove()
	dir := rd.Path
	serverURL, keyFile := *url, *keyArg
	tok := ""
	if serverURL == "" {
		tok = natsjob.NewToken()
		keyFile = filepath.Join(dir, "key")
		if err := os.WriteFile(keyFile, []byte(tok+"\n"), 0o600); err != nil {
			return err
		}
		s, err := natsjob.StartServer(natsjob.ServerConfig{Token: tok, Dir: filepath.Join(dir, "jetstream"),
			Warn: func(line string) { fmt.Fprintf(stderr, "mtviz bench: nats server: %s\n", line) }})
		if err != nil {
			return err
		}
		defer s.Close()
		serverURL = s.URL()
	} else if tok, err = natsjob.ReadToken(keyFile); err != nil {
		return usagef("bench: --token-file: %v", err)
	}
	return benchRun(ctx, serverURL, tok, keyFile, *workers, *tasks, *per, *memory, *asJSON, stdout, stderr)
}

func benchRun(ctx context.Context, url, tok, keyFile string, workers int, tasks int64, per int, memory, asJSON bool, stdout, stderr io.Writer) error {
	nc, err := natsjob.Connect(url, natsjob.Auth{Token: tok}, "mtviz bench", nil)
	if err != nil {
		return err
	}
	defer nc.Close()
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	const job = "bench"
	var procs []*exec.Cmd
	defer func() {
		for _, c := range procs {
			c.Process.Kill()
			c.Wait()
		}
	}()
	for i := range workers {
		c := exec.Command(exe, "worker", "--server", url, "--token-file", keyFile, "--job", job)
		c.Stderr = stderr
		// A CPU profile asked for is the master's; each worker writes its own.
		if path := os.Getenv("MTVIZ_CPUPROFILE"); path != "" {
			c.Env = append(os.Environ(), fmt.Sprintf("MTVIZ_CPUPROFILE=%s.worker%d", path, i+1))
		}
		// The workers die with the bench, however it ends.
		c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
		if err := c.Start(); err != nil {
			return err
		}
		procs = append(procs, c)
	}
	rep, err := natsjob.RunMaster(ctx, nc, natsjob.MasterConfig{Job: job, Tasks: tasks, Memory: memory, AckWait: 30 * time.Second, Keep: true, PerMessage: per})
	if err != nil {
		return err
	}
	// The workers leave once they see the job done.
	for _, c := range procs {
		waited := make(chan error, 1)
		go func() { waited <- c.Wait() }()
		select {
		case <-waited:
		case <-time.After(10 * time.Second):
			c.Process.Kill()
			<-waited
		}
	}
	procs = nil
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	rec, err := natsjob.ReadRecord(ctx, js, job)
	if err != nil {
		return fmt.Errorf("read the record: %w", err)
	}
	natsjob.DeleteJob(context.Background(), js, job)
	raw, err := natsjob.RawPublish(ctx, nc, int(tasks), memory)
	if err != nil {
		return fmt.Errorf("raw publish+ack: %w", err)
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	r := benchResult{Workers: workers, Tasks: tasks, PerMessage: per, Storage: "file", Seconds: rep.Elapsed.Seconds(),
		TasksPerSec: float64(rep.Collected) / rep.Elapsed.Seconds(),
		LatencyMs: latency{ms(natsjob.Percentile(rep.Latencies, 50)), ms(natsjob.Percentile(rep.Latencies, 90)),
			ms(natsjob.Percentile(rep.Latencies, 99)), ms(natsjob.Percentile(rep.Latencies, 100))},
		Acked:       rec.Left == 0 && rec.InFlight == 0 && rec.Published == uint64((tasks+int64(per)-1)/int64(per)),
		CountedOnce: rec.Recorded, Duplicates: rep.Duplicates,
		RawPerSec: float64(tasks) / raw.Seconds(), GoalRaw: 0.5}
	if memory {
		r.Storage = "memory"
	}
	r.OfRaw = r.TasksPerSec / r.RawPerSec
	r.MeetsRaw = r.OfRaw >= r.GoalRaw
	if asJSON {
		return json.NewEncoder(text.NewJSONWriter(stdout)).Encode(r)
	}
	fmt.Fprintf(stdout, "%d tasks, %d per message, %d workers, %s storage: %.0f tasks/s end to end (%.2f s)\n", r.Tasks, r.PerMessage, r.Workers, r.Storage, r.TasksPerSec, r.Seconds)
	fmt.Fprintf(stdout, "latency, published to collected: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n", r.LatencyMs.P50, r.LatencyMs.P90, r.LatencyMs.P99, r.LatencyMs.Max)
	fmt.Fprintf(stdout, "every task acknowledged: %v; exactly one result: %d of %d (%d duplicates ignored)\n", r.Acked, r.CountedOnce, r.Tasks, r.Duplicates)
	fmt.Fprintf(stdout, "raw JetStream publish+ack, same server: %.0f messages/s; the pipeline is %.2f of it (goal %.2f)\n", r.RawPerSec, r.OfRaw, r.GoalRaw)
	if !r.Acked || r.CountedOnce != r.Tasks {
		return fmt.Errorf("bench: not every task was acknowledged and counted once")
	}
	return nil
}
