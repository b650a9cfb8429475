package rest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"parley/runtime"
)

// callers of the support desk tests: a user who started the
// conversations, another user, two agents, an admin and nobody.
func deskCallers(t *testing.T, a *api) map[string]string {
	return map[string]string{
		"user": a.token(t, "ann", ""), "other user": a.token(t, "zed", ""),
		"agent": a.token(t, "ag", "agent"), "other agent": a.token(t, "ag2", "agent"),
		"admin": a.token(t, "root", "admin"), "anonymous": "",
	}
}

// deskConversation is a conversation of ann's, assigned to agent (none
// when "") and then put at status by the admin (assigning a waiting one
// would make it open).
func deskConversation(t *testing.T, a *api, status, agent string) string {
	t.Helper()
	c := deskCallers(t, a)
	id := a.do(t, "POST", "/api/conversations", c["user"], `{}`).expect(t, 201, "").body["id"].(string)
	if agent != "" {
		a.do(t, "POST", "/api/conversations/"+id+"/assign", c["admin"], `{"agent":"`+agent+`"}`).expect(t, 200, "")
	}
	a.do(t, "PATCH", "/api/conversations/"+id, c["admin"], `{"support_status":"`+status+`"}`).expect(t, 200, "")
	return id
}

// GET /api/support/conversations: agents and admins list the queue,
// oldest activity first, filtered by status and agent, in pages; users
// get 403, nobody 401; a visitor's conversation the desk never had (no
// handover, nobody assigned) does not appear.
func TestSupportQueue(t *testing.T) {
	a := newAPI(t, runtime.Config{})
	c := deskCallers(t, a)
	older := deskConversation(t, a, "waiting", "")
	newer := deskConversation(t, a, "waiting", "ag")
	a.do(t, "POST", "/api/conversations/"+older+"/messages", c["user"], `{"content":"still there?"}`).expect(t, 201, "")
	// older now has the newer activity: the queue is newer, then older.
	resolved := deskConversation(t, a, "resolved", "")
	anon := &runtime.Session{ID: runtime.SessionID(runtime.NewID()), BotID: "echo", UserID: "anon:x",
		Anonymous: true, Status: runtime.StatusActive, SupportStatus: runtime.SupportWaiting}
	if err := a.store.CreateSession(context.Background(), anon); err != nil {
		t.Fatal(err)
	}
	ids := func(r reply) string {
		var out []string
		for _, row := range r.body["conversations"].([]any) {
			out = append(out, row.(map[string]any)["id"].(string))
		}
		return fmt.Sprint(out)
	}
	for _, who := range []string{"agent", "admin"} {
		r := a.do(t, "GET", "/api/support/conversations", c[who], "").expect(t, 200, "")
		if got, want := ids(r), fmt.Sprint([]string{newer, older}); got != want || r.body["total"] != 2.0 ||
			r.body["page"] != 1.0 || r.body["limit"] != 20.0 {
			t.Errorf("%s: queue %s; want %s, total 2, page 1, limit 20", who, r.raw, want)
		}
	}
	row := a.do(t, "GET", "/api/support/conversations", c["agent"], "").body["conversations"].([]any)[1].(map[string]any)
	if row["last_message"] != "still there?" || row["support_status"] != "waiting" || row["assigned_agent"] != nil ||
		row["session_id"] != older || row["bot_id"] != "echo" || row["last_activity"] == "" {
		t.Errorf("a queue row: %v", row)
	}
	for query, want := range map[string]string{
		"?status=waiting&limit=1":        fmt.Sprint([]string{newer}),
		"?status=waiting&limit=1&page=2": fmt.Sprint([]string{older}),
		"?page=3&limit=1":                "[]",
		"?agent=ag":                      fmt.Sprint([]string{newer}),
		"?agent=none":                    fmt.Sprint([]string{older}),
		"?agent=ag2":                     "[]",
		"?status=closed":                 "[]",
	} {
		if got := ids(a.do(t, "GET", "/api/support/conversations"+query, c["agent"], "").expect(t, 200, "")); got != want {
			t.Errorf("%s: %s; want %s", query, got, want)
		}
	}
	// Past waiting, an agent lists only what the rule lets them reach:
	// those assigned to them; an admin lists all.
	for who, want := range map[string]string{"agent": "[]", "admin": fmt.Sprint([]string{resolved})} {
		if got := ids(a.do(t, "GET", "/api/support/conversations?status=resolved", c[who], "").expect(t, 200, "")); got != want {
			t.Errorf("%s, ?status=resolved: %s; want %s", who, got, want)
		}
	}
	for _, bad := range []string{"?status=archived", "?status=bogus", "?page=0", "?limit=0", "?limit=x"} {
		a.do(t, "GET", "/api/support/conversations"+bad, c["agent"], "").expect(t, 400, "invalid_request")
	}
	a.do(t, "GET", "/api/support/conversations", c["user"], "").expect(t, 403, "forbidden")
	a.do(t, "GET", "/api/support/conversations", c["other user"], "").expect(t, 403, "forbidden")
	a.do(t, "GET", "/api/support/conversations", "", "").expect(t, 401, "unauthorized")
}

