package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/zishang520/socket.io/clients/engine/v3/transports"
	sioc "github.com/zishang520/socket.io/clients/socket/v3"
	"github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

// sioEvent is one event a Socket.IO test client received.
type sioEvent struct {
	Name string
	Data json.RawMessage // the first argument, as JSON
}

// sioClient is a test client of /socket.io/ (the zishang520 Go client):
// every event is queued, and each expectation waits for its event with
// a deadline.
type sioClient struct {
	t      *testing.T
	sock   *sioc.Socket
	events chan sioEvent
	held   []sioEvent  // received, not yet expected
	gone   chan string // the disconnect reasons
}

// dialSIO connects to s's /socket.io/ with token as auth.token over
// "websocket", or "polling+websocket" (polling, then an upgrade: the
// client's default), without reconnection. It returns the
// connect_error's message when the server refuses.
//
// The Go client (v3.0.6) races with itself as it opens, twice. Its
// Manager starts the Engine.IO connection and only then listens for its
// "open": a connection that opens first is never told to the Manager,
// which times out ("timeout"). And a Socket's Connect listens for the
// Manager's "open" and also sends CONNECT itself when it finds the
// Manager open: both may happen, and the server closes a connection that
// sends CONNECT twice (its debug log says "invalid state (packet type:
// CONNECT)"). So dialSIOOnce opens the Manager first and connects the
// socket only once it is open (one CONNECT), and an attempt that hit
// the first race, and only such, is made again, up to twice.
func dialSIO(t *testing.T, s *testServer, token, transport string) (*sioClient, error) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		c, err := dialSIOOnce(t, s, token, transport)
		if !errors.Is(err, errOpenRace) || attempt == 3 {
			return c, err
		}
		t.Logf("socket.io dial %d: %v; again", attempt, err)
	}
}

// errOpenRace is a connection attempt whose Manager never heard its
// Engine.IO connection open: the Go client's first race (dialSIO).
var errOpenRace = errors.New("the Engine.IO connection did not open in time")

// openTimeout bounds one connection attempt.
const openTimeout = 3 * time.Second

func dialSIOOnce(t *testing.T, s *testServer, token, transport string) (*sioClient, error) {
	t.Helper()
	opts := sioc.DefaultOptions()
	if transport == "polling+websocket" {
		opts.SetTransports(types.NewSet[transports.TransportCtor](transports.Polling, transports.WebSocket))
	} else {
		opts.SetTransports(types.NewSet[transports.TransportCtor](transports.WebSocket))
	}
	opts.SetReconnection(false)
	opts.SetForceNew(true)
	opts.SetTimeout(openTimeout)
	opts.SetAuth(map[string]any{"token": token})
	// Listeners first, then the connection (dialSIO).
	opts.SetAutoConnect(false)
	sock, err := sioc.Connect(s.URL(), opts)
	if err != nil {
		return nil, err
	}
	c := &sioClient{t: t, sock: sock, events: make(chan sioEvent, 4096), gone: make(chan string, 4)}
	up := make(chan error, 2)
	sock.On("connect", func(...any) { up <- nil })
	sock.On("connect_error", func(args ...any) { up <- fmt.Errorf("connect_error: %s", errText(args)) })
	sock.On("disconnect", func(args ...any) { c.gone <- fmt.Sprint(args...) })
	sock.OnAny(func(args ...any) {
		if len(args) == 0 {
			return
		}
		name, _ := args[0].(string)
		var data json.RawMessage
		if len(args) > 1 {
			data, _ = json.Marshal(args[1])
		}
		c.events <- sioEvent{Name: name, Data: data}
	})
	t.Cleanup(func() { sock.Disconnect() })
	opened := make(chan error, 1)
	sock.Io().Open(func(err error) { opened <- err })
	var failed error
	select {
	case failed = <-opened:
		if failed != nil && failed.Error() == "timeout" {
			failed = errOpenRace
		}
	case <-time.After(openTimeout + time.Second):
		failed = errOpenRace
	}
	if failed == nil {
		sock.Connect() // the Manager is open: this sends the one CONNECT
		select {
		case failed = <-up:
		case <-time.After(openTimeout + time.Second):
			failed = errors.New("no connect nor connect_error after the connection opened")
		}
	}
	if failed != nil {
		// A socket that never connected may leave its Engine.IO
		// connection open (and the server holding its slot): close it.
		if e := sock.Io().Engine(); e != nil {
			e.Close()
		}
		return nil, failed
	}
	return c, nil
}

