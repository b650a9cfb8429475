package main

import (
	"testing"
)

// The support queue over the real wire (docs/support.md, "The support
// queue"): an admin puts ann's conversation in the queue; an agent finds
// it there, assigns it to themselves, reads its history and answers; ann's
// socket gets the answer as an agent's, and the bot does not hear it.
func TestSupportQueueAndAssign(t *testing.T) {
	s := MustRunMain(t)
	ann, ag, root := tokenFor(t, "ann"), tokenWithRole(t, "ag", "agent"), tokenWithRole(t, "root", "admin")
	var c struct{ ID string }
	if st := api(t, s, "POST", "/api/conversations", ann, map[string]any{"bot_id": "echo"}, &c); st != 201 {
		t.Fatalf("POST /api/conversations: %d", st)
	}
	annWS, _ := mustDial(t, s, "session_id="+c.ID, ann)
	annWS.say("I need a person", "a1")
	annWS.expectMessage("user", "I need a person")
	annWS.expectMessage("bot", "I need a person")

	type conversation struct {
		ID            string  `json:"id"`
		SupportStatus string  `json:"support_status"`
		AssignedAgent *string `json:"assigned_agent"`
		LastMessage   *string `json:"last_message"`
	}
	var patched conversation
	if st := api(t, s, "PATCH", "/api/conversations/"+c.ID, root, map[string]string{"support_status": "waiting"}, &patched); st != 200 || patched.SupportStatus != "waiting" {
		t.Fatalf("PATCH support_status: %d %+v", st, patched)
	}
	if st := api(t, s, "GET", "/api/support/conversations", ann, nil, nil); st != 403 {
		t.Fatalf("a user lists the queue: %d; want 403", st)
	}
	var queue struct {
		Conversations []conversation
		Total         int
		Page, Limit   int
	}
	if st := api(t, s, "GET", "/api/support/conversations?status=waiting&agent=none", ag, nil, &queue); st != 200 ||
		queue.Total != 1 || queue.Page != 1 || queue.Limit != 20 || len(queue.Conversations) != 1 || queue.Conversations[0].ID != c.ID ||
		queue.Conversations[0].LastMessage == nil || *queue.Conversations[0].LastMessage != "I need a person" {
		t.Fatalf("the queue: %d %+v", st, queue)
	}

	var assigned conversation
	if st := api(t, s, "POST", "/api/conversations/"+c.ID+"/assign", ag, map[string]string{"agent": "ag"}, &assigned); st != 200 ||
		assigned.AssignedAgent == nil || *assigned.AssignedAgent != "ag" || assigned.SupportStatus != "open" {
		t.Fatalf("assign: %d %+v", st, assigned)
	}
	var hist struct{ Messages []frame }
	if st := api(t, s, "GET", "/api/conversations/"+c.ID+"/history", ag, nil, &hist); st != 200 || len(hist.Messages) != 2 {
		t.Fatalf("the agent reads the history: %d %+v", st, hist)
	}
	if st := api(t, s, "POST", "/api/conversations/"+c.ID+"/messages", ag, map[string]string{"content": "Hello, I am here"}, nil); st != 201 {
		t.Fatalf("the agent answers: %d", st)
	}
	if f := annWS.expectMessage("agent", "Hello, I am here"); f.SenderName != "ag" {
		t.Fatalf("the agent's message has sender_name %q", f.SenderName)
	}
	annWS.say("thanks", "a2") // the next bot message answers ann, not the agent
	annWS.expectMessage("user", "thanks")
	annWS.expectMessage("bot", "thanks")
	// Taken, it left those waiting for an agent: it is the agent's, open.
	if st := api(t, s, "GET", "/api/support/conversations?status=open&agent=ag", ag, nil, &queue); st != 200 || queue.Total != 1 {
		t.Fatalf("the agent's own queue: %d %+v", st, queue)
	}
}
