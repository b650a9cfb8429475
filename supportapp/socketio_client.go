package supportapp

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/zishang520/socket.io/parsers/engine/v3/packet"
	"github.com/zishang520/socket.io/servers/socket/v3"
	"golang.org/x/time/rate"

	"parley/runtime"
)

// client is one connected Socket.IO socket and the runtime socket behind
// it. The library runs the socket's event handlers one at a time, in the
// order they arrived (socketio_in.go); pump (socketio_out.go) is the one
// goroutine that turns the runtime socket's events into emits.
type client struct {
	s    *SocketIO
	sock *socket.Socket
	id   runtime.Identity
	rs   *runtime.Socket
	log  *slog.Logger
	hub  *runtime.Hub

	ctx    context.Context // ends when the connection does
	cancel context.CancelFunc
	once   sync.Once
	free   func() // the runtime's connection slot

	// pending counts the packets the library holds for this client and
	// has not yet handed to its transport; flushed wakes pump when some
	// were (Backlog).
	pending atomic.Int64
	flushed chan struct{}

	typing *rate.Limiter // typing events; over the rate they are dropped
	joins  *rate.Limiter // conversation:join events

	// pump's own: who it told the client is online, and the last message
	// it saw per conversation (a read receipt's seq names it).
	online map[string]bool
	last   map[runtime.SessionID]*runtime.Message
}

// Rates of a client's events, as /ws has them: typing is an indicator
// (dropped when over), a join reads the store.
const (
	typingRate = 5 // per second, burst 10
	joinRate   = 5 // per second, burst runtime.MaxFollows
)

// connected serves a socket the middleware admitted: it opens its
// runtime socket and starts listening.
func (s *SocketIO) connected(sock *socket.Socket) {
	a, ok := sock.Data().(admitted)
	if !ok {
		sock.Disconnect(true) // not through the middleware: cannot be
		return
	}
	id, free := a.id, a.free
	ctx, cancel := context.WithCancel(context.Background())
	rs, err := s.cfg.Hub.OpenSocket(ctx, id)
	if err != nil {
		cancel()
		free()
		s.refuse(sock, err)
		return
	}
	c := &client{
		s: s, sock: sock, id: id, rs: rs, hub: s.cfg.Hub, ctx: ctx, cancel: cancel, free: free,
		log:     s.cfg.Logger.With("user", id.UserID, "socketio", string(sock.Id())),
		flushed: make(chan struct{}, 1),
		typing:  rate.NewLimiter(typingRate, 2*typingRate),
		joins:   rate.NewLimiter(joinRate, runtime.MaxFollows),
		online:  make(map[string]bool),
		last:    make(map[runtime.SessionID]*runtime.Message),
	}
	s.open.Add(1)
	c.countBacklog()
	sock.On("disconnect", func(...any) { c.close() })
	c.listen()
	if sock.Disconnected() {
		c.close() // it went before "disconnect" had a listener
		return
	}
	go c.pump()
}

// refuse tells a socket why it cannot be served and closes it.
func (s *SocketIO) refuse(sock *socket.Socket, err error) {
	_ = sock.Emit("error", errorPayload(err))
	sock.Disconnect(true)
}

// countBacklog follows the packets the library buffers for the client:
// each created packet waits in the engine's buffer until the transport
// is writable (a WebSocket done with its last write, a pending poll).
func (c *client) countBacklog() {
	conn := c.sock.Conn()
	_ = conn.On("packetCreate", func(...any) { c.pending.Add(1) })
	_ = conn.On("flush", func(args ...any) {
		if len(args) > 0 {
			if wbuf, ok := args[0].([]*packet.Packet); ok {
				c.pending.Add(-int64(len(wbuf)))
			}
		}
		select {
		case c.flushed <- struct{}{}:
		default:
		}
	})
}

// close ends the runtime socket and gives the slot back, once.
func (c *client) close() {
	c.once.Do(func() {
		c.cancel()
		c.rs.Close()
		c.free()
		c.s.open.Add(-1)
	})
}