// POST /api/conversations/:id/assign: an admin assigns anyone (or
// nobody); an agent only themselves, and only a conversation the rule
// lets them reach; the agent becomes a member and keeps access.
func TestAssign(t *testing.T) {
	a := newAPI(t, runtime.Config{})
	c := deskCallers(t, a)
	for _, tc := range []struct {
		who, status, assigned, agent string
		want                         int
		code                         string
	}{
		{"anonymous", "waiting", "", "ag", 401, "unauthorized"},
		{"user", "waiting", "", "ann", 403, "forbidden"},
		{"other user", "waiting", "", "zed", 403, "forbidden"},
		{"agent", "waiting", "", "ag", 200, ""},
		{"agent", "waiting", "", "ag2", 403, "forbidden"},
		{"agent", "waiting", "", "", 403, "forbidden"},
		{"agent", "open", "", "ag", 403, "forbidden"},          // not in the queue
		{"other agent", "open", "ag", "ag2", 403, "forbidden"}, // assigned to another
		{"agent", "open", "ag", "ag", 200, ""},                 // assigned to them
		{"admin", "open", "", "bea", 200, ""},
		{"admin", "resolved", "ag", "", 200, ""},
		{"admin", "open", "", "anon:x", 400, "invalid_request"},
	} {
		id := deskConversation(t, a, tc.status, tc.assigned)
		r := a.do(t, "POST", "/api/conversations/"+id+"/assign", c[tc.who], `{"agent":"`+tc.agent+`"}`)
		if r.status != tc.want || (tc.code != "" && r.body["error"] != tc.code) {
			t.Errorf("%s assigns %q a conversation %s assigned to %q: %d %s; want %d %s",
				tc.who, tc.agent, tc.status, tc.assigned, r.status, r.raw, tc.want, tc.code)
			continue
		}
		if tc.want != 200 {
			continue
		}
		if got := r.body["assigned_agent"]; (tc.agent == "" && got != nil) || (tc.agent != "" && got != tc.agent) {
			t.Errorf("%s assigns %q: assigned_agent %v", tc.who, tc.agent, got)
		}
		if tc.agent != "" && fmt.Sprint(r.body["participants"]) != "["+tc.agent+"]" {
			t.Errorf("%s assigns %q: participants %v; want the agent", tc.who, tc.agent, r.body["participants"])
		}
	}
	// Taken and resolved, the agent still reads it: they are a member.
	id := deskConversation(t, a, "waiting", "")
	a.do(t, "POST", "/api/conversations/"+id+"/assign", c["agent"], `{"agent":"ag"}`).expect(t, 200, "")
	a.do(t, "PATCH", "/api/conversations/"+id, c["agent"], `{"support_status":"resolved","note":"fixed"}`).expect(t, 200, "")
	a.do(t, "POST", "/api/conversations/"+id+"/assign", c["admin"], `{"agent":""}`).expect(t, 200, "")
	a.do(t, "GET", "/api/conversations/"+id+"/history", c["agent"], "").expect(t, 200, "")
	a.do(t, "GET", "/api/conversations/"+id+"/history", c["other agent"], "").expect(t, 403, "forbidden")
	a.do(t, "POST", "/api/conversations/"+id+"/assign", c["admin"], `{}`).expect(t, 400, "invalid_request")
	a.do(t, "POST", "/api/conversations/nope/assign", c["admin"], `{"agent":"ag"}`).expect(t, 404, "not_found")
}

