// Package natsjob is the distributed master and workers of the chapter's last
// lesson, on NATS JetStream: a master publishes tasks (a number n) to a
// work queue and collects each result (n*n) once by task id; workers on
// this machine or others pull tasks, publish results and acknowledge.
// The queues live in a real messaging engine, embedded (StartServer) or
// external, so that a worker killed mid-task or a master restarted loses
// nothing. The package knows nothing of scenarios: the engine and the
// commands call it.
package natsjob

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// Job names one piece of work on a server: its task stream, its results
// stream and the small bucket where the master says how many tasks there
// are and when they are all done.
type Job string

// DefaultJob is the job the commands use unless told otherwise.
const DefaultJob Job = "squares"

// Valid reports whether a job name can name streams and subjects: letters,
// digits, dashes and underscores.
func (j Job) Valid() bool {
	if j == "" || len(j) > 64 {
		return false
	}
	for _, r := range j {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func (j Job) tasksStream() string   { return "mtviz-" + string(j) + "-tasks" }
func (j Job) resultsStream() string { return "mtviz-" + string(j) + "-results" }
func (j Job) tasksSubject() string  { return "mtviz." + string(j) + ".tasks" }
func (j Job) resultsSubject() string {
	return "mtviz." + string(j) + ".results"
}
func (j Job) bucket() string { return "mtviz-" + string(j) }

// collectSubject is where workers send results to the job's master.
func (j Job) collectSubject() string { return "mtviz." + string(j) + ".collect" }

// consumerName is the one durable consumer every worker of a job shares:
// the server hands each task to one of them at a time.
const consumerName = "workers"

// Auth is what a client presents: a token, an nkey seed file or a creds
// file (for an external server).
type Auth struct {
	Token     string
	NkeySeed  string // path of an nkey seed file
	CredsFile string // path of a .creds file
}

func (a Auth) options() ([]nats.Option, error) {
	var opts []nats.Option
	if a.Token != "" {
		opts = append(opts, nats.Token(a.Token))
	}
	if a.NkeySeed != "" {
		o, err := nats.NkeyOptionFromSeed(a.NkeySeed)
		if err != nil {
			return nil, fmt.Errorf("nkey seed %s: %w", a.NkeySeed, err)
		}
		opts = append(opts, o)
	}
	if a.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(a.CredsFile))
	}
	return opts, nil
}

// ErrRefused is a server's refusal of the key a client presented.
var ErrRefused = errors.New("the server refused the key")

// ErrNotNATS is a server that took the connection but did not greet it as
// a NATS server does (INFO, at once): an HTTP port, say. ConnectRetry gives
// up on it after notNATSTries tries in a row.
var ErrNotNATS = errors.New("not a NATS server")

const notNATSTries = 4

// Dialed is what Connect reports of the connection it made or tried: the
// client's own address, which the server names when it refuses a key.
type Dialed struct{ Local string }

// dialer records the local address of each connection it opens.
type dialer struct {
	d    net.Dialer
	seen *Dialed
}

func (d *dialer) Dial(network, address string) (net.Conn, error) {
	c, err := d.d.Dial(network, address)
	if err == nil && d.seen != nil {
		d.seen.Local = c.LocalAddr().String()
	}
	return c, err
}

// Connect connects once to url. A refused key is ErrRefused (wrapped), so
// that a caller can stop trying; any other error may pass with time.
func Connect(url string, auth Auth, name string, seen *Dialed, extra ...nats.Option) (*nats.Conn, error) {
	opts, err := auth.options()
	if err != nil {
		return nil, err
	}
	if seen == nil {
		seen = &Dialed{}
	}
	seen.Local = ""
	opts = append(opts, nats.Name(name), nats.Timeout(5*time.Second),
		nats.SetCustomDialer(&dialer{d: net.Dialer{Timeout: 5 * time.Second}, seen: seen}),
		// Keep trying while connected once: a server restarted, a network
		// blip. A key refused on reconnecting ends the connection.
		nats.MaxReconnects(-1), nats.ReconnectWait(250*time.Millisecond),
		nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}))
	opts = append(opts, extra...)
	nc, err := nats.Connect(url, opts...)
	if errors.Is(err, nats.ErrAuthorization) || err != nil && strings.Contains(strings.ToLower(err.Error()), "authorization violation") {
		return nil, fmt.Errorf("%w at %s: %v", ErrRefused, url, err)
	}
	var ne net.Error
	if errors.Is(err, nats.ErrNoInfoReceived) || err != nil && seen.Local != "" && errors.As(err, &ne) && ne.Timeout() {
		return nil, fmt.Errorf("%w: %s took the connection but did not greet it as NATS does (%v)", ErrNotNATS, url, err)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot reach %s: %w", url, err)
	}
	return nc, nil
}

