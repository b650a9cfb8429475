package ws_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"parley/runtime"
	"parley/ws"
)

// TestKeepalive: the server pings each socket every PingInterval. A peer
// that never reads never answers, and is disconnected once a pong is
// WriteTimeout late; a peer that reads answers the pings and stays.
func TestKeepalive(t *testing.T) {
	t.Parallel()
	s := newServer(t, echo, runtime.Config{}, ws.Config{PingInterval: 20 * time.Millisecond, WriteTimeout: 200 * time.Millisecond})
	live := s.dial(t, "", "alice")
	sid := read(t, live)["session_id"].(string)
	frames := make(chan map[string]any, 16)
	go func() { // reading is what answers pings
		for {
			_, data, err := live.Read(context.Background())
			if err != nil {
				close(frames)
				return
			}
			var f map[string]any
			json.Unmarshal(data, &f)
			frames <- f
		}
	}()

	deaf := s.dial(t, "", "bob")
	read(t, deaf) // connected; then never read again
	select {
	case <-s.ended: // the deaf socket's handler returned
	case <-time.After(waitFor):
		t.Fatal("a peer that answers no ping is still connected")
	}

	write(t, live, map[string]string{"type": "message", "content": "still here", "session_id": sid})
	for {
		select {
		case f, ok := <-frames:
			if !ok {
				t.Fatal("the socket that answers pings was closed")
			}
			if f["sender"] == "bot" && f["content"] == "echo: still here" {
				return
			}
		case <-time.After(waitFor):
			t.Fatal("no answer on the socket that answers pings")
		}
	}
}
