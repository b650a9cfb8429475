package runtime_test

import (
	"fmt"
	goruntime "runtime"
	"testing"
	"time"

	"parley/runtime"
)

// TestIdleConversationsHoldNoGoroutine: a conversation's dialog goroutine
// exits once it has nothing to do, so that a conversation waiting for its
// user holds no goroutine stack, and comes back with the next message.
// Not parallel: it counts the process's goroutines.
func TestIdleConversationsHoldNoGoroutine(t *testing.T) {
	h := newHub(t, echo, runtime.Config{})
	const n = 40
	before := goruntime.NumGoroutine()
	ids := make([]runtime.Identity, n)
	subs := make([]*runtime.Subscription, n)
	for i := range subs {
		ids[i] = runtime.Identity{UserID: fmt.Sprint("idle-", i), Role: runtime.RoleUser, IP: "10.0.0.1"}
		subs[i] = h.join(t, ids[i], runtime.JoinRequest{})
		h.send(t, ids[i], subs[i].Session.ID, "hi")
		expectMessage(t, subs[i], runtime.SenderUser, "hi")
		expectMessage(t, subs[i], runtime.SenderBot, "echo: hi")
	}
	deadline := time.Now().Add(waitFor)
	for goruntime.NumGoroutine() >= before+n/2 {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines for %d idle conversations (%d before)", goruntime.NumGoroutine(), n, before)
		}
		time.Sleep(time.Millisecond)
	}
	for i, sub := range subs {
		h.send(t, ids[i], sub.Session.ID, "again")
		expectMessage(t, sub, runtime.SenderUser, "again")
		expectMessage(t, sub, runtime.SenderBot, "echo: again")
	}
}
