package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"

	"mtviz/internal/engine"
	"mtviz/internal/lesson"
	"mtviz/internal/natsjob"
	"mtviz/internal/report"
	"mtviz/internal/text"
)

const masterUsage = `Usage: mtviz master [flags]

Starts a NATS server with JetStream inside mtviz (or uses one given with
--nats) and a master that publishes N tasks, the numbers 1..N, to a work
queue, and collects each result, n*n, once by task id. It prints the
command a worker runs, on this machine or another. Workers pull tasks; a
task a worker does not acknowledge (it was killed, say) goes to another.
A master killed and started again with the same job goes on where it
stopped: it publishes every task that has no result and collects the
rest. With its own server it keeps the job in the user's state directory
(` + "`$XDG_STATE_HOME/mtviz/jobs/JOB`" + `, by default ~/.local/state), with its key
and port, until the job is done. One master holds a job at a time: a
second one refuses, naming the first.

Flags:
{{flags}}

Exit codes: 0 every result collected, 1 stopped before that (a signal, a
server that refuses to store more, a deleted job, a job another master
holds), 2 bad usage or a refused key.
`

const workerUsage = `Usage: mtviz worker --server URL --token-file F [flags]

Joins a master's job: pulls tasks from the server, sends each batch's
results to the master, and acknowledges the tasks once the master has
recorded them. It ends when the master says the job is done (exit 0). It
rides out a server restarted, a network cut, a master gone for a while,
saying so; it stops with exit 1 on a signal, a job deleted before it was
done, or no server for --give-up. A server it cannot reach at first is
tried again, with a growing pause; a key the server refuses ends it with
exit code 2.

Flags:
{{flags}}
`

const benchUsage = `Usage: mtviz bench distributed [--workers N] [--tasks N] [--per-message N] [--json] [--memory]

Measures the distributed lesson's design on this machine: an embedded NATS
server, a master in mtviz and N worker processes (mtviz worker); tasks per
second from each task's publication to its result being recorded, the
latency percentiles of that, and that every task was acknowledged and has
exactly one result. Then, in the same command and on the same server, the
floor it is compared with: one client publishing as many messages to a
stream and getting the server's acknowledgement of each (raw publish).

Flags:
{{flags}}
`

// authFlags are the ways a client proves itself.
type authFlags struct{ token, nkey, creds *string }

func addAuthFlags(fs *flag.FlagSet, key string) authFlags {
	return authFlags{
		fs.String("token-file", "", key),
		fs.String("nkey-seed", "", "instead of a key: read an nkey seed from `FILE`"),
		fs.String("creds", "", "instead of a key: read credentials (a JWT and its nkey seed) from `FILE`")}
}

func (a authFlags) auth(cmd string) (natsjob.Auth, error) {
	var au natsjob.Auth
	n := 0
	if *a.token != "" {
		tok, err := natsjob.ReadToken(*a.token)
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

// urlsFlag is a flag given as many times as there are URLs.
type urlsFlag []string

func (u *urlsFlag) String() string { return strings.Join(*u, ",") }
func (u *urlsFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*u = append(*u, p)
		}
	}
	return nil
}

// masterFlags are master's flags.
type masterFlags struct {
	tasks          int64
	listen         string
	remote         bool
	urls           urlsFlag
	job            string
	memory, keep   bool
	ackWait        time.Duration
	per, replicas  int
	asJSON         bool
	listenExplicit bool
	af             authFlags
}

