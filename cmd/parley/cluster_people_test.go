package main

import "testing"

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
