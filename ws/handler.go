package ws

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"parley/inbound"
	"parley/runtime"
)

// Config configures the /ws handler. Zero values are replaced by defaults.
type Config struct {
	Hub  *runtime.Hub
	Auth runtime.Authenticator
	// APIKeys checks an X-API-Key header (servers and scripts connecting
	// without a browser); nil refuses every key.
	APIKeys runtime.Authenticator
	Logger  *slog.Logger

	// TrustedProxies are the peers whose X-Forwarded-For names the
	// client (inbound.ClientIP); none by default.
	TrustedProxies []netip.Prefix
	// AllowedOrigins are host patterns (path.Match syntax, as in
	// coder/websocket's OriginPatterns) browsers may connect from. The
	// request's own host is always allowed; a missing Origin header is a
	// non-browser client and is allowed.
	AllowedOrigins []string
	// ReadLimit is the largest client frame in bytes (default 64 KiB);
	// a larger one closes the socket with 1009.
	ReadLimit int64
	// PingInterval is how often an idle socket is pinged (default 30s);
	// a peer that does not answer within WriteTimeout is disconnected.
	PingInterval time.Duration
	// WriteTimeout bounds each write (default 10s): a client that reads
	// too slowly is disconnected, never buffered without bound.
	WriteTimeout time.Duration
}

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.ReadLimit <= 0 {
		c.ReadLimit = 64 << 10
	}
	if c.PingInterval <= 0 {
		c.PingInterval = 30 * time.Second
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 10 * time.Second
	}
	return c
}

// Handler serves /ws.
type Handler struct {
	cfg Config

	sockets             atomic.Int64   // open sockets, accepted and not yet closed
	open                sync.WaitGroup // ServeHTTP calls and the sockets they left open
	framesIn, framesOut atomic.Uint64

	// Test hooks (export_test.go).
	onStart func(*runtime.Subscription) // a socket was greeted
	onEnd   func()                      // a socket is done with
}

// Stats are the handler's counters, for metrics.
type Stats struct {
	Sockets   int64  // open sockets
	FramesIn  uint64 // client frames read
	FramesOut uint64 // server frames written
}

// Stats returns the counters now.
func (h *Handler) Stats() Stats {
	return Stats{Sockets: h.sockets.Load(), FramesIn: h.framesIn.Load(), FramesOut: h.framesOut.Load()}
}

// New returns the /ws handler.
func New(cfg Config) *Handler { return &Handler{cfg: cfg.withDefaults()} }

// Wait returns once every socket the handler accepted has closed and its
// subscription is released. ServeHTTP returns as soon as a socket is
// greeted (the socket lives on in its reader goroutine), so a server
// that drains waits here rather than for its handlers; call it after the
// server stopped accepting, as sync.WaitGroup asks.
func (h *Handler) Wait() { h.open.Wait() }

// ServeHTTP upgrades the request, greets the socket and returns; the
// socket lives on in a goroutine of its own, its reader (conn.go), so
// that an idle socket holds neither the request nor net/http's state for
// it. Every refusal after the upgrade is an error frame and a close code,
// so that browsers (which cannot read a refused handshake) learn why.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.open.Add(1)
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		InsecureSkipVerify: true, // origins are checked below, to close with 1008
	})
	if err != nil {
		h.open.Done()
		return // Accept has answered the request
	}
	h.sockets.Add(1)
	conn.SetReadLimit(h.cfg.ReadLimit)
	c := &connection{h: h, conn: conn}
	if c.start(r) {
		return // the reader ends it
	}
	h.ended()
}

// ended counts a socket that is done with: closed, its subscription and
// its slot (Hub.Connect) released.
func (h *Handler) ended() {
	h.sockets.Add(-1)
	if h.onEnd != nil {
		h.onEnd()
	}
	h.open.Done()
}

// start authenticates and greets an accepted socket, then leaves it to
// its reader; it reports whether it did. On false the socket is closed.
func (c *connection) start(r *http.Request) bool {
	h := c.h
	if !h.originAllowed(r) {
		c.conn.Close(websocket.StatusPolicyViolation, "origin not allowed")
		return false
	}
	id, err := h.identify(r)
	if err != nil {
		c.refuse(r.Context(), err)
		return false
	}
	release, err := h.cfg.Hub.Connect(id)
	if err != nil {
		c.refuse(r.Context(), err)
		return false
	}
	if !c.subscribe(r, id) {
		release()
		return false
	}
	go c.run(release)
	return true
}

// joinRequest reads the query of a connect request.
func joinRequest(r *http.Request) (req runtime.JoinRequest, after int64, err error) {
	q := r.URL.Query()
	req = runtime.JoinRequest{
		BotID:       runtime.BotID(q.Get("bot_id")),
		SessionID:   runtime.SessionID(q.Get("session_id")),
		ResumeToken: q.Get("resume_token"),
	}
	after = -1
	if s := q.Get("after"); s != "" {
		after, err = strconv.ParseInt(s, 10, 64)
		if err != nil || after < 0 {
			return req, 0, runtime.Errorf(runtime.KindInvalid, "after must be a message seq (a whole number >= 0)")
		}
	}
	return req, after, nil
}

// identify authenticates a connect request: an API key (X-API-Key, which
// wins, as on REST), a bearer JWT in the Authorization header, a ticket in
// the query, or nobody (anonymous).
func (h *Handler) identify(r *http.Request) (runtime.Identity, error) {
	ip := inbound.ClientIP(r, h.cfg.TrustedProxies)
	id, found, err := inbound.Credentials{Auth: h.cfg.Auth, APIKeys: h.cfg.APIKeys}.FromHeaders(r)
	switch {
	case found:
	case r.URL.Query().Get("ticket") != "":
		id, err = h.cfg.Hub.RedeemTicket(r.Context(), r.URL.Query().Get("ticket"))
	default:
		id = runtime.Identity{Anonymous: true}
	}
	id.IP = ip
	return id, err
}

// refuse tells the client why it cannot connect and closes the socket.
func (c *connection) refuse(ctx context.Context, err error) {
	c.writeEvent(ctx, runtime.ErrorEvent("", err, ""))
	c.conn.Close(closeCode(err), truncate(runtime.ErrorMessage(err), 120))
}

// truncate keeps close reasons under the 123 bytes a close frame allows.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
