package main

import (
	"fmt"
	"testing"
	"time"
)

// TestFeedTwoNodes: messages stored on node B reach a feed open on node
// A, each exactly once and in seq order (the feed's order on PostgreSQL:
// schema/feed.go).
func TestFeedTwoNodes(t *testing.T) {
	c := newCluster(t)
	a, b := server(c.node("node-a")), server(c.node("node-b"))
	tok := tokenFor(t, "alice")
	feed := mustSSE(t, a.URL(), "/api/events", tok)
	onB, hello := mustDial(t, b, "bot_id=tally", tok)
	const n = 10
	for i := 1; i <= n; i++ {
		onB.say(fmt.Sprintf("b%d", i), fmt.Sprintf("b%d", i))
	}
	seen := map[int64]bool{}
	last := int64(0)
	deadline := time.After(20 * time.Second)
	for len(seen) < 2*n {
		select {
		case e, ok := <-feed.events:
			if !ok {
				t.Fatalf("the feed ended: %v", feed.err)
			}
			if e.Event != "message" {
				continue
			}
			if e.frame.SessionID != hello.SessionID || seen[e.frame.Seq] || e.frame.Seq != last+1 {
				t.Fatalf("message %s after seq %d", e.Data, last)
			}
			seen[e.frame.Seq], last = true, e.frame.Seq
		case <-deadline:
			t.Fatalf("the feed on node A got %d of %d messages stored on node B", len(seen), 2*n)
		}
	}
	select { // and no repeat
	case e := <-feed.events:
		if e.Event == "message" {
			t.Fatalf("extra message event %s", e.Data)
		}
	case <-time.After(1500 * time.Millisecond):
	}
}
