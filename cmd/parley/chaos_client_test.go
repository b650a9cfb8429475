package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// The chaos clients: a user's sender, which says one message at a time to
// the counting bot and waits for its acknowledgement and its answer, and
// optionally a viewer (the user's second device, on another node) that
// only reads. Both survive kills as a real client would: reconnect with
// after=<last seq seen>, re-send what was not acknowledged with the same
// client_id. Every frame is checked as it arrives; what needs the stored
// history is checked at the end (chaos_check_test.go).

// chaosConv is one user's conversation: what its clients have received,
// shared by them and the driver.
type chaosConv struct {
	user     string // the user's name; each of their messages starts with it
	token    string
	sid      string        // set by the sender before sidReady closes
	sidReady chan struct{} // closed once sid is known
	finished chan struct{} // closed when the sender has stopped
	final    int64         // the sender's last seq, valid once finished closes
	progress *progress     // the run's, signalled on every message frame

	mu     sync.Mutex
	maxSeq int64  // the highest seq any client of it has received
	maxBy  string // which client received it, and when
	watch  *takeoverWatch
}

// takeoverWatch waits for a conversation's first answer after a kill.
type takeoverWatch struct {
	conv     *chaosConv
	since    int64 // the highest seq delivered at the kill
	affected bool  // the killed node ran the conversation's dialog
	killAt   time.Time
	replied  time.Time // when a client received the answer
	seq      int64     // its seq
	by       string    // the client that received it
	done     chan struct{}
}

// received notes a message frame a client of the conversation got.
func (cv *chaosConv) received(f frame, who string, at time.Time) {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	if f.Seq > cv.maxSeq {
		cv.maxSeq = f.Seq
		cv.maxBy = fmt.Sprintf("%s at %s", who, at.Format("15:04:05.000"))
	}
	if w := cv.watch; w != nil && f.Sender == "bot" && f.Seq > w.since && w.replied.IsZero() && storedAfter(f, w.killAt) {
		w.replied, w.seq, w.by = at, f.Seq, who
		close(w.done)
	}
	cv.progress.add()
}

// storedAfter: f's stored timestamp is after t (all processes share the
// machine's clock); true when the timestamp does not parse. An answer
// stored before a kill but read after it is no takeover.
func storedAfter(f frame, t time.Time) bool {
	ts, err := time.Parse(time.RFC3339Nano, f.Timestamp)
	return err != nil || ts.After(t)
}

// delivered is the highest seq any client has received so far.
func (cv *chaosConv) delivered() (int64, string) {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	return cv.maxSeq, cv.maxBy
}

// chaosClient is one socket's worth of a user: the sender or the viewer.
type chaosClient struct {
	r      *chaosRun
	conv   *chaosConv
	name   string // "u3" or "u3/viewer"
	viewer bool
	origin int          // the node the balancer first gave it
	home   atomic.Int32 // the node it connects to first
	rng    *rand.Rand   // the client goroutine's own

	mu       sync.Mutex // guards conn against move
	conn     *websocket.Conn
	frames   chan frame
	quit     chan struct{} // closed when conn is dropped: the reader stops
	node     int           // conn's node
	connAt   time.Time
	after    int64 // the after= of conn
	helloSeq int64 // the last_seq of conn's connected frame

	lastSeq int64
	seen    map[int64]frame
	recvAt  map[int64]time.Time
	acked   map[string]int64 // client_id → seq
	bots    []frame          // bot messages not yet taken as answers
	stalled string           // what a stall left unexplained, until the next frame
	behind  int64            // a stale connected frame's seq already delivered, until a later one comes

	sent       int // messages acknowledged and answered
	connects   int
	transient  int // error frames unavailable/internal
	maxLatency time.Duration
	maxLatMsg  string
	failures   int
}

var errStall = errors.New("stalled")

func newChaosClient(r *chaosRun, cv *chaosConv, name string, viewer bool, origin int, seed uint64) *chaosClient {
	c := &chaosClient{r: r, conv: cv, name: name, viewer: viewer, origin: origin,
		rng:  rand.New(rand.NewPCG(seed, uint64(len(r.clients)))),
		seen: map[int64]frame{}, recvAt: map[int64]time.Time{}, acked: map[string]int64{}}
	c.home.Store(int32(origin))
	return c
}

