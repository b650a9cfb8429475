package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// The WebSocket client: one socket of one user, speaking protocol §3.

// frame is every server frame field the scenarios look at.
type frame struct {
	Type      string `json:"type"`
	Status    string `json:"status"`
	SessionID string `json:"session_id"`
	Sender    string `json:"sender"`
	Content   string `json:"content"`
	ClientID  string `json:"client_id"`
	Seq       int64  `json:"seq"`
	Code      string `json:"code"`
	Message   string `json:"message"`
}

// outFrame is a client message frame.
type outFrame struct {
	Type     string `json:"type"`
	Content  string `json:"content"`
	ClientID string `json:"client_id,omitempty"`
}

// client is one socket. After the connected frame, a goroutine reads
// every frame and stamps its arrival time, so a scenario may look at a
// socket's frames late without its timings moving; and the socket keeps
// answering pings while a scenario does nothing with it.
type client struct {
	conn      *websocket.Conn
	user      string
	dialect   *dialect // nil: protocol §3
	sessionID string
	frames    chan arrival // closed when the socket ends
	err       error        // why it ended; read after frames is closed
	closeOnce sync.Once
}

// arrival is a frame and when it was read.
type arrival struct {
	frame
	at time.Time
}

// errEnded is the error of a socket that has closed.
var errEnded = errors.New("socket ended")

const (
	dialTimeout = 15 * time.Second
	turnTimeout = 15 * time.Second // a reply later than this is an error
)

// dial connects user to the echo bot (joining session when it is not
// empty) and reads the connected frame. A target with a dialect of its
// own (a peer: botkit.go) has no connected frame and no sessions.
func dial(ctx context.Context, t *target, user, session string) (*client, error) {
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	if t.dialect != nil {
		return dialPeer(ctx, t, user)
	}
	q := url.Values{"bot_id": {"echo"}}
	if session != "" {
		q.Set("session_id", session)
	}
	h := http.Header{}
	if tok := t.token(user); tok != "" {
		h.Set("Authorization", "Bearer "+tok)
	}
	conn, _, err := websocket.Dial(ctx, t.wsURL(q.Encode()), &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		return nil, err
	}
	c := &client{conn: conn, user: user}
	f, err := c.read(ctx)
	if err != nil {
		conn.CloseNow()
		return nil, err
	}
	if f.Type != "status" || f.Status != "connected" {
		conn.CloseNow()
		return nil, fmt.Errorf("first frame: %+v", f)
	}
	c.sessionID = f.SessionID
	c.start()
	return c, nil
}

// start runs the read loop (once the handshake is over).
func (c *client) start() {
	c.frames = make(chan arrival, 64)
	go c.readLoop()
}

func (c *client) readLoop() {
	defer close(c.frames)
	for {
		f, err := c.read(context.Background())
		if err != nil {
			c.err = err
			return
		}
		c.frames <- arrival{f, time.Now()}
	}
}

// next returns the next frame read, or an error when ctx ends first or
// the socket has ended.
func (c *client) next(ctx context.Context) (arrival, error) {
	select {
	case a, ok := <-c.frames:
		if !ok {
			return a, fmt.Errorf("%w: %v", errEnded, c.err)
		}
		return a, nil
	case <-ctx.Done():
		return arrival{}, ctx.Err()
	}
}

// alive reports whether the socket is still open (idle sockets: no frame
// is expected, so a closed channel is the only news).
func (c *client) alive() bool {
	select {
	case _, ok := <-c.frames:
		return ok
	default:
		return true
	}
}

// send writes a message frame; content doubles as the client_id, so the
// send is idempotent as a real client's is. A peer gets its dialect's
// frame instead.
func (c *client) send(ctx context.Context, content string) error {
	var data []byte
	if c.dialect != nil {
		data = c.dialect.message(c.user, content)
	} else {
		data, _ = json.Marshal(outFrame{Type: "message", Content: content, ClientID: content})
	}
	return c.conn.Write(ctx, websocket.MessageText, data)
}

// read returns the next frame. Only one goroutine may read a client.
func (c *client) read(ctx context.Context) (frame, error) {
	var f frame
	_, data, err := c.conn.Read(ctx)
	if err != nil {
		return f, err
	}
	if c.dialect != nil {
		return c.dialect.frame(data)
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return f, fmt.Errorf("bad frame %q: %w", data, err)
	}
	if f.Type == "error" {
		return f, fmt.Errorf("error frame: %s: %s", f.Code, f.Message)
	}
	return f, nil
}

// turn sends content and waits for the bot's reply to it (the echo bot
// repeats it), skipping the other frames (the user message's own echo).
// It returns when the reply arrived.
func (c *client) turn(ctx context.Context, content string) (time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, turnTimeout)
	defer cancel()
	if err := c.send(ctx, content); err != nil {
		return time.Time{}, err
	}
	return c.await(ctx, "bot", content)
}

// await skips frames until the message frame from sender with content.
func (c *client) await(ctx context.Context, sender, content string) (time.Time, error) {
	for {
		a, err := c.next(ctx)
		if err != nil {
			return time.Time{}, err
		}
		if a.Type == "message" && a.Sender == sender && a.Content == content {
			return a.at, nil
		}
	}
}

func (c *client) close() {
	c.closeOnce.Do(func() { c.conn.Close(websocket.StatusNormalClosure, "") })
}
