package main

import (
	"encoding/json"
	"fmt"
	"testing"
)

// One socket following several conversations, over the real wire
// (docs/support.md, "Following several conversations"): an agent's
// console joins and leaves the conversations assigned to it.
func TestFollowSeveralConversations(t *testing.T) {
	s := MustRunMain(t)
	followSeveral(t, s, s)
}

// notified returns the conversation and content of a notification frame.
func notified(t *testing.T, f frame) (sid, content string) {
	t.Helper()
	var n struct {
		SessionID string `json:"session_id"`
		Message   struct {
			Content string `json:"content"`
		} `json:"message"`
	}
	if err := json.Unmarshal([]byte(f.raw), &n); err != nil {
		t.Fatalf("notification %s: %v", f.raw, err)
	}
	return n.SessionID, n.Message.Content
}

// followSeveral plays it with the users writing over REST on a and the
// agent's socket on b: it connects to the first of four conversations
// assigned to it, joins two more (one with after=2, which replays exactly
// the messages after 2), gets the messages of the three and a
// notification of the fourth, is refused one it may not reach and stays
// open, and after leaving one gets it as notifications only.
func followSeveral(t *testing.T, a, b *testServer) {
	ann, bea := tokenFor(t, "ann"), tokenFor(t, "bea")
	ag, root, zed := tokenWithRole(t, "ag", "agent"), tokenWithRole(t, "root", "admin"), tokenFor(t, "zed")
	owners := []string{ann, bea, ann, bea}
	var ids [4]string
	for i, tok := range owners {
		var c struct{ ID string }
		if st := api(t, a, "POST", "/api/conversations", tok, map[string]any{"bot_id": "echo"}, &c); st != 201 {
			t.Fatalf("POST /api/conversations: %d", st)
		}
		if st := api(t, a, "POST", "/api/conversations/"+c.ID+"/assign", root, map[string]string{"agent": "ag"}, nil); st != 200 {
			t.Fatalf("assign: %d", st)
		}
		ids[i] = c.ID
	}
	post := func(i int, content string) {
		t.Helper()
		if st := api(t, a, "POST", "/api/conversations/"+ids[i]+"/messages", owners[i], map[string]string{"content": content}, nil); st != 201 {
			t.Fatalf("POST messages: %d", st)
		}
	}
	// Two turns in the third, each answered before the next: seq 1–4.
	for n, m := range []string{"one", "two"} {
		post(2, m)
		waitUntil(t, func() bool {
			var h struct{ Messages []frame }
			api(t, a, "GET", "/api/conversations/"+ids[2]+"/history", ann, nil, &h)
			return len(h.Messages) == 2*(n+1)
		})
	}

	agWS, hello := mustDial(t, b, "session_id="+ids[0], ag)
	if hello.SessionID != ids[0] {
		t.Fatalf("connected to %s, want %s", hello.SessionID, ids[0])
	}
	connected := func(f frame) bool { return f.Status == "connected" }
	agWS.send(map[string]any{"type": "join", "session_id": ids[1]})
	if f := agWS.expect("status", connected); f.SessionID != ids[1] || f.BotID != "echo" {
		t.Fatalf("join answered %s, want connected to %s", f.raw, ids[1])
	}
	agWS.send(map[string]any{"type": "join", "session_id": ids[2], "after": 2})
	if f := agWS.expect("status", connected); f.SessionID != ids[2] || f.LastSeq == nil || *f.LastSeq != 4 {
		t.Fatalf("join answered %s, want connected to %s at last_seq 4", f.raw, ids[2])
	}
	for _, want := range []frame{{Seq: 3, Sender: "user", Content: "two"}, {Seq: 4, Sender: "bot", Content: "two"}} {
		if f := agWS.next(); f.Type != "message" || f.SessionID != ids[2] || f.Seq != want.Seq || f.Sender != want.Sender || f.Content != want.Content {
			t.Fatalf("replay frame %s, want %+v", f.raw, want)
		}
	}

	for i, m := range []string{"to 0", "to 1", "to 2", "to 3"} {
		post(i, m)
	}
	for i := range 3 {
		agWS.expect("message", func(f frame) bool { return f.SessionID == ids[i] && f.Content == fmt.Sprint("to ", i) })
	}
	agWS.expect("notification", func(f frame) bool {
		sid, content := notified(t, f)
		return sid == ids[3] && content == "to 3"
	})

	// A conversation the agent may not reach: refused, the socket stays.
	var theirs struct{ ID string }
	if st := api(t, a, "POST", "/api/conversations", zed, map[string]any{"bot_id": "echo"}, &theirs); st != 201 {
		t.Fatalf("POST /api/conversations: %d", st)
	}
	agWS.send(map[string]any{"type": "join", "session_id": theirs.ID})
	if f := agWS.expectError("forbidden"); f.SessionID != theirs.ID {
		t.Fatalf("refusal %s does not name %s", f.raw, theirs.ID)
	}
	agWS.send(map[string]any{"type": "message", "session_id": ids[1], "content": "the agent here", "client_id": "g1"})
	agWS.expect("message", func(f frame) bool {
		return f.SessionID == ids[1] && f.Sender == "agent" && f.Content == "the agent here"
	})

	// Leaving: the left status is the last frame of it; then it comes as
	// notifications.
	agWS.send(map[string]any{"type": "leave", "session_id": ids[1]})
	agWS.expect("status", func(f frame) bool { return f.Status == "left" && f.SessionID == ids[1] })
	post(1, "after leave")
	for {
		switch f := agWS.next(); f.Type {
		case "message":
			if f.SessionID == ids[1] {
				t.Fatalf("a message of a conversation left: %s", f.raw)
			}
		case "notification":
			if sid, content := notified(t, f); sid == ids[1] && content == "after leave" {
				return
			}
		}
	}
}