func parseMaster(args []string, stdout io.Writer) (*masterFlags, error) {
	f := &masterFlags{}
	fs := flag.NewFlagSet("master", flag.ContinueOnError)
	fs.Int64Var(&f.tasks, "tasks", 10000, "how many tasks, `N`")
	fs.StringVar(&f.listen, "listen", "127.0.0.1:0", "where the embedded server listens, `ADDR` (default 127.0.0.1 and the job's port from last time, or a free one)")
	fs.BoolVar(&f.remote, "allow-remote", false, "let --listen take an address other than loopback; every client must still present the key")
	fs.Var(&f.urls, "nats", "use the NATS server or cluster at `URL` (JetStream on) instead of starting one; give it again for more of the cluster's servers; with --token-file, --nkey-seed or --creds")
	fs.StringVar(&f.job, "job", string(natsjob.DefaultJob), "the job's `NAME` on the server")
	fs.BoolVar(&f.memory, "memory", false, "keep the job's streams in memory instead of files")
	fs.DurationVar(&f.ackWait, "ack-wait", 2*time.Second, "how long `D` a worker may hold a task before the server hands it to another")
	fs.BoolVar(&f.keep, "keep", false, "leave the job on the server when it is done")
	fs.IntVar(&f.per, "per-message", 1, "`N` tasks one message carries; the server's work is per message, so more per message is faster")
	fs.IntVar(&f.replicas, "replicas", 0, "`N` copies of each of the job's streams (default 3 on a cluster, 1 on one server); an existing stream with more is refused")
	fs.BoolVar(&f.asJSON, "json", false, "end with one JSON line: the job as the server holds it")
	f.af = addAuthFlags(fs, "the key every client must present, read from `FILE` (default: the job's key from last time, or a new random one in a private file)")
	pos, err := parseFlags(fs, args, masterUsage, stdout)
	if err != nil {
		return nil, err
	}
	fs.Visit(func(fl *flag.Flag) { f.listenExplicit = f.listenExplicit || fl.Name == "listen" })
	switch {
	case len(pos) > 0:
		return nil, usagef("master: takes no arguments, got %q", pos[0])
	case f.tasks < 1 || f.tasks > natsjob.MaxTasks:
		return nil, usagef("master: --tasks: from 1 to %d", natsjob.MaxTasks)
	case !natsjob.Job(f.job).Valid():
		return nil, usagef("master: --job: letters, digits, - and _ only")
	case f.per < 1 || f.per > natsjob.MaxPerMessage:
		return nil, usagef("master: --per-message: from 1 to %d", natsjob.MaxPerMessage)
	case f.ackWait < 100*time.Millisecond:
		return nil, usagef("master: --ack-wait: at least 100ms")
	case f.replicas < 0 || f.replicas > 5:
		return nil, usagef("master: --replicas: from 1 to 5")
	}
	return f, nil
}

// sayer writes warnings to stderr, at most one a second, counting the
// rest.
func sayer(stderr io.Writer, who string) func(string) {
	var mu sync.Mutex
	var last time.Time
	skipped := 0
	return func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		if time.Since(last) < time.Second {
			skipped++
			return
		}
		more := ""
		if skipped > 0 {
			more = fmt.Sprintf(" (and %d more like it)", skipped)
		}
		last, skipped = time.Now(), 0
		fmt.Fprintf(stderr, "mtviz %s: %s%s\n", who, msg, more)
	}
}

// ownServer starts the master's own server, its files and key in the
// job's state directory; the port is the job's from last time unless
// --listen says otherwise.
func ownServer(f *masterFlags, auth *natsjob.Auth, stdout, stderr io.Writer) (*natsjob.Server, *natsjob.StateDir, string, error) {
	if auth.NkeySeed != "" || auth.CredsFile != "" {
		return nil, nil, "", usagef("master: --nkey-seed and --creds are for --nats; the embedded server takes --token-file")
	}
	if _, _, loop, err := natsjob.SplitListen(f.listen); err != nil {
		return nil, nil, "", usagef("master: --listen: %v", err)
	} else if !loop && !f.remote {
		return nil, nil, "", usagef("master: --listen %s is not a loopback address: other machines could connect; add --allow-remote to mean it (the key is still required)", f.listen)
	}
	sd, err := natsjob.OpenStateDir(natsjob.Job(f.job))
	if err != nil {
		return nil, nil, "", err
	}
	keyFile := *f.af.token
	if auth.Token == "" {
		keyFile = filepath.Join(sd.Path, "key")
		tok, err := natsjob.ReadToken(keyFile)
		if err != nil {
			tok = natsjob.NewToken()
			if err := os.WriteFile(keyFile, []byte(tok+"\n"), 0o600); err != nil {
				sd.Close()
				return nil, nil, "", err
			}
		}
		auth.Token = tok
	}
	cfg := natsjob.ServerConfig{Listen: f.listen, Remote: f.remote, Token: auth.Token, Dir: filepath.Join(sd.Path, "jetstream"),
		Refused: func(addr string) {
			fmt.Fprintf(stderr, "mtviz master: the server refused a client with a wrong key: %s\n", text.Clean(addr))
		},
		Warn: sayer(stderr, "master: nats server")}
	var s *natsjob.Server
	if p := sd.Port(); p > 0 && !f.listenExplicit {
		cfg.Listen = net.JoinHostPort("127.0.0.1", strconv.Itoa(p))
		s, err = natsjob.StartServer(cfg)
		cfg.Listen = f.listen
	}
	if s == nil {
		s, err = natsjob.StartServer(cfg)
	}
	if err != nil {
		sd.Close()
		return nil, nil, "", err
	}
	sd.SetPort(s.Port())
	fmt.Fprintf(stdout, "NATS server with JetStream on %s (files in %s, kept until the job is done)\n", s.URL(), sd.Path)
	return s, sd, keyFile, nil
}

