package engine

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"sync"

	"mtviz/internal/lesson"

	evt "mtviz/internal/event"
)

// wire is one message between mtviz and a child process, one JSON object a
// line over a Unix socket. Only the fields of its kind are set.
type wire struct {
	Hello  *hello     `json:"hello,omitempty"`  // child → mtviz, first
	Assign *assign    `json:"assign,omitempty"` // mtviz → child, the answer
	Events []evt.Wire `json:"events,omitempty"` // child → mtviz, in their flat form
	Put    *queueOp   `json:"put,omitempty"`    // child → mtviz
	Get    *queueOp   `json:"get,omitempty"`    // child → mtviz; answered by Value
	Value  *queueOp   `json:"value,omitempty"`  // mtviz → child
	Kill   *killOp    `json:"kill,omitempty"`   // child → mtviz
	Await  *awaitOp   `json:"await,omitempty"`  // child → mtviz: say when a task is gone
	Gone   *awaitOp   `json:"gone,omitempty"`   // mtviz → child
	Cmd    string     `json:"cmd,omitempty"`    // mtviz → child: pause, resume, stop
	Key    string     `json:"key,omitempty"`    // mtviz → child: a key the learner pressed
	Bye    *bye       `json:"bye,omitempty"`    // child → mtviz, last
}

type hello struct {
	Token string `json:"token"`
	Task  string `json:"task"`
	Round int    `json:"round"`
	PID   int    `json:"pid"`
	PPID  int    `json:"ppid"`
	// GoMaxProcs is the child's runtime.GOMAXPROCS when it says hello.
	GoMaxProcs int `json:"gomaxprocs"`
}

type assign struct {
	// Scenario is the scenario as mtviz loaded and checked it: a child
	// does not parse it again.
	Scenario *lesson.Scenario `json:"scenario"`
	Task     string           `json:"task"`
	Round    int              `json:"round"`
	Cores    int              `json:"cores"`
	AutoKeys bool             `json:"auto_keys"`
	Start    int64            `json:"start"` // the run's time zero, Unix nanoseconds
	Paused   bool             `json:"paused"`
	// Servers is where each server object of the run listens.
	Servers map[string]string `json:"servers,omitempty"`
	// Brokers is each broker's address and key.
	Brokers map[string]brokerInfo `json:"brokers,omitempty"`
}

type queueOp struct {
	ID    int64  `json:"id"`
	Queue string `json:"queue"`
	Task  string `json:"task"`
	Value string `json:"value"`
	OK    bool   `json:"ok"`
}

type killOp struct {
	Task   string `json:"task"`
	Signal string `json:"signal"`
	By     string `json:"by"`
}

type awaitOp struct {
	ID   int64  `json:"id"`
	Task string `json:"task"`
}

type bye struct {
	Code int `json:"code"`
}

// peer is one end of a connection: writes are serialised, reads are not
// (one goroutine reads).
type peer struct {
	c   net.Conn
	mu  sync.Mutex
	enc *json.Encoder
	dec *json.Decoder

	closeOnce sync.Once
	closed    chan struct{}
}

func newPeer(c net.Conn) *peer { return newPeerReader(c, bufio.NewReader(c)) }

// newPeerReader reads from r, which buffers c (and may hold what was read
// of c already).
func newPeerReader(c net.Conn, r io.Reader) *peer {
	return &peer{c: c, enc: json.NewEncoder(c), dec: json.NewDecoder(r), closed: make(chan struct{})}
}

func (p *peer) send(m wire) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.enc.Encode(m)
}

func (p *peer) recv() (wire, error) {
	var m wire
	err := p.dec.Decode(&m)
	return m, err
}

func (p *peer) close() {
	p.closeOnce.Do(func() {
		close(p.closed)
		p.c.Close()
	})
}
