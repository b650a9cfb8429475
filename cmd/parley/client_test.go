package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// frame is any server frame; fields a type does not have stay zero.
type frame struct {
	Type         string          `json:"type"`
	Status       string          `json:"status"`
	SessionID    string          `json:"session_id"`
	BotID        string          `json:"bot_id"`
	LastSeq      *int64          `json:"last_seq"`
	Anonymous    *bool           `json:"anonymous"`
	ResumeToken  string          `json:"resume_token"`
	ID           string          `json:"id"`
	Seq          int64           `json:"seq"`
	Sender       string          `json:"sender"`
	SenderName   string          `json:"sender_name"`
	Metadata     json.RawMessage `json:"metadata"`
	Attachments  []attachment    `json:"attachments"`
	Content      string          `json:"content"`
	Timestamp    string          `json:"timestamp"`
	ClientID     string          `json:"client_id"`
	Active       bool            `json:"active"`
	User         string          `json:"user"`
	Role         string          `json:"role"`
	Online       bool            `json:"online"`
	Reader       string          `json:"reader"`
	Name         string          `json:"name"`
	Suggestions  []string        `json:"suggestions"`
	Code         string          `json:"code"`
	Message      string          `json:"message"`
	RetryAfterMS int64           `json:"retry_after_ms"`
	raw          string
}

// wsClient is a test client of /ws: a reader goroutine queues every frame
// and each expectation waits for its frame with a deadline.
type wsClient struct {
	t      *testing.T
	conn   *websocket.Conn
	frames chan frame
	err    error // why reading stopped; valid once frames is closed

	// lastSeq is the seq of the last message frame returned of the
	// first conversation the socket got messages of (sid); next fails the
	// test when a message frame does not follow it without a gap. seqs is
	// the same for the other conversations the socket follows.
	lastSeq int64
	sid     string
	seqs    map[string]int64
}

const waitFor = 10 * time.Second

// dialWS connects to /ws?query with the given headers.
func dialWS(t *testing.T, s *testServer, query string, header http.Header) (*wsClient, *http.Response, error) {
	t.Helper()
	url := strings.Replace(s.URL(), "http://", "ws://", 1) + "/ws?" + query
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: header})
	if err != nil {
		return nil, resp, err
	}
	conn.SetReadLimit(1 << 20)
	c := &wsClient{t: t, conn: conn, frames: make(chan frame, 4096)}
	go c.read()
	t.Cleanup(func() { conn.CloseNow() })
	return c, resp, nil
}

// mustDial connects with a bearer token (none: anonymous) and returns the
// client and its connected frame.
func mustDial(t *testing.T, s *testServer, query, token string) (*wsClient, frame) {
	t.Helper()
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	c, _, err := dialWS(t, s, query, h)
	if err != nil {
		t.Fatalf("dial /ws?%s: %v", query, err)
	}
	f := c.next()
	if f.Type != "status" || f.Status != "connected" {
		t.Fatalf("first frame = %s, want status connected", f.raw)
	}
	return c, f
}

func (c *wsClient) read() {
	defer close(c.frames)
	for {
		f, err := readFrame(context.Background(), c.conn)
		if err != nil {
			c.err = err
			return
		}
		c.frames <- f
	}
}

// readFrame reads and decodes one server frame.
func readFrame(ctx context.Context, conn *websocket.Conn) (frame, error) {
	_, data, err := conn.Read(ctx)
	if err != nil {
		return frame{}, err
	}
	var f frame
	err = json.Unmarshal(data, &f)
	f.raw = string(data)
	if err != nil {
		// A notification's message is an object, where an error
		// frame's is a string: tests read it from raw.
		var head struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(data, &head) == nil && head.Type == "notification" {
			return frame{Type: "notification", raw: f.raw}, nil
		}
	}
	return f, err
}

// send writes v as a JSON text frame.
func (c *wsClient) send(v any) {
	c.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	c.sendRaw(string(b))
}

