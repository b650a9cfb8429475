package runtime_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"parley/runtime"
)

// A person comes online with their first socket and goes offline with
// their last; the others of their conversations are told, once each way,
// with the conversation's id; a newcomer is told who is there already.
func TestPresenceFirstAndLastSocket(t *testing.T) {
	t.Parallel()
	h := newHub(t, silent, runtime.Config{})
	sid := peopleConv(t, h)
	req := runtime.JoinRequest{SessionID: sid}
	b := h.join(t, bob, req)
	expectQuiet(t, b) // alice is not online

	phone := h.join(t, alice, req)
	expectEvents(t, phone, "presence bob online true")
	e := nextEvent(t, b)
	if describe(e) != "presence alice online true" || e.SessionID != sid || e.Role != runtime.RoleUser {
		t.Fatalf("bob got %s %+v, want alice online in %s", describe(e), e, sid)
	}
	laptop := h.join(t, alice, runtime.JoinRequest{BotID: "other"}) // her second socket, elsewhere
	expectQuiet(t, b)
	if got := fmt.Sprint(h.Online(runtime.RoleUser)); got != "[alice bob]" {
		t.Fatalf("Online(user) = %s", got)
	}
	phone.Close()
	expectQuiet(t, b) // the laptop is still open
	laptop.Close()
	expectEvents(t, b, "presence alice online false")
	if got := fmt.Sprint(h.Online("")); got != "[bob]" {
		t.Fatalf("Online() = %s after alice left", got)
	}

	// An agent's presence goes to the conversations they are a person of,
	// and the desk sees them among the agents online.
	agent := runtime.Identity{UserID: "ag", Role: runtime.RoleAgent}
	if _, err := h.Assign(context.Background(), admin, sid, "ag"); err != nil {
		t.Fatal(err)
	}
	ag := h.join(t, agent, runtime.JoinRequest{BotID: "other"})
	expectEvents(t, b, "presence ag online true")
	if got := fmt.Sprint(h.Online(runtime.RoleAgent)); got != "[ag]" {
		t.Fatalf("Online(agent) = %s", got)
	}
	expectQuiet(t, ag) // alone in its own conversation
}

// nodes is a runtime.Cluster that records this node's broadcasts and
// delivers those the test makes up as another node's.
type nodes struct {
	*otherNodes
	sent chan *runtime.Event
}

func (n *nodes) Broadcast(e *runtime.Event) {
	select {
	case n.sent <- e:
	default: // as the real one: best effort
	}
}

// With several nodes a node counts its own sockets of a user and tells
// the others when that count leaves or reaches zero, and lists its online
// users now and then; it tells its sockets when a user comes online on any
// node or goes offline on all, and takes the users of a node that stopped
// listing them for offline.
func TestPresenceAcrossNodes(t *testing.T) {
	t.Parallel()
	const every = 200 * time.Millisecond
	cl := &nodes{otherNodes: newOtherNodes(), sent: make(chan *runtime.Event, 64)}
	h := newHub(t, silent, runtime.Config{Cluster: cl, PresenceEvery: every})
	sid := peopleConv(t, h)
	b := h.join(t, bob, runtime.JoinRequest{SessionID: sid})
	// This node tells the others bob is online here.
	waitBroadcast(t, cl, func(e *runtime.Event) bool { return e.User == "bob" && e.Online })

	// alice comes online on node-a, then on node-b too, then leaves a.
	remote := func(node string, online bool) {
		cl.events <- &runtime.Event{Type: runtime.EventPresence, User: "alice", Role: runtime.RoleUser, Online: online, Node: node}
	}
	remote("node-a", true)
	expectEvents(t, b, "presence alice online true")
	remote("node-b", true)
	remote("node-a", false)
	// Her socket here: not a change for the others, but node-b's word.
	a := h.join(t, alice, runtime.JoinRequest{BotID: "other"})
	waitBroadcast(t, cl, func(e *runtime.Event) bool { return e.User == "alice" && e.Online })
	a.Close()
	waitBroadcast(t, cl, func(e *runtime.Event) bool { return e.User == "alice" && !e.Online })
	expectQuiet(t, b)
	// node-b lists her now and then, then dies: she goes offline here a
	// few listings later.
	cl.events <- &runtime.Event{Type: runtime.EventPresence, Online: true, Node: "node-b",
		Present: []runtime.Presence{{User: "alice", Role: runtime.RoleUser}}}
	start := time.Now()
	expectEvents(t, b, "presence alice online false")
	if took := time.Since(start); took < 2*every {
		t.Fatalf("alice went offline %v after node-b's last listing, before it could have missed two", took)
	}
	// And this node lists bob.
	waitBroadcast(t, cl, func(e *runtime.Event) bool {
		return len(e.Present) == 1 && e.Present[0].User == "bob" && e.Present[0].Role == runtime.RoleUser
	})
}

// waitBroadcast waits for a presence broadcast that satisfies match.
func waitBroadcast(t *testing.T, cl *nodes, match func(*runtime.Event) bool) {
	t.Helper()
	deadline := time.After(waitFor)
	for {
		select {
		case e := <-cl.sent:
			if e.Type == runtime.EventPresence && match(e) {
				return
			}
		case <-deadline:
			t.Fatal("no such broadcast")
		}
	}
}

// A person who is online already when they become one of the
// conversation's people (assigned to it, here while their socket follows
// another conversation) is told to its sockets then: their coming online
// was announced before they were its people. (With several nodes the
// assignment's news can also arrive after the presence broadcast.)
func TestPresenceOfANewPerson(t *testing.T) {
	t.Parallel()
	h := newHub(t, silent, runtime.Config{})
	ctx := context.Background()
	a := h.join(t, alice, runtime.JoinRequest{})
	h.join(t, agentAnn, runtime.JoinRequest{BotID: "other"}) // online, elsewhere
	if _, err := h.Assign(ctx, admin, a.Session.ID, "ag"); err != nil {
		t.Fatal(err)
	}
	expectEvents(t, a, "presence ag online true")
}