func cmdMaster(args []string, stdout, stderr io.Writer) error {
	f, err := parseMaster(args, stdout)
	if err != nil {
		return err
	}
	auth, err := f.af.auth("master")
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	serverURL, keyFile := strings.Join(f.urls, ","), *f.af.token
	var sd *natsjob.StateDir
	removeDir := false
	if len(f.urls) == 0 {
		var s *natsjob.Server
		s, sd, keyFile, err = ownServer(f, &auth, stdout, stderr)
		if err != nil {
			return err
		}
		// The server stops before its files go (with a job done).
		defer func() {
			s.Close()
			if removeDir {
				sd.Remove()
			} else {
				sd.Close()
			}
		}()
		serverURL = s.URL()
		if f.remote {
			if h, _, _, _ := natsjob.SplitListen(f.listen); h == "0.0.0.0" || h == "::" {
				name, _ := os.Hostname()
				serverURL = fmt.Sprintf("nats://%s:%d", name, s.Port())
			}
		}
	}
	fmt.Fprintln(stdout, "Run workers, here or on another machine that can reach the server:")
	fmt.Fprintf(stdout, "  %s\n", workerCommand(serverURL, keyFile, auth, natsjob.Job(f.job)))
	nc, err := natsjob.ConnectRetry(ctx, serverURL, auth, "mtviz master", nil, func(err error, next time.Duration) {
		fmt.Fprintf(stderr, "mtviz master: %s; trying again in %v\n", text.Clean(err.Error()), next)
	})
	if errors.Is(err, natsjob.ErrRefused) || errors.Is(err, natsjob.ErrNotNATS) {
		return usagef("master: %v", err)
	}
	if err != nil {
		return interrupted(ctx, err)
	}
	defer nc.Close()
	rep, err := runMaster(ctx, nc, f, stdout, stderr)
	done := err == nil
	if done {
		printMaster(stdout, rep)
	}
	if f.asJSON {
		// The last line, however the master ends.
		json.NewEncoder(stdout).Encode(jobLine(rep, done))
	}
	if !done {
		if sd != nil {
			fmt.Fprintf(stderr, "mtviz master: the job's files stay in %s: 'mtviz master --job %s' goes on from there\n", sd.Path, f.job)
		}
		if ctx.Err() != nil {
			fmt.Fprintf(stderr, "mtviz master: stopped with %d of %d results collected\n", rep.Collected, rep.Tasks)
			return checkFailed{}
		}
		return err
	}
	removeDir = sd != nil && !f.keep
	return nil
}

// interrupted is err, or a plain stop when a signal came first.
func interrupted(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return checkFailed{}
	}
	return err
}

