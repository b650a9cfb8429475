package main

import (
	"encoding/json"
	"testing"
)

// Socket.IO on one node, /ws on the other, one conversation (PostgreSQL):
// the runtime's cross-node fan-out carries messages, typing, read
// receipts and presence between them; Socket.IO has no adapter of its
// own. A farmer (ann) on node A's Socket.IO hands over to the desk; an
// agent (ag) on node B's /ws takes the conversation from the queue, and
// both see the same messages in the same order.
func TestSocketIOAndWSTwoNodes(t *testing.T) {
	c := newCluster(t)
	writeBot(t, c.bots, "handover", "name: Handover Desk\n", handoverBot)
	a, b := server(c.node("node-a")), server(c.node("node-b"))
	annTok, agTok := tokenFor(t, "ann"), tokenWithRole(t, "ag", "agent")
	var conv struct{ ID string }
	if st := api(t, a, "POST", "/api/conversations", annTok, map[string]any{"bot_id": "handover"}, &conv); st != 201 {
		t.Fatalf("POST /api/conversations: %d", st)
	}
	cid := conv.ID
	ann := mustDialSIO(t, a, annTok, "websocket")
	ann.emitAck("conversation:join", map[string]any{"conversationId": cid})
	ann.emitAck("message:send", map[string]any{"conversationId": cid, "content": "help", "clientId": "k1"})
	ids := []string{ann.expectNew("help").ID, ann.expectNew("asking a person").ID}

	ag, _ := mustDial(t, b, "session_id="+cid+"&after=0", agTok)
	ann.expect("user:online", has("userId", "ag"))
	ag.send(map[string]any{"type": "typing", "active": true})
	ann.expect("typing:user-typing", has("userId", "ag"))
	ag.say("hello from node B", "g1")
	ids = append(ids, ann.expectNew("hello from node B").ID)
	ann.emit("message:read", map[string]any{"conversationId": cid, "messageId": ids[2]})
	ag.expect("read", func(f frame) bool { return f.Reader == "ann" || f.User == "ann" })
	var sent struct{ MessageID string }
	json.Unmarshal(ann.emitAck("message:send", map[string]any{"conversationId": cid, "content": "hello from node A"}), &sent)
	ids = append(ids, sent.MessageID)

	ann.expectNew("hello from node A")
	replay, _ := mustDial(t, b, "session_id="+cid+"&after=0", agTok)
	for i, id := range ids {
		if f := replay.nextMessage(); f.ID != id {
			t.Fatalf("/ws on node B: message %d is %s (%q), want %s", i, f.ID, f.Content, id)
		}
	}
}
