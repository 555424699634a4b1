package natsjob

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// ServerConfig is an embedded NATS server with JetStream.
type ServerConfig struct {
	// Listen is host:port; port 0 picks a free one. Only a loopback host
	// is allowed unless Remote is set.
	Listen string
	Remote bool
	// Token is the key every client must present (required).
	Token string
	// Dir holds JetStream's files; the caller owns and removes it.
	Dir string
	// Refused is told each connection the server refused for a wrong key:
	// the client's address as the server saw it.
	Refused func(addr string)
	// Warn is told the server's warnings and errors (a stream it could not
	// create, say), other than refused keys.
	Warn func(line string)
	// Name is the server's name, unique in a cluster (default "mtviz").
	Name string
	// Cluster, when set, makes the server one node of a cluster.
	Cluster *ClusterConfig
	// MaxStore bounds JetStream's files (default 1 GiB).
	MaxStore int64
}

// ClusterConfig is a node's place in a cluster: where it listens for its
// peers and where they are. Routes present the server's key too.
type ClusterConfig struct {
	Name   string
	Listen string   // host:port for the other nodes (loopback unless Remote)
	Routes []string // host:port of the other nodes
}

// Server is a running embedded server.
type Server struct {
	s   *server.Server
	url string
}

// NewToken makes a random key.
func NewToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// SplitListen reads host:port and says whether the host is a loopback
// address. The host must be an IP address or "localhost".
func SplitListen(addr string) (host string, port int, loopback bool, err error) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, false, fmt.Errorf("listen address %q: %v", addr, err)
	}
	port, err = strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, false, fmt.Errorf("listen address %q: a port from 0 to 65535 is needed", addr)
	}
	if h == "localhost" {
		return "127.0.0.1", port, true, nil
	}
	ip, err := netip.ParseAddr(h)
	if err != nil {
		return "", 0, false, fmt.Errorf("listen address %q: give an IP address (or localhost), not a name", addr)
	}
	return ip.String(), port, ip.IsLoopback(), nil
}

// StartServer starts an embedded server and waits until it takes clients.
func StartServer(cfg ServerConfig) (*Server, error) {
	if cfg.Token == "" {
		return nil, errors.New("a server needs a key")
	}
	if cfg.Dir == "" {
		return nil, errors.New("a server needs a directory of its own for JetStream")
	}
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	host, port, loop, err := SplitListen(cfg.Listen)
	if err != nil {
		return nil, err
	}
	if !loop && !cfg.Remote {
		return nil, fmt.Errorf("%s is not a loopback address: other machines could connect; say so explicitly to allow it", cfg.Listen)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	if cfg.Name == "" {
		cfg.Name = "mtviz"
	}
	if cfg.MaxStore <= 0 {
		cfg.MaxStore = 1 << 30
	}
	opts := &server.Options{
		ServerName: cfg.Name,
		Host:       host,
		Port:       port,
		// mtviz handles its own signals; the server must not install
		// handlers that would end mtviz.
		NoSigs:             true,
		Authorization:      cfg.Token,
		JetStream:          true,
		StoreDir:           cfg.Dir,
		JetStreamMaxMemory: 256 << 20,
		JetStreamMaxStore:  cfg.MaxStore,
		MaxPayload:         64 << 10,
	}
	if cfg.Cluster != nil {
		if err := clusterOptions(opts, cfg); err != nil {
			return nil, err
		}
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("start the NATS server: %w", err)
	}
	s.SetLoggerV2(&refusals{say: cfg.Refused, warn: cfg.Warn}, false, false, false)
	s.Start()
	// A busy machine, a cluster node recovering its streams: be patient.
	if !s.ReadyForConnections(30 * time.Second) {
		s.Shutdown()
		s.WaitForShutdown()
		return nil, errors.New("the NATS server did not start within 30 s")
	}
	addr := s.Addr().(*net.TCPAddr)
	h := host
	if ip, _ := netip.ParseAddr(h); ip.IsUnspecified() {
		h = "127.0.0.1"
	}
	return &Server{s: s, url: "nats://" + net.JoinHostPort(h, strconv.Itoa(addr.Port))}, nil
}

// clusterOptions sets a node's cluster: its routes listen on a loopback
// address unless Remote, and every route presents the key.
func clusterOptions(opts *server.Options, cfg ServerConfig) error {
	c := cfg.Cluster
	host, port, loop, err := SplitListen(c.Listen)
	if err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	if !loop && !cfg.Remote {
		return fmt.Errorf("cluster: %s is not a loopback address: other machines could connect; say so explicitly to allow it", c.Listen)
	}
	opts.Cluster = server.ClusterOpts{Name: c.Name, Host: host, Port: port, Username: "mtviz", Password: cfg.Token}
	for _, r := range c.Routes {
		if _, _, _, err := SplitListen(r); err != nil {
			return fmt.Errorf("cluster route: %w", err)
		}
		opts.Routes = append(opts.Routes, &url.URL{Scheme: "nats-route", User: url.UserPassword("mtviz", cfg.Token), Host: r})
	}
	return nil
}

// URL is where clients on this machine connect.
func (s *Server) URL() string { return s.url }

// Port is the port the server listens on.
func (s *Server) Port() int { return s.s.Addr().(*net.TCPAddr).Port }

// Close stops the server and waits until it has stopped.
func (s *Server) Close() {
	s.s.Shutdown()
	s.s.WaitForShutdown()
}

// refusals is the server's logger: it hands on the refusal of a key, with
// the client's address (the server writes that line as "ADDR - cid:N -
// authentication error"), and warnings and errors; notices and debugging
// go nowhere.
type refusals struct {
	say  func(addr string)
	warn func(line string)
}

func (r *refusals) Errorf(format string, v ...any) {
	line := fmt.Sprintf(format, v...)
	if addr, ok := RefusedAddr(line); ok {
		if r.say != nil {
			r.say(addr)
		}
		return
	}
	if r.warn != nil {
		r.warn(line)
	}
}

func (r *refusals) Warnf(format string, v ...any) {
	if r.warn != nil {
		r.warn(fmt.Sprintf(format, v...))
	}
}

// RefusedAddr finds the client's address in the server's log line about a
// refused key.
func RefusedAddr(line string) (string, bool) {
	if !strings.Contains(line, server.ErrAuthentication.Error()) {
		return "", false
	}
	addr, _, ok := strings.Cut(line, " - ")
	if !ok {
		return "", false
	}
	if _, err := netip.ParseAddrPort(addr); err != nil {
		return "", false
	}
	return addr, true
}

func (r *refusals) Noticef(string, ...any) {}

// Fatalf is what stops the server from starting (a port taken): it is
// said, as a warning, for the caller's error to explain.
func (r *refusals) Fatalf(format string, v ...any) {
	if r.warn != nil {
		r.warn(fmt.Sprintf(format, v...))
	}
}

func (r *refusals) Debugf(string, ...any) {}
func (r *refusals) Tracef(string, ...any) {}