// runMaster runs the master with its progress lines.
func runMaster(ctx context.Context, nc *nats.Conn, f *masterFlags, stdout, stderr io.Writer) (natsjob.MasterReport, error) {
	cfg := natsjob.MasterConfig{Job: natsjob.Job(f.job), Tasks: f.tasks, Memory: f.memory, AckWait: f.ackWait, Keep: f.keep,
		PerMessage: f.per, Replicas: f.replicas, Warn: sayer(stderr, "master")}
	cfg.Started = func(published, collected int64) {
		if published > 0 || collected > 0 {
			fmt.Fprintf(stdout, "job %s was begun: %d tasks published, %d results in; going on\n", f.job, published, collected)
		}
		fmt.Fprintf(stdout, "publishing %d tasks, collecting their results...\n", f.tasks)
	}
	var collected atomic.Int64
	cfg.Collected = func(id, sq int64, dup bool) {
		if !dup {
			collected.Add(1)
		}
	}
	pctx, stopProgress := context.WithCancel(ctx)
	progress := make(chan struct{})
	go func() {
		defer close(progress)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
			case <-pctx.Done():
				return
			}
			fmt.Fprintf(stderr, "mtviz master: %d of %d results collected\n", collected.Load(), f.tasks)
		}
	}()
	rep, err := natsjob.RunMaster(ctx, nc, cfg)
	stopProgress()
	<-progress
	return rep, err
}

// jobLine is master --json's last line (report.JobLine): the job as the
// server holds it when it is done (read back), or as the master counted it
// when stopped.
func jobLine(rep natsjob.MasterReport, done bool) report.JobLine {
	j := report.JobLine{Type: report.KindJob, Tasks: rep.Tasks, Collected: rep.Collected, Missing: rep.Tasks - rep.Collected, Wrong: rep.Wrong,
		Duplicates: rep.Duplicates, Replicas: rep.Replicas, Resumed: rep.Replayed, Seconds: rep.Elapsed.Seconds(), Done: done, Sum: rep.Sum.Big()}
	if r := rep.Record; r != nil {
		j.ReadBack = true
		j.Collected, j.Missing, j.CountedTwice, j.Sum = r.Recorded, r.NMissing, r.NTwice, r.Sum.Big()
		j.Wrong += r.NWrong
	}
	return j
}

