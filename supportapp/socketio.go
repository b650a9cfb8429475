package supportapp

// The Socket.IO server (docs/socketio.md). Where to start: NewSocketIO
// (this file) builds the zishang520 server; authenticate
// (socketio_auth.go) admits a socket before it connects; connected
// (socketio_client.go) opens its runtime.Socket; the client's events are
// socketio_in.go and socketio_send.go, the server's socketio_out.go, and
// their payloads socketio_shapes.go beside the app's objects (shapes.go).
//
// Concurrency: the library runs one socket's event handlers one at a
// time, in order, on that socket's queue, so a client's events reach the
// runtime in the order it sent them (a join before the send that
// follows it). One goroutine per socket, pump, reads the runtime
// socket's events and emits them; it alone touches the client's
// presence and last-message maps. Both emit on the socket, which the
// library serialises. The runtime socket is closed once (client.close),
// by the library's "disconnect" or by pump when the runtime dropped it.

import (
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"

	"parley/runtime"
)

// SocketIOConfig configures the Socket.IO server. Zero values are
// replaced by defaults.
type SocketIOConfig struct {
	Hub *runtime.Hub
	// Auth verifies a JWT and APIKeys an API key, as /ws verifies them;
	// nil refuses that kind of credential.
	Auth, APIKeys runtime.Authenticator
	Logger        *slog.Logger
	// TrustedProxies are the peers whose X-Forwarded-For names the
	// client, for the runtime's per-address limits.
	TrustedProxies []netip.Prefix
	// AllowedOrigins are the origins browsers may connect from besides
	// the server's own (socketio_origin.go; /ws's rule); they are also
	// those CORS allows, for polling across origins.
	AllowedOrigins []string
	// MaxPayload bounds one packet a client sends, in bytes (default
	// 128 KiB: a message's content is at most runtime.MaxContentLen); a
	// larger one closes the connection.
	MaxPayload int64
	// PingInterval and PingTimeout are Engine.IO's heartbeat (defaults
	// 25s and 20s, the library's): a client that stops answering is
	// disconnected after their sum.
	PingInterval, PingTimeout time.Duration
	// Backlog bounds the packets the library holds for one client that
	// it has not yet handed to the transport (default 128). Past it, the
	// socket stops draining its runtime queue, which fills, and the
	// runtime drops the socket as it drops any slow one; the connection
	// is then closed, and the app reconnects.
	Backlog int
}

func (c SocketIOConfig) withDefaults() SocketIOConfig {
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.MaxPayload <= 0 {
		c.MaxPayload = 128 << 10
	}
	if c.PingInterval <= 0 {
		c.PingInterval = 25 * time.Second
	}
	if c.PingTimeout <= 0 {
		c.PingTimeout = 20 * time.Second
	}
	if c.Backlog <= 0 {
		c.Backlog = 128
	}
	return c
}

// SocketIO serves /socket.io/: the support app's events over Socket.IO
// v4 (Engine.IO v4), on the default namespace, by WebSocket and by HTTP
// long-polling. Each connection is a runtime socket (runtime.Socket);
// the rooms it joins are conversations it follows.
type SocketIO struct {
	cfg     SocketIOConfig
	server  *socket.Server
	handler http.Handler
	open    atomic.Int64 // connected sockets
}

// NewSocketIO returns the Socket.IO server; mount it at /socket.io/.
func NewSocketIO(cfg SocketIOConfig) *SocketIO {
	cfg = cfg.withDefaults()
	opts := socket.DefaultServerOptions()
	opts.SetServeClient(false)
	opts.SetPath("/socket.io")
	opts.SetMaxHttpBufferSize(cfg.MaxPayload)
	opts.SetPingInterval(cfg.PingInterval)
	opts.SetPingTimeout(cfg.PingTimeout)
	s := &SocketIO{cfg: cfg}
	opts.SetAllowRequest(s.allowRequest)
	if len(cfg.AllowedOrigins) > 0 {
		opts.SetCors(&types.Cors{Origin: s.corsAllowed, Credentials: true})
	}
	s.server = socket.NewServer(nil, opts)
	s.handler = s.server.ServeHandler(opts)
	s.server.Sockets().Use(s.authenticate)
	s.server.On("connection", func(args ...any) {
		if sock, ok := args[0].(*socket.Socket); ok {
			s.connected(sock)
		}
	})
	return s
}

// ServeHTTP serves Engine.IO's polling requests and WebSocket upgrades.
func (s *SocketIO) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// Open is the number of connected Socket.IO sockets.
func (s *SocketIO) Open() int64 { return s.open.Load() }

// Close closes every connection (the apps reconnect, to this node when
// it is back or to another) and stops accepting new ones. Call it as the
// HTTP server shuts down: a long-poll would otherwise hold the shutdown
// until its next heartbeat.
func (s *SocketIO) Close() {
	done := make(chan struct{})
	s.server.Close(func(error) { close(done) })
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		s.cfg.Logger.Warn("socket.io: close did not finish in 5s")
	}
}