func (c *wsClient) sendRaw(s string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := c.conn.Write(ctx, websocket.MessageText, []byte(s)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// say sends a user message.
func (c *wsClient) say(content, clientID string) {
	c.t.Helper()
	c.send(map[string]string{"type": "message", "content": content, "client_id": clientID})
}

// next returns the next frame, failing the test after the deadline.
func (c *wsClient) next() frame {
	c.t.Helper()
	select {
	case f, ok := <-c.frames:
		if !ok {
			c.t.Fatalf("connection ended while waiting for a frame: %v", c.err)
		}
		c.checkSeq(f)
		return f
	case <-time.After(waitFor):
		c.t.Fatalf("no frame within %v", waitFor)
	}
	return frame{}
}

// expect skips frames until one of type typ ("": any) satisfies match.
func (c *wsClient) expect(typ string, match func(frame) bool) frame {
	c.t.Helper()
	deadline := time.After(waitFor)
	for {
		select {
		case f, ok := <-c.frames:
			if !ok {
				c.t.Fatalf("connection ended while waiting for a %s frame: %v", typ, c.err)
			}
			c.checkSeq(f)
			if (typ == "" || f.Type == typ) && (match == nil || match(f)) {
				return f
			}
		case <-deadline:
			c.t.Fatalf("no matching %s frame within %v", typ, waitFor)
		}
	}
}

// checkSeq fails the test when a message frame is not the one after the
// last of its conversation (the first message a socket sees of each may
// have any seq).
func (c *wsClient) checkSeq(f frame) {
	c.t.Helper()
	if f.Type != "message" {
		return
	}
	if c.sid == "" {
		c.sid = f.SessionID
	}
	if f.SessionID != c.sid {
		if c.seqs == nil {
			c.seqs = map[string]int64{}
		}
		if last := c.seqs[f.SessionID]; last > 0 && f.Seq != last+1 {
			c.t.Fatalf("message %s does not follow seq %d", f.raw, last)
		}
		c.seqs[f.SessionID] = f.Seq
		return
	}
	if c.lastSeq > 0 && f.Seq != c.lastSeq+1 {
		c.t.Fatalf("message %s does not follow seq %d", f.raw, c.lastSeq)
	}
	c.lastSeq = f.Seq
}

// nextMessage returns the next message frame, skipping typing and
// suggestion frames.
func (c *wsClient) nextMessage() frame {
	c.t.Helper()
	for {
		f := c.next()
		switch f.Type {
		case "message", "error":
			return f
		}
	}
}

// expectMessage requires the next message frame to be from sender with
// content (or content prefix when it ends in "…").
func (c *wsClient) expectMessage(sender, content string) frame {
	c.t.Helper()
	f := c.nextMessage()
	want, prefix := strings.CutSuffix(content, "…")
	ok := f.Type == "message" && f.Sender == sender && (f.Content == want || (prefix && strings.HasPrefix(f.Content, want)))
	if !ok {
		c.t.Fatalf("got %s, want message from %s %q", f.raw, sender, content)
	}
	return f
}

// expectError skips frames until an error frame and checks its code.
func (c *wsClient) expectError(code string) frame {
	c.t.Helper()
	f := c.expect("error", nil)
	if f.Code != code {
		c.t.Fatalf("error frame %s, want code %s", f.raw, code)
	}
	return f
}

// expectClose waits for the server to close the socket with code.
func (c *wsClient) expectClose(code websocket.StatusCode) {
	c.t.Helper()
	deadline := time.After(waitFor)
	for {
		select {
		case _, ok := <-c.frames:
			if !ok {
				if got := websocket.CloseStatus(c.err); got != code {
					c.t.Fatalf("closed with %v (%v), want %v", got, c.err, code)
				}
				return
			}
		case <-deadline:
			c.t.Fatalf("socket not closed within %v", waitFor)
		}
	}
}
