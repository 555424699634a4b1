package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"mtviz/internal/dist"
	"mtviz/internal/sim"
	"mtviz/internal/text"
)

const masterUsage = `Usage: mtviz master [flags]

Starts a NATS server with JetStream inside mtviz (or uses one given with
--nats) and a master that publishes N tasks, the numbers 1..N, to a work
queue, and collects each result, n*n, once by task id. It prints the
command a worker runs, on this machine or another. Workers pull tasks; a
task a worker does not acknowledge (it was killed, say) goes to another.
A master killed and started again with the same job goes on where it
stopped.

Flags:
  --tasks N          how many tasks (default 10000)
  --listen ADDR      where the embedded server listens (default 127.0.0.1:0, a free port)
  --allow-remote     let --listen take an address other than loopback; every
                     client must still present the key
  --token-file F     the key every client must present (default: a new random
                     key, written to a private file while the master runs)
  --nats URL         use this NATS server (JetStream on) instead of starting one,
                     with the credentials of --token-file, --nkey-seed or --creds
  --nkey-seed F      with --nats: an nkey seed file
  --creds F          with --nats: a credentials file
  --job NAME         the job's name on the server (default squares)
  --memory           keep the job's streams in memory instead of files
  --ack-wait D       how long a worker may hold a task before the server hands
                     it to another (default 2s)
  --keep             with --nats: leave the job on the server when it is done
  --per-message N    tasks one message carries (default 1); the server's work
                     is per message, so more per message is faster

Exit codes: 0 every result collected, 1 stopped before that, 2 bad usage
or a refused key.
`

const workerUsage = `Usage: mtviz worker --server URL --token-file F [flags]

Joins a master's job: pulls tasks from the server, publishes each result,
and acknowledges the task once the server has stored the result. It
returns when the master says the job is done. A server it cannot reach is
tried again, with a growing pause; a key the server refuses ends it with
exit code 2.

Flags:
  --server URL       the NATS server, as 'mtviz master' printed it
  --token-file F     a file holding the key
  --nkey-seed F      or: an nkey seed file
  --creds F          or: a credentials file
  --job NAME         the job (default squares)
  --batch N          tasks pulled ahead of the work (default 256)
  --pace D           how long each task takes, to watch it (default 0)
`

const benchUsage = `Usage: mtviz bench distributed [--workers N] [--tasks N] [--per-message N] [--json] [--memory]

Measures the distributed lesson's design on this machine: an embedded NATS
server, a master in mtviz and N worker processes (mtviz worker); tasks per
second from each task's publication to its result being collected, the
latency percentiles of that, and that every task was acknowledged and
counted once. Then, in the same command and on the same server, the floor
it is compared with: one client publishing as many messages to a stream
and getting the server's acknowledgement of each.

Flags:
  --workers N   worker processes (default 2)
  --tasks N     tasks (default 100000)
  --per-message N
                tasks one message carries (default 1, as the chapter's queue
                items); the server's work is per message, not per task
  --json        one JSON object instead of text
  --memory      streams in memory instead of files (both measurements)
`

func init() {
	hiddenCommands[dist.BrokerCommand] = func([]string, io.Writer, io.Writer) error {
		os.Exit(dist.RunBroker(os.Stdin, os.Stdout))
		return nil
	}
}

// authFlags are the ways a client proves itself.
type authFlags struct{ token, nkey, creds *string }

func addAuthFlags(fs *flag.FlagSet) authFlags {
	return authFlags{fs.String("token-file", "", ""), fs.String("nkey-seed", "", ""), fs.String("creds", "", "")}
}

func (a authFlags) auth(cmd string) (dist.Auth, error) {
	var au dist.Auth
	n := 0
	if *a.token != "" {
		tok, err := dist.ReadToken(*a.token)
		if err != nil {
			return au, usagef("%s: --token-file: %v", cmd, err)
		}
		au.Token, n = tok, n+1
	}
	if *a.nkey != "" {
		au.NkeySeed, n = *a.nkey, n+1
	}
	if *a.creds != "" {
		au.CredsFile, n = *a.creds, n+1
	}
	if n > 1 {
		return au, usagef("%s: give one of --token-file, --nkey-seed and --creds", cmd)
	}
	return au, nil
}

