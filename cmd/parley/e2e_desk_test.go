package main

import (
	"fmt"
	"slices"
	"testing"
)

// GET /api/support/stats over the real wire: after one conversation is
// handed over, answered and resolved, an agent gets the contract's shape
// with that conversation counted; a user gets 403, nobody 401.
func TestSupportStatsEndpoint(t *testing.T) {
	s := MustRunMain(t)
	ann, ag, root := tokenFor(t, "ann"), tokenWithRole(t, "ag", "agent"), tokenWithRole(t, "root", "admin")
	var c struct{ ID string }
	if st := api(t, s, "POST", "/api/conversations", ann, map[string]any{"bot_id": "echo"}, &c); st != 201 {
		t.Fatalf("POST /api/conversations: %d", st)
	}
	for _, step := range []struct {
		method, path, token string
		body                map[string]string
	}{
		{"PATCH", "", root, map[string]string{"support_status": "waiting"}},
		{"POST", "/assign", ag, map[string]string{"agent": "ag"}},
		{"POST", "/messages", ag, map[string]string{"content": "Hello, I am here"}},
		{"PATCH", "", ag, map[string]string{"support_status": "resolved", "note": "done"}},
	} {
		if st := api(t, s, step.method, "/api/conversations/"+c.ID+step.path, step.token, step.body, nil); st/100 != 2 {
			t.Fatalf("%s %s: %d", step.method, step.path, st)
		}
	}
	type seconds struct{ P50, P90 *float64 }
	var stats struct {
		Since                string
		Conversations        int
		ByStatus             map[string]int            `json:"by_status"`
		ByAgent              map[string]map[string]int `json:"by_agent"`
		FirstResponseSeconds seconds                   `json:"first_response_seconds"`
		ResolutionSeconds    seconds                   `json:"resolution_seconds"`
	}
	if st := api(t, s, "GET", "/api/support/stats", ag, nil, &stats); st != 200 {
		t.Fatalf("GET /api/support/stats: %d", st)
	}
	fr, res := stats.FirstResponseSeconds, stats.ResolutionSeconds
	if stats.Conversations != 1 || fmt.Sprint(stats.ByStatus) != "map[closed:0 open:0 resolved:1 waiting:0]" ||
		fmt.Sprint(stats.ByAgent) != "map[ag:map[assigned:1 open:0 resolved:1]]" || stats.Since == "" ||
		fr.P50 == nil || fr.P90 == nil || *fr.P50 < 0 || res.P50 == nil || *res.P50 < *fr.P50 {
		t.Fatalf("stats: %+v", stats)
	}
	if st := api(t, s, "GET", "/api/support/stats", ann, nil, nil); st != 403 {
		t.Fatalf("a user reads the stats: %d; want 403", st)
	}
	if st := api(t, s, "GET", "/api/support/stats", "", nil, nil); st != 401 {
		t.Fatalf("nobody reads the stats: %d; want 401", st)
	}
}

// --support-auto-assign over the real wire: with nobody online a
// conversation put in the queue stays waiting; with two agents connected,
// three conversations the support bot hands over (TRANSFER) go to ag1,
// ag2 and ag1, each open and assigned.
func TestSupportAutoAssign(t *testing.T) {
	s := MustRunMain(t, func(c *Config) { c.SupportAutoAssign = true })
	root := tokenWithRole(t, "root", "admin")
	type conversation struct {
		ID            string  `json:"id"`
		SupportStatus string  `json:"support_status"`
		AssignedAgent *string `json:"assigned_agent"`
	}
	var c, patched conversation
	api(t, s, "POST", "/api/conversations", tokenFor(t, "ann"), map[string]any{"bot_id": "echo"}, &c)
	if st := api(t, s, "PATCH", "/api/conversations/"+c.ID, root, map[string]string{"support_status": "waiting"}, &patched); st != 200 ||
		patched.SupportStatus != "waiting" || patched.AssignedAgent != nil {
		t.Fatalf("nobody online: %d %+v; want waiting for nobody", st, patched)
	}

	mustDial(t, s, "bot_id=echo", tokenWithRole(t, "ag2", "agent"))
	mustDial(t, s, "bot_id=echo", tokenWithRole(t, "ag1", "agent"))
	for i, want := range []string{"ag1", "ag2", "ag1"} {
		user, hello := mustDial(t, s, "bot_id=support", tokenFor(t, fmt.Sprint("user", i)))
		user.say("no idea", "n1") // two answers that are not an order number
		user.say("still none", "n2")
		user.expect("status", func(f frame) bool { return f.Status == "waiting_agent" })
		waitUntil(t, func() bool {
			var q struct{ Conversations []conversation }
			api(t, s, "GET", "/api/support/conversations?status=open&agent="+want, root, nil, &q)
			return slices.ContainsFunc(q.Conversations, func(c conversation) bool { return c.ID == hello.SessionID })
		})
	}
}
