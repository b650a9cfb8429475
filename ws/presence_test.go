package ws_test

import (
	"context"
	"testing"
	"time"

	"github.com/coder/websocket"

	"parley/runtime"
	"parley/ws"
)

// Presence over the wire: bob's socket of a conversation with alice is
// told she is online when her first socket opens, not when her second
// does, and offline when her last closes, not before.
func TestPresenceFrames(t *testing.T) {
	t.Parallel()
	s := newServer(t, silent, runtime.Config{}, ws.Config{})
	c, err := s.hub.CreateConversation(context.Background(), alice, runtime.NewConversation{Participants: []string{"bob"}})
	if err != nil {
		t.Fatal(err)
	}
	sid := string(c.ID)
	b := s.dial(t, "session_id="+sid, "bob")
	expectFrame(t, b, "status", sid, map[string]any{"status": "connected"})

	phone := s.dial(t, "session_id="+sid, "alice")
	expectFrame(t, phone, "status", sid, map[string]any{"status": "connected"})
	expectFrame(t, phone, "presence", sid, map[string]any{"user": "bob", "role": "user", "online": true})
	expectFrame(t, b, "presence", sid, map[string]any{"user": "alice", "role": "user", "online": true})

	own, err := s.hub.CreateConversation(context.Background(), alice, runtime.NewConversation{})
	if err != nil {
		t.Fatal(err)
	}
	laptop := s.dial(t, "session_id="+string(own.ID), "alice") // her second socket, on another conversation
	read(t, laptop)
	// bob's next frame is her message: her second socket told him nothing.
	write(t, laptop, map[string]any{"type": "join", "session_id": sid})
	expectFrame(t, laptop, "status", sid, map[string]any{"status": "connected"})
	expectFrame(t, laptop, "presence", sid, map[string]any{"user": "bob", "online": true})
	write(t, laptop, map[string]any{"type": "message", "session_id": sid, "content": "from the laptop"})
	expectFrame(t, b, "message", sid, map[string]any{"content": "from the laptop"})

	phone.Close(websocket.StatusNormalClosure, "")
	select {
	case <-s.ended: // the server is done with it
	case <-time.After(waitFor):
		t.Fatal("the server did not end the closed socket")
	}
	write(t, laptop, map[string]any{"type": "message", "session_id": sid, "content": "still here"})
	expectFrame(t, b, "message", sid, map[string]any{"content": "still here"})
	laptop.Close(websocket.StatusNormalClosure, "")
	expectFrame(t, b, "presence", sid, map[string]any{"user": "alice", "online": false})
}
