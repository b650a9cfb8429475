package ws_test

import (
	"context"
	"testing"

	"github.com/coder/websocket"

	"parley/runtime"
	"parley/ws"
)

// Two people in one conversation see each other's typing and read
// receipts, never their own; a burst of typing frames is cut down
// silently, and a message ends its author's typing.
func TestTypingAndReadBetweenPeople(t *testing.T) {
	t.Parallel()
	s := newServer(t, silent, runtime.Config{}, ws.Config{})
	conv, err := s.hub.CreateConversation(context.Background(), alice, runtime.NewConversation{Participants: []string{"bob"}})
	if err != nil {
		t.Fatal(err)
	}
	sid := string(conv.ID)
	a := s.dial(t, "session_id="+sid, "alice")
	read(t, a)
	b := s.dial(t, "session_id="+sid, "bob")
	read(t, b)
	// Each is told the other is online: bob as he joins, alice when he
	// comes online.
	if f := read(t, b); f["type"] != "presence" || f["user"] != "alice" || f["online"] != true || f["role"] != "user" || f["session_id"] != sid {
		t.Fatalf("bob got %v, want alice's presence", f)
	}
	if f := read(t, a); f["type"] != "presence" || f["user"] != "bob" || f["online"] != true {
		t.Fatalf("alice got %v, want bob's presence", f)
	}

	write(t, a, map[string]any{"type": "message", "content": "hi"})
	for _, c := range []*websocket.Conn{a, b} {
		if f := read(t, c); f["type"] != "message" || f["seq"] != 1.0 {
			t.Fatalf("frame %v, want message 1", f)
		}
	}
	write(t, a, map[string]any{"type": "typing", "active": true, "session_id": sid})
	if f := read(t, b); f["type"] != "typing" || f["sender"] != "user" || f["user"] != "alice" || f["active"] != true || f["session_id"] != sid {
		t.Fatalf("bob got %v, want alice typing", f)
	}
	write(t, b, map[string]any{"type": "read", "seq": 1})
	// alice's next frame is bob's receipt: her own typing did not come back.
	if f := read(t, a); f["type"] != "read" || f["reader"] != "bob" || f["seq"] != 1.0 || f["session_id"] != sid || len(f) != 4 {
		t.Fatalf("alice got %v, want bob's read receipt", f)
	}

	// A burst: alice's indicator is on, so false, true, … alternate
	// changes; only a few get through.
	for i := range 40 {
		write(t, a, map[string]any{"type": "typing", "active": i%2 == 1})
	}
	write(t, a, map[string]any{"type": "message", "content": "done"})
	typing, last := 0, map[string]any(nil)
	for {
		f := read(t, b)
		if f["type"] == "message" {
			break
		}
		typing++
		last = f
	}
	if typing < 5 || typing > 10 || last["active"] != false {
		t.Fatalf("bob got %d typing frames of 40 sent, the last %v; want about 5, ending with active:false", typing, last)
	}

	// A typing frame naming another conversation is refused.
	write(t, b, map[string]any{"type": "typing", "active": true, "session_id": "elsewhere"})
	if f := read(t, b); f["type"] != "error" || f["code"] != "forbidden" {
		t.Fatalf("typing elsewhere answered %v", f)
	}
}