// ConnectRetry connects, trying again with a growing pause while the
// server cannot be reached; a refused key ends it at once. say is told
// each failure and the pause before the next try.
func ConnectRetry(ctx context.Context, url string, auth Auth, name string, seen *Dialed, say func(err error, next time.Duration)) (*nats.Conn, error) {
	pause := 250 * time.Millisecond
	notNATS := 0
	for {
		nc, err := Connect(url, auth, name, seen)
		if err == nil || errors.Is(err, ErrRefused) {
			return nc, err
		}
		if notNATS++; !errors.Is(err, ErrNotNATS) {
			notNATS = 0
		}
		if notNATS >= notNATSTries {
			return nil, fmt.Errorf("%w (%d tries)", err, notNATS)
		}
		if say != nil {
			say(err, pause)
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(pause):
		}
		pause = min(2*pause, 10*time.Second)
	}
}

// A task message holds one task, its number n in decimal, or a run of
// them, "first-last"; a result message holds one line "id square" per
// task. Both come from the network, so they are parsed strictly.

// maxTaskID bounds a task's number: its square must fit in an int64.
const maxTaskID = 3_000_000_000

// MaxPerMessage bounds how many tasks one message carries.
const MaxPerMessage = 1024

func formatTasks(first, last int64) []byte {
	b := strconv.AppendInt(make([]byte, 0, 24), first, 10)
	if last != first {
		b = append(b, '-')
		b = strconv.AppendInt(b, last, 10)
	}
	return b
}

// ParseTasks reads a task message: the first and last task it holds.
func ParseTasks(b []byte) (first, last int64, err error) {
	i := -1
	for k, c := range b {
		if c == '-' {
			i = k
			break
		}
	}
	if i < 0 {
		n, err := ParseTask(b)
		return n, n, err
	}
	if first, err = ParseTask(b[:i]); err != nil {
		return 0, 0, err
	}
	if last, err = ParseTask(b[i+1:]); err != nil {
		return 0, 0, err
	}
	if last <= first || last-first >= MaxPerMessage {
		return 0, 0, fmt.Errorf("a task run of the wrong size: %q", b)
	}
	return first, last, nil
}

// ParseTask reads one task number.
func ParseTask(b []byte) (int64, error) {
	if len(b) == 0 || len(b) > 10 {
		return 0, fmt.Errorf("a task number of %d bytes", len(b))
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, errors.New("a task number that is not a number")
		}
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || n < 1 || n > maxTaskID {
		return 0, fmt.Errorf("a task number out of range: %q", b)
	}
	return n, nil
}

func appendResult(b []byte, id, sq int64) []byte {
	if len(b) > 0 {
		b = append(b, '\n')
	}
	b = strconv.AppendInt(b, id, 10)
	b = append(b, ' ')
	return strconv.AppendInt(b, sq, 10)
}

func formatResult(id, sq int64) []byte { return appendResult(make([]byte, 0, 24), id, sq) }

// ParseResults reads a result message, line by line, and says how many
// lines were not results.
func ParseResults(b []byte, each func(id, sq int64)) (bad int) {
	for len(b) > 0 {
		line := b
		if i := bytesIndex(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		id, sq, err := ParseResult(line)
		if err != nil {
			bad++
			continue
		}
		each(id, sq)
	}
	return bad
}

func bytesIndex(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// ParseResult reads one result line: the task's id and its square.
func ParseResult(b []byte) (id, sq int64, err error) {
	sp := -1
	for i, c := range b {
		if c == ' ' {
			if sp >= 0 {
				return 0, 0, errors.New("a result with more than two fields")
			}
			sp = i
		}
	}
	if sp < 0 {
		return 0, 0, errors.New("a result without a square")
	}
	if id, err = ParseTask(b[:sp]); err != nil {
		return 0, 0, err
	}
	rest := b[sp+1:]
	if len(rest) == 0 || len(rest) > 19 {
		return 0, 0, errors.New("a result square of the wrong size")
	}
	for _, c := range rest {
		if c < '0' || c > '9' {
			return 0, 0, errors.New("a result square that is not a number")
		}
	}
	sq, err = strconv.ParseInt(string(rest), 10, 64)
	if err != nil {
		return 0, 0, errors.New("a result square out of range")
	}
	return id, sq, nil
}

// maxTokenFile bounds what is read of a key file.
const maxTokenFile = 4096

// ReadToken reads a key from a file: a regular file of at most 4 KiB,
// whose first line, trimmed, is the key.
func ReadToken(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file", path)
	}
	if st.Size() > maxTokenFile {
		return "", fmt.Errorf("%s is larger than %d bytes: not a key file", path, maxTokenFile)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return ParseToken(b)
}

// ParseToken takes a key file's first line, trimmed. A key is printable
// ASCII without spaces, at least 8 characters long.
func ParseToken(b []byte) (string, error) {
	if len(b) > maxTokenFile {
		return "", errors.New("a key file too large")
	}
	line, _, _ := strings.Cut(string(b), "\n")
	tok := strings.TrimSpace(line)
	if len(tok) < 8 {
		return "", errors.New("a key shorter than 8 characters")
	}
	for _, r := range tok {
		if r <= ' ' || r > '~' {
			return "", errors.New("a key with a character other than printable ASCII")
		}
	}
	return tok, nil
}