// workerCommand is the exact command a worker runs.
func workerCommand(url, keyFile string, auth natsjob.Auth, job natsjob.Job) string {
	parts := []string{"mtviz", "worker", "--server", url}
	switch {
	case auth.NkeySeed != "":
		parts = append(parts, "--nkey-seed", shellQuote(auth.NkeySeed))
	case auth.CredsFile != "":
		parts = append(parts, "--creds", shellQuote(auth.CredsFile))
	case keyFile != "":
		parts = append(parts, "--token-file", shellQuote(keyFile))
	}
	if job != natsjob.DefaultJob {
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

func printMaster(w io.Writer, rep natsjob.MasterReport) {
	fmt.Fprintf(w, "collected %d of %d results, each once by task id (%d duplicates ignored, %d wrong)\n", rep.Collected, rep.Tasks, rep.Duplicates, rep.Wrong)
	if rep.Resumed > 0 || rep.Replayed > 0 {
		fmt.Fprintf(w, "this master went on from %d tasks published and %d results collected before it\n", rep.Resumed, rep.Replayed)
	}
	if len(rep.Latencies) > 0 {
		fmt.Fprintf(w, "%d tasks published by this master; %.0f tasks/s; latency p50 %v, p99 %v\n", rep.Published,
			float64(rep.Collected-rep.Replayed)/rep.Elapsed.Seconds(), natsjob.Percentile(rep.Latencies, 50).Round(time.Microsecond),
			natsjob.Percentile(rep.Latencies, 99).Round(time.Microsecond))
	}
}

func cmdWorker(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	var urls urlsFlag
	fs.Var(&urls, "server", "the NATS server at `URL`, as 'mtviz master' printed it; give it again for more of a cluster's servers")
	job := fs.String("job", string(natsjob.DefaultJob), "the job's `NAME`")
	batch := fs.Int("batch", 256, "`N` tasks pulled ahead of the work")
	pace := fs.Duration("pace", 0, "how long `D` each task takes, to watch it")
	giveUp := fs.Duration("give-up", 2*time.Minute, "stop after `D` without a server")
	af := addAuthFlags(fs, "read the key the server asks for from `FILE`, as 'mtviz master' printed it")
	pos, err := parseFlags(fs, args, workerUsage, stdout)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usagef("worker: takes no arguments, got %q", pos[0])
	case len(urls) == 0:
		return usagef("worker: --server URL is required (the master prints it)")
	case *af.token == "" && *af.nkey == "" && *af.creds == "":
		return usagef("worker: give the key: --token-file F (or --nkey-seed, --creds)")
	case !natsjob.Job(*job).Valid():
		return usagef("worker: --job: letters, digits, - and _ only")
	case *batch < 1 || *batch > 65536:
		return usagef("worker: --batch: from 1 to 65536")
	case *pace < 0:
		return usagef("worker: --pace: not negative")
	case *giveUp < time.Second:
		return usagef("worker: --give-up: at least 1s")
	}
	auth, err := af.auth("worker")
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	url := urls.String()
	name := fmt.Sprintf("mtviz worker %d", os.Getpid())
	nc, err := natsjob.ConnectRetry(ctx, url, auth, name, nil, func(err error, next time.Duration) {
		fmt.Fprintf(stderr, "mtviz worker: %s; trying again in %v\n", text.Clean(err.Error()), next.Round(time.Millisecond))
	})
	if errors.Is(err, natsjob.ErrRefused) || errors.Is(err, natsjob.ErrNotNATS) {
		return usagef("worker: %v", err)
	}
	if err != nil {
		return interrupted(ctx, err)
	}
	defer nc.Close()
	fmt.Fprintf(stdout, "worker %d: connected to %s\n", os.Getpid(), url)
	rep, err := natsjob.RunWorker(ctx, nc, natsjob.WorkerConfig{Job: natsjob.Job(*job), Batch: *batch, Pace: *pace, GiveUp: *giveUp,
		Waiting: func() { fmt.Fprintf(stdout, "worker %d: waiting for a master to begin job %s\n", os.Getpid(), *job) },
		Warn:    sayer(stderr, "worker")})
	fmt.Fprintf(stdout, "worker %d: did %d tasks (%d results the master already had)\n", os.Getpid(), rep.Done, rep.Duplicates)
	if err != nil {
		return interrupted(ctx, err)
	}
	return nil
}

// runNATS are run's flags for a lesson's broker on a server of the
// user's: 'mtviz run distributed --nats URL'.
type runNATS struct {
	urls     urlsFlag
	af       authFlags
	replicas *int
}

func addRunNATSFlags(fs *flag.FlagSet) *runNATS {
	r := &runNATS{af: addAuthFlags(fs, "with --nats: read the key from `FILE`"), replicas: fs.Int("replicas", 0, "with --nats: `N` copies of each of the lesson's streams (default 3 on a cluster, 1 on one server)")}
	fs.Var(&r.urls, "nats", "a lesson with a broker (distributed): use the NATS server or cluster at `URL` instead of starting one; again for more of its servers; with --token-file, --nkey-seed or --creds")
	return r
}

// apply makes the run's brokers use the server given, if one is.
func (r *runNATS) apply(sc *lesson.Scenario) error {
	if len(r.urls) == 0 {
		if *r.af.token != "" || *r.af.nkey != "" || *r.af.creds != "" || *r.replicas != 0 {
			return usagef("run: --token-file, --nkey-seed, --creds and --replicas go with --nats URL")
		}
		return nil
	}
	if *r.replicas < 0 || *r.replicas > 5 {
		return usagef("run: --replicas: from 1 to 5")
	}
	hasBroker := false
	for _, o := range sc.Objects {
		hasBroker = hasBroker || o.Kind == lesson.Broker
	}
	if !hasBroker {
		return usagef("run: --nats is for lessons with a broker (distributed); %s has none", sc.ID)
	}
	auth, err := r.af.auth("run")
	if err != nil {
		return err
	}
	engine.UseExternalBroker(&engine.ExternalBroker{URL: r.urls.String(), Auth: auth, Replicas: *r.replicas})
	return nil
}
