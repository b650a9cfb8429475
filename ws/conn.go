package ws

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"parley/runtime"
	"parley/wire"
)

// connection is one accepted socket.
type connection struct {
	h    *Handler
	conn *websocket.Conn
	log  *slog.Logger
	sub  *runtime.Subscription

	typing *rate.Limiter // of typing frames (typinglimit.go)
	joins  *rate.Limiter // of join frames (follow.go)
}

// serve joins the conversation, sends the connected frame, the backlog and
// the suggestions in force, then runs the read and write loops until
// either ends.
func (c *connection) serve(ctx context.Context, id runtime.Identity, r *http.Request) {
	req, after, err := joinRequest(r)
	if err == nil {
		c.sub, err = c.h.cfg.Hub.Join(ctx, id, req)
	}
	if err != nil {
		c.refuse(ctx, err)
		return
	}
	defer c.sub.Close()
	c.log = c.log.With("session", c.sub.Session.ID)
	if err := c.greet(ctx, c.sub, after); err != nil {
		c.conn.CloseNow()
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer cancel()
		c.readLoop(ctx)
	}()
	c.writeLoop(ctx)
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

// writeLoop is the connection's only writer after greet. It also pings
// the peer every PingInterval (ping), so that an idle socket holds two
// goroutines, this one and the reader, rather than a third that would
// wait for the ticker.
func (c *connection) writeLoop(ctx context.Context) {
	t := time.NewTicker(c.h.cfg.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			go c.ping(ctx)
		case <-ctx.Done():
			c.conn.Close(websocket.StatusNormalClosure, "")
			return
		case e := <-c.sub.Events():
			if c.writeEvent(ctx, e) != nil {
				c.conn.CloseNow()
				return
			}
		case <-c.sub.Done():
			c.end(ctx)
			return
		}
	}
}

// end closes a socket whose subscription ended, after the frames that
// were queued before the end (such as the shutting_down status).
func (c *connection) end(ctx context.Context) {
	reason := c.sub.Reason()
	if reason == runtime.ReasonSlow {
		c.conn.Close(websocket.StatusPolicyViolation, "reading too slowly; reconnect with after=SEQ")
		return
	}
	for {
		select {
		case e := <-c.sub.Events():
			if c.writeEvent(ctx, e) != nil {
				c.conn.CloseNow()
				return
			}
			continue
		default:
		}
		break
	}
	switch reason {
	case runtime.ReasonShuttingDown:
		c.conn.Close(websocket.StatusGoingAway, "server shutting down")
	case runtime.ReasonDeleted:
		c.conn.Close(CloseNotFound, "conversation expired")
	default:
		c.conn.Close(websocket.StatusNormalClosure, "")
	}
}

// readLoop handles client frames until the socket fails or closes.
func (c *connection) readLoop(ctx context.Context) {
	for {
		typ, data, err := c.conn.Read(ctx)
		if err != nil {
			if websocket.CloseStatus(err) == -1 && !errors.Is(err, context.Canceled) {
				c.log.Debug("read failed", "err", err)
			}
			return
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
		c.log.Error("frame failed", "err", err)
	}
	return runtime.ErrorEvent(sid, err, clientID)
}
