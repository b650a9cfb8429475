package ws_test

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"parley/runtime"
	"parley/ws"
)

func keys(f map[string]any) string {
	return strings.Join(slices.Sorted(maps.Keys(f)), ",")
}

// The first frame says which conversation the socket joined; an anonymous
// one carries its resume token, a user's none.
func TestConnectedFrameOverTheWire(t *testing.T) {
	t.Parallel()
	s := newServer(t, silent, runtime.Config{}, ws.Config{})

	f := read(t, s.dial(t, "", ""))
	if got := keys(f); got != "anonymous,bot_id,last_seq,resume_token,session_id,status,type" {
		t.Fatalf("anonymous connected frame has fields %s: %v", got, f)
	}
	if f["type"] != "status" || f["status"] != "connected" || f["bot_id"] != "echo" ||
		f["last_seq"] != 0.0 || f["anonymous"] != true || f["resume_token"] == "" || f["session_id"] == "" {
		t.Fatalf("anonymous connected frame = %v", f)
	}

	f = read(t, s.dial(t, "bot_id=echo", "alice"))
	if got := keys(f); got != "anonymous,bot_id,last_seq,session_id,status,type" {
		t.Fatalf("user connected frame has fields %s: %v", got, f)
	}
	if f["anonymous"] != false || f["last_seq"] != 0.0 {
		t.Fatalf("user connected frame = %v", f)
	}
}

// A message frame comes back to its socket as the stored message, then
// the bot answers.
func TestMessageRoundTrip(t *testing.T) {
	t.Parallel()
	s := newServer(t, echo, runtime.Config{}, ws.Config{})
	conn := s.dial(t, "", "alice")
	sid := read(t, conn)["session_id"].(string)

	write(t, conn, map[string]string{"type": "message", "content": "hello", "client_id": "c1", "session_id": sid})
	f := read(t, conn)
	if got := keys(f); got != "client_id,content,id,sender,sender_name,seq,session_id,timestamp,type" {
		t.Fatalf("message frame has fields %s: %v", got, f)
	}
	if f["type"] != "message" || f["sender"] != "user" || f["sender_name"] != "Alice" || f["content"] != "hello" || f["client_id"] != "c1" ||
		f["seq"] != 1.0 || f["session_id"] != sid || f["id"] == "" {
		t.Fatalf("message frame = %v", f)
	}
	ts, err := time.Parse(time.RFC3339Nano, f["timestamp"].(string))
	if err != nil || ts.Location() != time.UTC {
		t.Fatalf("timestamp %v: %v", f["timestamp"], err)
	}
	f = read(t, conn)
	if f["type"] != "message" || f["sender"] != "bot" || f["content"] != "echo: hello" || f["seq"] != 2.0 {
		t.Fatalf("answer = %v", f)
	}
	if _, ok := f["client_id"]; ok {
		t.Fatalf("the bot's answer carries a client_id: %v", f)
	}

	write(t, conn, map[string]string{"type": "message", "content": "  "})
	f = read(t, conn)
	if f["type"] != "error" || f["code"] != "invalid_message" || f["session_id"] != sid {
		t.Fatalf("empty message answered %v", f)
	}
}

// A client that stops reading while its conversation produces large
// frames is disconnected rather than buffered without bound: when its
// queue overflows it is closed with 1008 after the frames it was sent.
func TestSlowReaderDropped(t *testing.T) {
	t.Parallel()
	dropped := make(chan struct{})
	logger := slog.New(&signal{msg: "dropped slow subscriber", ch: dropped, once: new(sync.Once)})
	s := newServer(t, silent, runtime.Config{QueueSize: 4, Logger: logger}, ws.Config{})
	conn := s.dial(t, "", "alice")
	sid := read(t, conn)["session_id"].(string)

	publishUntil(t, s, sid, dropped)
	code, reason := readToEnd(t, conn)
	if code != websocket.StatusPolicyViolation || !strings.Contains(reason, "reading too slowly") {
		t.Fatalf("closed with %d %q, want 1008 reading too slowly", code, reason)
	}
	waitEnded(t, s)
}

// A client whose socket stops taking bytes is disconnected after the
// write timeout, even before its queue is full.
func TestSlowReaderWriteTimeout(t *testing.T) {
	t.Parallel()
	s := newServer(t, silent, runtime.Config{QueueSize: 1 << 16}, ws.Config{WriteTimeout: 100 * time.Millisecond})
	conn := s.dial(t, "", "alice")
	sid := read(t, conn)["session_id"].(string)

	publishUntil(t, s, sid, s.ended)
	readToEnd(t, conn)
}

// publishUntil sends large messages to the conversation until stop is
// readable; the client does not read meanwhile.
func publishUntil(t *testing.T, s *server, sid string, stop <-chan struct{}) {
	t.Helper()
	big := strings.Repeat("x", runtime.MaxContentLen-100)
	deadline := time.After(waitFor)
	req := runtime.SendRequest{SessionID: runtime.SessionID(sid), Content: big}
	for sent := 0; ; sent++ {
		select {
		case <-stop:
			t.Logf("disconnected after %d frames", sent)
			return
		case <-deadline:
			t.Fatalf("the server kept the socket after %d frames of %d bytes", sent, len(big))
		default:
		}
		if _, _, err := s.hub.Send(context.Background(), alice, req); err != nil {
			t.Fatal(err)
		}
	}
}

// readToEnd reads what the server buffered until the connection ends and
// returns its close code (-1 when it ended without a close frame). It fails
// if the connection stays open.
func readToEnd(t *testing.T, conn *websocket.Conn) (websocket.StatusCode, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	for {
		_, _, err := conn.Read(ctx)
		if err == nil {
			continue
		}
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatal("the connection is still open")
		}
		var ce websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code, ce.Reason
		}
		return -1, ""
	}
}

func waitEnded(t *testing.T, s *server) {
	t.Helper()
	select {
	case <-s.ended:
	case <-time.After(waitFor):
		t.Fatal("the handler did not return")
	}
}

// signal is a slog.Handler that closes ch when msg is logged: it tells a
// test what the hub did without sleeping.
type signal struct {
	msg  string
	ch   chan struct{}
	once *sync.Once
}

func (s *signal) Enabled(context.Context, slog.Level) bool { return true }
func (s *signal) WithAttrs([]slog.Attr) slog.Handler       { return s }
func (s *signal) WithGroup(string) slog.Handler            { return s }
func (s *signal) Handle(_ context.Context, r slog.Record) error {
	if r.Message == s.msg {
		s.once.Do(func() { close(s.ch) })
	}
	return nil
}
