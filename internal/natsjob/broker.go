package natsjob

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"sync"
)

// BrokerCommand is the hidden subcommand under which mtviz runs an
// embedded server in a process of its own: a lesson's broker, or the
// external server of a test.
const BrokerCommand = "__broker"

// BrokerConfig is the first line a broker process reads on its stdin.
// The key travels there, not on the command line, where other users of
// the machine could read it.
type BrokerConfig struct {
	Token  string `json:"token"`
	Dir    string `json:"dir"`
	Listen string `json:"listen,omitempty"`
}

// BrokerLine is one line a broker process writes on its stdout: its URL
// once it takes clients, then the address of each client it refused.
type BrokerLine struct {
	URL     string `json:"url,omitempty"`
	Refused string `json:"refused,omitempty"`
}

// maxBrokerLine bounds a line either way.
const maxBrokerLine = 4096

// ParseBrokerLine reads a broker's line: exactly one of a nats:// URL on
// a loopback address or a client address.
func ParseBrokerLine(b []byte) (BrokerLine, error) {
	var l BrokerLine
	if len(b) > maxBrokerLine {
		return l, errors.New("a broker line too long")
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return BrokerLine{}, fmt.Errorf("a broker line that is not one: %v", err)
	}
	if dec.More() {
		return BrokerLine{}, errors.New("a broker line with more after it")
	}
	switch {
	case l.URL != "" && l.Refused == "":
		hostport, ok := strings.CutPrefix(l.URL, "nats://")
		ap, err := netip.ParseAddrPort(hostport)
		if !ok || err != nil || !ap.Addr().IsLoopback() || ap.Port() == 0 {
			return BrokerLine{}, fmt.Errorf("a broker URL not on loopback: %q", l.URL)
		}
	case l.Refused != "" && l.URL == "":
		if _, err := netip.ParseAddrPort(l.Refused); err != nil {
			return BrokerLine{}, fmt.Errorf("a refused client that is not an address: %q", l.Refused)
		}
	default:
		return BrokerLine{}, errors.New("a broker line that says neither its URL nor a refusal")
	}
	return l, nil
}

// RunBroker is the body of a broker process: it reads its config, serves
// until its stdin ends (its owner closed it, or died), then stops the
// server. The directory is its owner's to remove.
func RunBroker(stdin io.Reader, stdout io.Writer) int {
	br := bufio.NewReaderSize(stdin, maxBrokerLine)
	line, err := br.ReadSlice('\n')
	var cfg BrokerConfig
	if err == nil {
		err = json.Unmarshal(line, &cfg)
	}
	if err != nil {
		fmt.Fprintln(stdout, `{"error":"no config"}`)
		return 2
	}
	var mu sync.Mutex
	enc := json.NewEncoder(stdout)
	say := func(l BrokerLine) {
		mu.Lock()
		enc.Encode(l)
		mu.Unlock()
	}
	s, err := StartServer(ServerConfig{Listen: cfg.Listen, Token: cfg.Token, Dir: cfg.Dir,
		Refused: func(addr string) { say(BrokerLine{Refused: addr}) },
		Warn:    func(line string) { fmt.Fprintln(os.Stderr, "nats server:", line) }})
	if err != nil {
		fmt.Fprintln(stdout, err)
		return 1
	}
	say(BrokerLine{URL: s.URL()})
	io.Copy(io.Discard, br)
	s.Close()
	return 0
}
