package main

import "testing"

// The chat call on two nodes: a conversation no node runs is taken by
// the node the call reached, which waits for the turn; one another node
// runs answers at once, incomplete, and the reply still comes.
func TestChatOnTwoNodes(t *testing.T) {
	c := newCluster(t)
	a, b := server(c.node("node-a")), server(c.node("node-b"))
	tok := tokenFor(t, "tess")
	var first chatBody
	if code := api(t, a, "POST", "/api/bots/tally/chat", tok, map[string]string{"message": "one"}, &first); code != 200 || !first.Complete || first.Response != "#1 one" {
		t.Fatalf("chat on A: %d %+v", code, first)
	}
	onB, _ := mustDial(t, b, "bot_id=tally&after=2&session_id="+first.ConversationID, tok)
	var second chatBody
	api(t, b, "POST", "/api/bots/tally/chat", tok, map[string]string{"message": "two", "conversation_id": first.ConversationID}, &second)
	if second.Complete {
		t.Fatalf("chat on B while A runs the dialog claims complete: %+v", second)
	}
	onB.expectMessage("user", "two")
	onB.expectMessage("bot", "#2 two")

	// A conversation new on B is B's to run.
	var other chatBody
	api(t, b, "POST", "/api/bots/tally/chat", tokenFor(t, "uma"), map[string]string{"message": "x"}, &other)
	if !other.Complete || other.Response != "#1 x" {
		t.Fatalf("chat on B: %+v", other)
	}
}