func cmdMaster(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("master", flag.ContinueOnError)
	tasks := fs.Int64("tasks", 10000, "")
	listen := fs.String("listen", "127.0.0.1:0", "")
	remote := fs.Bool("allow-remote", false, "")
	url := fs.String("nats", "", "")
	job := fs.String("job", string(dist.DefaultJob), "")
	memory := fs.Bool("memory", false, "")
	ackWait := fs.Duration("ack-wait", 2*time.Second, "")
	keep := fs.Bool("keep", false, "")
	per := fs.Int("per-message", 1, "")
	af := addAuthFlags(fs)
	pos, err := parseFlags(fs, args, masterUsage, stdout)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("master: takes no arguments, got %q", pos[0])
	}
	if *tasks < 1 || *tasks > dist.MaxTasks {
		return usagef("master: --tasks: from 1 to %d", dist.MaxTasks)
	}
	if !dist.Job(*job).Valid() {
		return usagef("master: --job: letters, digits, - and _ only")
	}
	if *per < 1 || *per > dist.MaxPerMessage {
		return usagef("master: --per-message: from 1 to %d", dist.MaxPerMessage)
	}
	if *ackWait < 100*time.Millisecond {
		return usagef("master: --ack-wait: at least 100ms")
	}
	auth, err := af.auth("master")
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	cfg := dist.MasterConfig{Job: dist.Job(*job), Tasks: *tasks, Memory: *memory, AckWait: *ackWait, Keep: *keep, PerMessage: *per}
	serverURL, keyFile := *url, *af.token
	if *url == "" {
		if auth.NkeySeed != "" || auth.CredsFile != "" {
			return usagef("master: --nkey-seed and --creds are for --nats; the embedded server takes --token-file")
		}
		if _, _, loop, err := dist.SplitListen(*listen); err != nil {
			return usagef("master: --listen: %v", err)
		} else if !loop && !*remote {
			return usagef("master: --listen %s is not a loopback address: other machines could connect; add --allow-remote to mean it (the key is still required)", *listen)
		}
		rd, err := sim.RunDir()
		if err != nil {
			return err
		}
		defer rd.Remove()
		dir := rd.Path
		if auth.Token == "" {
			auth.Token = dist.NewToken()
			keyFile = filepath.Join(dir, "key")
			if err := os.WriteFile(keyFile, []byte(auth.Token+"\n"), 0o600); err != nil {
				return err
			}
		}
		s, err := dist.StartServer(dist.ServerConfig{Listen: *listen, Remote: *remote, Token: auth.Token, Dir: filepath.Join(dir, "jetstream"),
			Refused: func(addr string) {
				fmt.Fprintf(stderr, "mtviz master: the server refused a client with a wrong key: %s\n", text.Clean(addr))
			}})
		if err != nil {
			return err
		}
		defer s.Close()
		serverURL = s.URL()
		if *remote {
			if h, _, _, _ := dist.SplitListen(*listen); h == "0.0.0.0" || h == "::" {
				name, _ := os.Hostname()
				serverURL = fmt.Sprintf("nats://%s:%d", name, s.Port())
			}
		}
		fmt.Fprintf(stdout, "NATS server with JetStream on %s (files in %s, removed at the end)\n", s.URL(), dir)
	}
	fmt.Fprintln(stdout, "Run workers, here or on another machine that can reach the server:")
	fmt.Fprintf(stdout, "  %s\n", workerCommand(serverURL, keyFile, auth, dist.Job(*job)))
	if *url == "" && *af.token == "" {
		fmt.Fprintf(stdout, "(the key file exists while this master runs; copy it to the other machine)\n")
	}
	nc, err := dist.ConnectRetry(ctx, serverURL, auth, "mtviz master", nil, func(err error, next time.Duration) {
		fmt.Fprintf(stderr, "mtviz master: %s; trying again in %v\n", text.Clean(err.Error()), next)
	})
	if errors.Is(err, dist.ErrRefused) || errors.Is(err, dist.ErrNotNATS) {
		return usagef("master: %v", err)
	}
	if err != nil {
		return err
	}
	defer nc.Close()
	cfg.Started = func(published, collected int64) {
		if published > 0 || collected > 0 {
			fmt.Fprintf(stdout, "job %s was begun: %d tasks published, %d results in; going on\n", *job, published, collected)
		}
		fmt.Fprintf(stdout, "publishing %d tasks, collecting their results...\n", *tasks)
	}
	var collected atomic.Int64
	cfg.Collected = func(id, sq int64, dup bool) {
		if !dup {
			collected.Add(1)
		}
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	progress := make(chan struct{})
	go func() {
		defer close(progress)
		for {
			select {
			case <-tick.C:
			case <-ctx.Done():
				return
			}
			fmt.Fprintf(stderr, "mtviz master: %d of %d results collected\n", collected.Load(), *tasks)
		}
	}()
	rep, err := dist.RunMaster(ctx, nc, cfg)
	interrupted := ctx.Err() != nil
	stop() // ends the progress lines too
	<-progress
	if err != nil {
		if interrupted {
			fmt.Fprintf(stderr, "mtviz master: stopped with %d of %d results collected\n", rep.Collected, rep.Tasks)
			return checkFailed{}
		}
		return err
	}
	printMaster(stdout, rep)
	return nil
}

