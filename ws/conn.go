package ws

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"parley/runtime"
	"parley/wire"
)

// connection is one accepted socket. After its greeting it lives in one
// goroutine, its reader (run); a writer goroutine (writer.go) exists only
// while there is something to write, and a timer pings it (ping.go). An
// idle socket thus costs about what a bare WebSocket echo server's does:
// one parked goroutine and the connection's buffers.
type connection struct {
	h    *Handler
	conn *websocket.Conn
	sub  *runtime.Subscription
	// ctx is the request's context without its cancellation, which
	// net/http fires when ServeHTTP returns: the socket outlives it. Each
	// write and ping bounds itself with WriteTimeout.
	ctx context.Context

	writer wakeup      // runs drain while there is something to write (writer.go)
	pinger *time.Timer // the next ping (ping.go)
	closed atomic.Bool // the reader has ended: no more pings

	// Made on the first frame that needs them (reader only): most
	// sockets never send a typing or join frame.
	typing *rate.Limiter // of typing frames (typinglimit.go)
	joins  *rate.Limiter // of join frames (follow.go)
}

// subscribe joins the conversation the request names and writes the
// connected frame, the backlog and the suggestions in force; it reports
// whether the socket may go on. On false the socket is closed.
func (c *connection) subscribe(r *http.Request, id runtime.Identity) bool {
	c.ctx = context.WithoutCancel(r.Context())
	req, after, err := joinRequest(r)
	if err == nil {
		c.sub, err = c.h.cfg.Hub.Join(r.Context(), id, req)
	}
	if err != nil {
		c.refuse(r.Context(), err)
		return false
	}
	if err := c.greet(c.ctx, c.sub, after); err != nil {
		c.sub.Close()
		c.conn.CloseNow()
		return false
	}
	return true
}

// run is the socket's own goroutine: it starts the writer for what was
// queued during the greeting, asks to be woken for the rest, reads client
// frames until the connection fails or closes, then releases everything.
func (c *connection) run(release func()) {
	c.writer.drain = c.drain
	c.sub.Notify(c.writer.kick)
	c.writer.kick() // what was queued before Notify
	c.startPing()
	if c.h.onStart != nil {
		c.h.onStart(c.sub)
	}
	err := c.readLoop(c.ctx)
	c.closed.Store(true)
	c.pinger.Stop()
	if peerGone(err) {
		// Nothing can reach the peer: no close handshake, and a write
		// in flight fails now rather than hold the frame lock that the
		// handshake would wait for.
		c.conn.CloseNow()
	} else {
		c.conn.Close(websocket.StatusNormalClosure, "")
	}
	// Ends the subscription: a writer still running (or woken by its
	// end) finds the connection closed and stops.
	c.sub.Close()
	release()
	c.h.ended()
}

// peerGone reports whether a read failed because the connection itself
// did: the peer hung up or reset it, or it was closed here.
func peerGone(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET)
}

// greet writes what a client needs of sub's conversation before its
// live frames (protocol §3): when the socket connects, and when it joins
// another conversation (follow.go).
func (c *connection) greet(ctx context.Context, sub *runtime.Subscription, after int64) error {
	if err := c.writeJSON(ctx, connectedFrame(sub)); err != nil {
		return err
	}
	if after >= 0 {
		err := sub.Backlog(ctx, after, func(m *runtime.Message) error {
			return c.writeJSON(ctx, newMessageFrame(m))
		})
		if err != nil {
			return err
		}
	}
	if s := sub.Session; len(s.Suggestions) > 0 {
		return c.writeJSON(ctx, wire.SuggestionFrame(s.ID, s.Suggestions))
	}
	return nil
}

// logger is the handler's logger about this socket's conversation, made
// when something is logged rather than kept per socket.
func (c *connection) logger() *slog.Logger {
	return c.h.cfg.Logger.With("session", c.sub.Session.ID)
}

// readLoop handles client frames until the socket fails or closes, and
// returns why.
func (c *connection) readLoop(ctx context.Context) error {
	for {
		typ, data, err := c.conn.Read(ctx)
		if err != nil {
			if websocket.CloseStatus(err) == -1 && !errors.Is(err, context.Canceled) {
				c.logger().Debug("read failed", "err", err)
			}
			return err
		}
		c.h.framesIn.Add(1)
		if typ != websocket.MessageText {
			c.sub.Offer(c.errorEvent(c.sub.Session.ID, runtime.Errorf(runtime.KindInvalid, "frames must be JSON text"), ""))
			continue
		}
		c.handle(ctx, data)
	}
}

// handle acts on one client frame. Errors go back to this socket alone.
func (c *connection) handle(ctx context.Context, data []byte) {
	f, err := decodeFrame(data)
	if err != nil {
		c.sub.Offer(c.errorEvent(c.sub.Session.ID, err, ""))
		return
	}
	switch f.Type {
	case "join":
		c.join(ctx, f)
	case "leave":
		c.leave(f)
	case "message":
		if sub := c.target(f); sub != nil {
			c.send(ctx, sub, f)
		}
	case "read":
		if sub := c.target(f); sub != nil {
			if err := sub.MarkRead(ctx, *f.Seq); err != nil {
				c.sub.Offer(c.errorEvent(sub.Session.ID, err, ""))
			}
		}
	case "typing":
		// Shown to the other people of the conversation, never to bots.
		// Over the rate, dropped silently: an indicator loses nothing.
		if c.typing == nil {
			c.typing = newTypingLimiter()
		}
		if !c.typing.Allow() {
			return
		}
		if sub := c.target(f); sub != nil {
			if err := sub.Typing(sub.Session.ID, f.Active); err != nil {
				c.sub.Offer(c.errorEvent(sub.Session.ID, err, ""))
			}
		}
	}
}

// send stores a message. Its frame reaches this socket through the
// subscription like every other socket's; a duplicate client_id gets the
// stored message back on this socket only.
func (c *connection) send(ctx context.Context, sub *runtime.Subscription, f *inFrame) {
	m, created, err := sub.Send(ctx, runtime.SendRequest{
		SessionID: sub.Session.ID, Content: f.Content,
		ClientID: f.ClientID, Attachments: f.Attachments,
	})
	switch {
	case err != nil:
		c.sub.Offer(c.errorEvent(sub.Session.ID, err, f.ClientID))
	case !created:
		c.sub.Offer(&runtime.Event{Type: runtime.EventMessage, SessionID: m.SessionID, Message: m})
	}
}

// errorEvent is err as an error frame about conversation sid.
func (c *connection) errorEvent(sid runtime.SessionID, err error, clientID string) *runtime.Event {
	if runtime.ErrorKind(err) == runtime.KindInternal {
		c.logger().Error("frame failed", "err", err)
	}
	return runtime.ErrorEvent(sid, err, clientID)
}
