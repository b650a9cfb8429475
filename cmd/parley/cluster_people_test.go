package main

import (
	"testing"
	"time"
)

// The same on two PostgreSQL nodes: ann on one, bea and the admin on the
// other.
func TestConversationOfTwoUsersTwoNodes(t *testing.T) {
	c := newCluster(t)
	writeBot(t, c.bots, "echo", "name: Echo\n", "while true do TALK(HEAR()) end")
	twoUsersAndABot(t, server(c.node("node-a")), server(c.node("node-b")))
}

// Typing and read receipts between ann on one node and bea on the other:
// the broadcast carries them, and a typing indicator's expiry, both ways.
func TestTypingAndReadReceiptsTwoNodes(t *testing.T) {
	c := newCluster(t)
	writeBot(t, c.bots, "echo", "name: Echo\n", "while true do TALK(HEAR()) end")
	typingAndReceipts(t, server(c.node("node-a")), server(c.node("node-b")))
}

// Notifications across nodes: ann's socket on one node, bea's message
// stored on the other.
func TestNotificationFramesTwoNodes(t *testing.T) {
	c := newCluster(t)
	writeBot(t, c.bots, "echo", "name: Echo\n", "while true do TALK(HEAR()) end")
	notifiedAcross(t, server(c.node("node-a")), server(c.node("node-b")))
}

// One socket following several conversations on one node while the users
// write on the other: each join catches up with what the other node
// stored, and notifications cross.
func TestFollowSeveralConversationsTwoNodes(t *testing.T) {
	c := newCluster(t)
	writeBot(t, c.bots, "echo", "name: Echo\n", "while true do TALK(HEAR()) end")
	followSeveral(t, server(c.node("node-a")), server(c.node("node-b")))
}

// Presence counted per user across nodes: ann's first socket on one node,
// her second and bea's on the other.
func TestPresenceTwoNodes(t *testing.T) {
	c := newCluster(t)
	writeBot(t, c.bots, "echo", "name: Echo\n", "while true do TALK(HEAR()) end")
	presence(t, server(c.node("node-a")), server(c.node("node-b")))
}

// A node that dies cannot say its users left: the others stop hearing its
// listings of them and take them for offline, in two to four listings
// (half a lease time each).
func TestPresenceNodeDies(t *testing.T) {
	c := newCluster(t)
	writeBot(t, c.bots, "echo", "name: Echo\n", "while true do TALK(HEAR()) end")
	ka, kb := c.node("node-a", "--lease-time", "1s"), c.node("node-b", "--lease-time", "1s")
	a, b := server(ka), server(kb)
	ann, bea := tokenFor(t, "ann"), tokenFor(t, "bea")
	var conv struct{ ID string }
	if st := api(t, b, "POST", "/api/conversations", bea, map[string]any{"bot_id": "echo", "participants": []string{"ann"}}, &conv); st != 201 {
		t.Fatalf("POST /api/conversations: %d", st)
	}
	beaWS, _ := mustDial(t, b, "session_id="+conv.ID, bea)
	mustDial(t, a, "session_id="+conv.ID, ann)
	beaWS.expect("presence", func(f frame) bool { return f.User == "ann" && f.Online })
	ka.kill()
	start := time.Now()
	if f := beaWS.expect("presence", nil); f.User != "ann" || f.Online {
		t.Fatalf("bea got %s, want ann offline", f.raw)
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Fatalf("ann went offline %v after her node died; want within four listings", took)
	}
}

// A handover on two nodes: ann and the dialog on one, the agent on the
// other, whose resolve reaches the waiting dialog through the database.
func TestTransferTwoNodes(t *testing.T) {
	c := newCluster(t)
	writeBot(t, c.bots, "handover", "name: Handover\n", handoverBot)
	a, b := server(c.node("node-a")), server(c.node("node-b"))
	handover(t, a, b, func() (*testServer, *testServer) { return a, b })
}

// The node running the dialog is killed (-9) while the conversation waits
// for an agent: the other node takes the dialog over, waits in TRANSFER
// again, and gets the agent's resolve.
func TestTransferRunnerNodeKilled(t *testing.T) {
	c := newCluster(t)
	writeBot(t, c.bots, "handover", "name: Handover\n", handoverBot)
	ka := c.node("node-a", "--lease-time", "2s")
	b := server(c.node("node-b", "--lease-time", "2s"))
	handover(t, server(ka), b, func() (*testServer, *testServer) {
		ka.kill()
		return b, b
	})
}
