package main

import (
	"encoding/json"
	"testing"
	"time"
)

// A restart of the server (same SQLite file, a new Main) loses nothing a
// Socket.IO client had acknowledged: the client is disconnected when the
// server closes (its library would reconnect), connects to the new one,
// joins again and resends its last message with the same clientId, which
// is not stored twice; the history shows every acknowledged message
// once, in the order they were sent.
func TestSocketIORestart(t *testing.T) {
	dir := testBots(t)
	writeBot(t, dir, "handover", "name: Handover Desk\n", handoverBot)
	c := testConfig(t)
	c.Bots = dir
	s := mustStart(t, c)
	annTok := tokenFor(t, "ann")
	var conv struct{ ID string }
	if st := api(t, s, "POST", "/api/conversations", annTok, map[string]any{"bot_id": "handover"}, &conv); st != 201 {
		t.Fatalf("POST /api/conversations: %d", st)
	}
	join := map[string]any{"conversationId": conv.ID}
	send := func(c *sioClient, content, clientID string) string {
		t.Helper()
		var out struct{ MessageID string }
		ack := c.emitAck("message:send", map[string]any{"conversationId": conv.ID, "content": content, "clientId": clientID})
		if json.Unmarshal(ack, &out); out.MessageID == "" {
			t.Fatalf("send %q acknowledged %s", content, ack)
		}
		return out.MessageID
	}

	ann := mustDialSIO(t, s, annTok, "websocket")
	ann.emitAck("conversation:join", join)
	acked := []string{send(ann, "help", "r1"), send(ann, "one", "r2"), send(ann, "two", "r3")}
	s.Close()
	select {
	case <-ann.gone:
	case <-time.After(waitFor):
		t.Fatal("the client was not disconnected when the server closed")
	}

	s2 := mustStart(t, c)
	ann = mustDialSIO(t, s2, annTok, "websocket")
	ann.emitAck("conversation:join", join)
	if id := send(ann, "two", "r3"); id != acked[2] {
		t.Fatalf("the resent message is %s, want the stored %s", id, acked[2])
	}
	acked = append(acked, send(ann, "three", "r4"))

	ws, _ := mustDial(t, s2, "session_id="+conv.ID+"&after=0", annTok)
	seen := map[string]int{}
	var order []string
	for range 5 { // help, the bot's answer, one, two, three
		f := ws.nextMessage()
		seen[f.ID]++
		if f.Sender == "user" {
			order = append(order, f.ID)
		}
	}
	for i, id := range acked {
		if seen[id] != 1 || order[i] != id {
			t.Fatalf("acknowledged message %d (%s) seen %d times, at place of %s", i, id, seen[id], order[i])
		}
	}
}