// fail reports a broken promise of the server; the client carries on, so
// that one fault does not hide the others.
func (c *chaosClient) fail(format string, args ...any) {
	c.failures++
	switch {
	case c.failures <= maxClientFailures:
		c.r.fail(c.name+" ("+c.conv.sid+"): "+format, args...)
	case c.failures == maxClientFailures+1:
		c.r.fail("%s (%s): more failures, not shown (the summary counts them)", c.name, c.conv.sid)
	default:
		c.r.failures.Add(1)
	}
}

// maxClientFailures is how many of one client's failures are shown.
const maxClientFailures = 20

// move makes the client reconnect to node n, as a balancer spreading
// clients again after a node came back would.
func (c *chaosClient) move(n int) {
	c.home.Store(int32(n))
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil && c.node != n {
		c.conn.CloseNow()
	}
}

// nodeOrder is home first, then the other nodes in random order.
func (c *chaosClient) nodeOrder() []int {
	home := int(c.home.Load())
	order := []int{home}
	for _, i := range c.rng.Perm(len(c.r.nodes)) {
		if i != home {
			order = append(order, i)
		}
	}
	return order
}

// connect (re)connects, trying every node until one takes the socket.
func (c *chaosClient) connect(ctx context.Context) error {
	for {
		for _, n := range c.nodeOrder() {
			if ok, err := c.dial(ctx, n); ok || err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cannot reconnect: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond): // every node refused: they are restarting
		}
	}
}

// dial opens a socket on node n and checks its connected frame. false:
// the node did not take it.
func (c *chaosClient) dial(ctx context.Context, n int) (bool, error) {
	q := "bot_id=count"
	if c.conv.sid != "" {
		q += fmt.Sprintf("&session_id=%s&after=%d", c.conv.sid, c.lastSeq)
	}
	before, by := c.conv.delivered() // delivered before this connect
	dialAt := time.Now()
	dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	url := strings.Replace(c.r.nodes[n].k.url, "http://", "ws://", 1) + "/ws?" + q
	conn, _, err := websocket.Dial(dctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + c.conv.token}}})
	if err != nil {
		return false, ctx.Err()
	}
	conn.SetReadLimit(1 << 20)
	frames, quit := make(chan frame, 1024), make(chan struct{})
	go readChaosFrames(conn, frames, quit)
	hello, ok := c.hello(dctx, frames)
	if !ok {
		conn.CloseNow()
		close(quit)
		return false, ctx.Err()
	}
	c.mu.Lock()
	c.conn, c.frames, c.quit, c.node, c.connAt, c.after = conn, frames, quit, n, time.Now(), c.lastSeq
	c.mu.Unlock()
	c.connects++
	if hello.LastSeq != nil {
		c.helloSeq = *hello.LastSeq
	}
	if c.stalled != "" {
		c.r.t.Logf("%s: after %s, reconnected to %s with after=%d: connected frame %s", c.name, c.stalled, c.r.nodes[n].name, c.after, hello.raw)
	}
	return true, c.checkHello(hello, n, before, by, dialAt)
}

// hello waits for the connected frame; false if the socket ends first.
func (c *chaosClient) hello(ctx context.Context, frames <-chan frame) (frame, bool) {
	select {
	case f, ok := <-frames:
		return f, ok && f.Type == "status" && f.Status == "connected"
	case <-ctx.Done():
		return frame{}, false
	}
}

// checkHello: the connected frame names the conversation, and its last_seq
// covers every message any node already delivered to a client of it.
func (c *chaosClient) checkHello(hello frame, n int, before int64, by string, dialAt time.Time) error {
	if c.conv.sid == "" {
		c.conv.sid = hello.SessionID
		close(c.conv.sidReady)
	}
	if hello.SessionID != c.conv.sid {
		return fmt.Errorf("connected to %s, want %s: %s", hello.SessionID, c.conv.sid, hello.raw)
	}
	if hello.LastSeq == nil || *hello.LastSeq < before {
		c.fail("connected frame from %s (dialled %s, connected %s, after=%d) has last_seq %v, but seq %d was already delivered (to %s): %s",
			c.r.nodes[n].name, dialAt.Format("15:04:05.000"), c.connAt.Format("15:04:05.000"), c.after,
			derefSeq(hello.LastSeq), before, by, hello.raw)
		c.behind = before
	}
	return nil
}