// mustDialSIO connects or fails the test.
func mustDialSIO(t *testing.T, s *testServer, token, transport string) *sioClient {
	t.Helper()
	c, err := dialSIO(t, s, token, transport)
	if err != nil {
		t.Fatalf("socket.io (%s): %v", transport, err)
	}
	return c
}

// errText is what a connect_error says.
func errText(args []any) string {
	if len(args) == 0 {
		return ""
	}
	switch e := args[0].(type) {
	case *types.ExtendedError:
		return e.Message
	case error:
		return e.Error()
	}
	return fmt.Sprint(args[0])
}

// emit sends an event.
func (c *sioClient) emit(event string, payload any) {
	c.t.Helper()
	if err := c.sock.Emit(event, payload); err != nil {
		c.t.Fatalf("emit %s: %v", event, err)
	}
}

// emitAck sends an event with an acknowledgement callback and returns
// what the server acknowledged with.
func (c *sioClient) emitAck(event string, payload any) json.RawMessage {
	c.t.Helper()
	got := make(chan json.RawMessage, 1)
	err := c.sock.Emit(event, payload, socket.Ack(func(args []any, err error) {
		var data json.RawMessage
		if len(args) > 0 {
			data, _ = json.Marshal(args[0])
		}
		got <- data
	}))
	if err != nil {
		c.t.Fatalf("emit %s: %v", event, err)
	}
	select {
	case data := <-got:
		return data
	case <-time.After(waitFor):
		c.t.Fatalf("no acknowledgement of %s in %v", event, waitFor)
		return nil
	}
}

// expect returns the first event named name that match accepts (nil:
// any), of those received and not yet expected, and fails the test
// after waitFor. Events of one name are expected in the order they came.
func (c *sioClient) expect(name string, match func(json.RawMessage) bool) json.RawMessage {
	c.t.Helper()
	ok := func(e sioEvent) bool { return e.Name == name && (match == nil || match(e.Data)) }
	for i, e := range c.held {
		if ok(e) {
			c.held = append(c.held[:i:i], c.held[i+1:]...)
			return e.Data
		}
	}
	deadline := time.After(waitFor)
	for {
		select {
		case e := <-c.events:
			if ok(e) {
				return e.Data
			}
			c.held = append(c.held, e)
		case <-deadline:
			for _, e := range c.held {
				c.t.Logf("(held %s %s)", e.Name, e.Data)
			}
			c.t.Fatalf("no %s event in %v", name, waitFor)
			return nil
		}
	}
}

// expectInto is expect, decoded into out.
func (c *sioClient) expectInto(name string, out any, match func(json.RawMessage) bool) {
	c.t.Helper()
	data := c.expect(name, match)
	if err := json.Unmarshal(data, out); err != nil {
		c.t.Fatalf("%s %s: %v", name, data, err)
	}
}

// has reports whether data has field equal to want (compared as JSON).
func has(field string, want any) func(json.RawMessage) bool {
	return func(data json.RawMessage) bool {
		var m map[string]any
		if json.Unmarshal(data, &m) != nil {
			return false
		}
		a, _ := json.Marshal(m[field])
		b, _ := json.Marshal(want)
		return string(a) == string(b)
	}
}

// sioMessage is message:new's message.
type sioMessage struct {
	ID             string `json:"_id"`
	ConversationID string `json:"conversationId"`
	SenderID       struct {
		ID        string `json:"_id"`
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
		Role      string `json:"role"`
	} `json:"senderId"`
	MessageType string `json:"messageType"`
	Content     string `json:"content"`
	Media       []struct {
		ID     string `json:"_id"`
		Name   string `json:"name"`
		Type   string `json:"type"`
		URL    string `json:"url"`
		Format string `json:"format"`
		Size   int64  `json:"size"`
	} `json:"media"`
	IsRead    *bool  `json:"isRead"`
	CreatedAt string `json:"createdAt"`
}

// expectNew waits for message:new with content and returns its message.
func (c *sioClient) expectNew(content string) sioMessage {
	c.t.Helper()
	var out struct {
		Message        sioMessage `json:"message"`
		ConversationID string     `json:"conversationId"`
	}
	c.expectInto("message:new", &out, func(d json.RawMessage) bool {
		var m struct{ Message sioMessage }
		return json.Unmarshal(d, &m) == nil && m.Message.Content == content
	})
	if out.ConversationID == "" || out.ConversationID != out.Message.ConversationID || out.Message.IsRead == nil {
		c.t.Fatalf("message:new %+v: conversationId and isRead must be set", out)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", out.Message.CreatedAt); err != nil {
		c.t.Fatalf("createdAt %q is not ISO 8601 UTC with milliseconds", out.Message.CreatedAt)
	}
	return out.Message
}