// PATCH /api/conversations/:id {support_status}: agents (on what the rule
// lets them reach) and admins; users get 403 and change nothing.
func TestPatchSupportStatus(t *testing.T) {
	a := newAPI(t, runtime.Config{})
	c := deskCallers(t, a)
	for _, tc := range []struct {
		who, status, assigned, to string
		want                      int
		code                      string
	}{
		{"anonymous", "waiting", "", "resolved", 401, "unauthorized"},
		{"user", "open", "", "waiting", 403, "forbidden"},
		{"other user", "waiting", "", "resolved", 403, "forbidden"},
		{"agent", "waiting", "", "resolved", 200, ""},
		{"agent", "open", "ag", "closed", 200, ""},
		{"agent", "open", "", "waiting", 403, "forbidden"},
		{"other agent", "open", "ag", "resolved", 403, "forbidden"},
		{"admin", "open", "", "waiting", 200, ""},
		{"agent", "waiting", "", "archived", 400, "invalid_request"},
	} {
		id := deskConversation(t, a, tc.status, tc.assigned)
		note := ""
		if tc.to == "resolved" || tc.to == "closed" {
			note = `,"note":"n"`
		}
		r := a.do(t, "PATCH", "/api/conversations/"+id, c[tc.who], `{"support_status":"`+tc.to+`","title":"by `+tc.who+`"`+note+`}`)
		if r.status != tc.want || (tc.code != "" && r.body["error"] != tc.code) {
			t.Errorf("%s sets %s on a conversation %s assigned to %q: %d %s; want %d %s",
				tc.who, tc.to, tc.status, tc.assigned, r.status, r.raw, tc.want, tc.code)
			continue
		}
		want := map[bool][2]string{true: {tc.to, "by " + tc.who}, false: {tc.status, ""}}[tc.want == 200]
		s, err := a.store.FindSession(context.Background(), runtime.SessionID(id))
		if err != nil || s.SupportStatus != want[0] || s.Title != want[1] {
			t.Errorf("%s sets %s: stored %q, title %q; want %q, %q", tc.who, tc.to, s.SupportStatus, s.Title, want[0], want[1])
		}
	}
}

// A resolve keeps its note and who resolved it, and returns them; a note
// goes only with resolved or closed; assigning a waiting conversation
// takes it out of those waiting.
func TestResolveNote(t *testing.T) {
	a := newAPI(t, runtime.Config{})
	c := deskCallers(t, a)
	id := deskConversation(t, a, "waiting", "")
	a.do(t, "PATCH", "/api/conversations/"+id, c["agent"], `{"support_status":"waiting","note":"n"}`).expect(t, 400, "invalid_request")
	a.do(t, "PATCH", "/api/conversations/"+id, c["agent"], `{"support_status":"resolved","note":"`+strings.Repeat("é", 4001)+`"}`).expect(t, 400, "invalid_request")
	r := a.do(t, "POST", "/api/conversations/"+id+"/assign", c["agent"], `{"agent":"ag"}`).expect(t, 200, "")
	if r.body["support_status"] != "open" || r.body["assigned_agent"] != "ag" || r.body["waiting_since"] == nil {
		t.Errorf("assigned: %s; want open, assigned to ag, waiting_since kept", r.raw)
	}
	r = a.do(t, "PATCH", "/api/conversations/"+id, c["agent"], `{"support_status":"resolved","note":"refunded"}`).expect(t, 200, "")
	if r.body["support_status"] != "resolved" || r.body["note"] != "refunded" || r.body["resolved_by"] != "Ag" {
		t.Errorf("resolved: %s; want resolved, note refunded, resolved_by Ag (the name)", r.raw)
	}
}