// workerCommand is the exact command a worker runs.
func workerCommand(url, keyFile string, auth dist.Auth, job dist.Job) string {
	parts := []string{"mtviz", "worker", "--server", url}
	switch {
	case auth.NkeySeed != "":
		parts = append(parts, "--nkey-seed", shellQuote(auth.NkeySeed))
	case auth.CredsFile != "":
		parts = append(parts, "--creds", shellQuote(auth.CredsFile))
	case keyFile != "":
		parts = append(parts, "--token-file", shellQuote(keyFile))
	}
	if job != dist.DefaultJob {
		parts = append(parts, "--job", string(job))
	}
	return strings.Join(parts, " ")
}

// shellQuote quotes a path for a person to paste into a shell.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+:@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func printMaster(w io.Writer, rep dist.MasterReport) {
	fmt.Fprintf(w, "collected %d of %d results, each once by task id (%d duplicates ignored, %d wrong)\n", rep.Collected, rep.Tasks, rep.Duplicates, rep.Wrong)
	if rep.Resumed > 0 || rep.Replayed > 0 {
		fmt.Fprintf(w, "this master went on from %d tasks published and %d results collected before it\n", rep.Resumed, rep.Replayed)
	}
	if len(rep.Latencies) > 0 {
		fmt.Fprintf(w, "%d tasks published by this master; %.0f tasks/s; latency p50 %v, p99 %v\n", rep.Published,
			float64(rep.Collected-rep.Replayed)/rep.Elapsed.Seconds(), dist.Percentile(rep.Latencies, 50).Round(time.Microsecond),
			dist.Percentile(rep.Latencies, 99).Round(time.Microsecond))
	}
}

func cmdWorker(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	url := fs.String("server", "", "")
	job := fs.String("job", string(dist.DefaultJob), "")
	batch := fs.Int("batch", 256, "")
	pace := fs.Duration("pace", 0, "")
	af := addAuthFlags(fs)
	pos, err := parseFlags(fs, args, workerUsage, stdout)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("worker: takes no arguments, got %q", pos[0])
	}
	if *url == "" {
		return usagef("worker: --server URL is required (the master prints it)")
	}
	if *af.token == "" && *af.nkey == "" && *af.creds == "" {
		return usagef("worker: give the key: --token-file F (or --nkey-seed, --creds)")
	}
	if !dist.Job(*job).Valid() {
		return usagef("worker: --job: letters, digits, - and _ only")
	}
	if *batch < 1 || *batch > 65536 {
		return usagef("worker: --batch: from 1 to 65536")
	}
	if *pace < 0 {
		return usagef("worker: --pace: not negative")
	}
	auth, err := af.auth("worker")
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	name := fmt.Sprintf("mtviz worker %d", os.Getpid())
	nc, err := dist.ConnectRetry(ctx, *url, auth, name, nil, func(err error, next time.Duration) {
		fmt.Fprintf(stderr, "mtviz worker: %s; trying again in %v\n", text.Clean(err.Error()), next.Round(time.Millisecond))
	})
	if errors.Is(err, dist.ErrRefused) || errors.Is(err, dist.ErrNotNATS) {
		return usagef("worker: %v", err)
	}
	if err != nil {
		if ctx.Err() != nil {
			return checkFailed{}
		}
		return err
	}
	defer nc.Close()
	fmt.Fprintf(stdout, "worker %d: connected to %s\n", os.Getpid(), *url)
	rep, err := dist.RunWorker(ctx, nc, dist.WorkerConfig{Job: dist.Job(*job), Batch: *batch, Pace: *pace,
		Waiting: func() { fmt.Fprintf(stdout, "worker %d: waiting for a master to begin job %s\n", os.Getpid(), *job) }})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "worker %d: did %d tasks (%d results the server already had)\n", os.Getpid(), rep.Done, rep.Duplicates)
	if ctx.Err() != nil {
		return checkFailed{}
	}
	return nil
}