func derefSeq(p *int64) any {
	if p == nil {
		return "(none)"
	}
	return *p
}

// readChaosFrames queues conn's frames until it fails or quit closes.
func readChaosFrames(conn *websocket.Conn, out chan<- frame, quit <-chan struct{}) {
	defer close(out)
	for {
		f, err := readFrame(context.Background(), conn)
		if err != nil {
			return
		}
		select {
		case out <- f:
		case <-quit:
			return
		}
	}
}

// drop forgets the socket; the next step reconnects.
func (c *chaosClient) drop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil {
		c.conn.CloseNow()
		close(c.quit)
	}
	c.conn = nil
}

// pump handles one frame, notices that the socket ended, or returns
// errStall when no frame comes within the stall time.
func (c *chaosClient) pump(ctx context.Context, stall <-chan time.Time) error {
	select {
	case f, ok := <-c.frames:
		if !ok {
			c.drop()
			return nil
		}
		c.handle(f)
		return nil
	case <-stall:
		return errStall
	case <-ctx.Done():
		return ctx.Err()
	}
}

// handle checks one frame against what the client has seen.
func (c *chaosClient) handle(f frame) {
	switch f.Type {
	case "error":
		c.handleError(f)
	case "message":
		c.handleMessage(f)
	}
}

// handleError: while nodes die, a write may fail (unavailable) or a
// dialog may not answer yet (internal); both say the server retries or
// the client should. Anything else is a fault.
func (c *chaosClient) handleError(f frame) {
	switch f.Code {
	case "unavailable", "internal":
		c.transient++
		c.r.t.Logf("%s: transient error frame on %s: %s", c.name, c.r.nodes[c.node].name, f.raw)
		if f.ClientID != "" && c.acked[f.ClientID] == 0 {
			c.drop() // not stored: reconnect and send it again
		}
	default:
		c.fail("error frame on %s: %s", c.r.nodes[c.node].name, f.raw)
	}
}

// handleMessage checks seq order (gapless; a repeat only as the echo of a
// re-sent client_id) and records the frame.
func (c *chaosClient) handleMessage(f frame) {
	now := time.Now()
	if f.Seq <= c.lastSeq {
		if old := c.seen[f.Seq]; f.ClientID == "" || old.ClientID != f.ClientID || old.Content != f.Content || old.ID != f.ID {
			c.fail("on %s: frame %s repeats seq %d (seen %s)", c.r.nodes[c.node].name, f.raw, f.Seq, old.raw)
		}
		return
	}
	if f.Seq != c.lastSeq+1 {
		c.fail("on %s (connected %s, after=%d): frame %s after seq %d: a gap; reconnecting",
			c.r.nodes[c.node].name, c.connAt.Format("15:04:05.000"), c.after, f.raw, c.lastSeq)
		c.drop() // the replay from lastSeq fills it, or the history check fails
		return
	}
	if c.behind > 0 && f.Seq > c.behind {
		c.r.t.Logf("%s: the socket on %s whose connected frame was behind (connected %s) got its first new message, seq %d, %v later",
			c.name, c.r.nodes[c.node].name, c.connAt.Format("15:04:05.000"), f.Seq, now.Sub(c.connAt).Round(time.Millisecond))
		c.behind = 0
	}
	if c.stalled != "" {
		c.r.t.Logf("%s: after %s, seq %d arrived on %s (connected %s with after=%d, last_seq %d)",
			c.name, c.stalled, f.Seq, c.r.nodes[c.node].name, c.connAt.Format("15:04:05.000"), c.after, c.helloSeq)
		c.stalled = ""
	}
	c.lastSeq, c.seen[f.Seq], c.recvAt[f.Seq] = f.Seq, f, now
	c.conv.received(f, c.name+" on "+c.r.nodes[c.node].name, now)
	if f.Sender == "user" && f.ClientID != "" {
		c.acked[f.ClientID] = f.Seq
	}
	if f.Sender == "bot" && !c.viewer {
		c.bots = append(c.bots, f)
	}
}
