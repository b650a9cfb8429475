package rest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"parley/rest"
	"parley/runtime"
)

// GET /api/bots needs no credentials, but refuses bad ones.
func TestBotsEndpoint(t *testing.T) {
	t.Parallel()
	a := newAPI(t, runtime.Config{})
	r := a.do(t, "GET", "/api/bots", "", "").expect(t, 200, "")
	if fields(r.body) != "bots" {
		t.Fatalf("body %s", r.raw)
	}
	want := `{"bots":[{"id":"echo","name":"Echo","description":"says it back","default":true},` +
		`{"id":"other","name":"Other","description":"for users","default":false}]}`
	if strings.TrimSpace(r.raw) != want {
		t.Fatalf("body %s\nwant %s", r.raw, want)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("Cache-Control %q", cc)
	}
	a.do(t, "GET", "/api/bots", a.token(t, "alice", ""), "").expect(t, 200, "")
	a.do(t, "GET", "/api/bots", "not-a-jwt", "").expect(t, 401, "unauthorized")
}

// Every other endpoint answers 401 without credentials, and unknown /api
// paths 404, in JSON.
func TestCredentialsAndUnknownPaths(t *testing.T) {
	t.Parallel()
	a := newAPI(t, runtime.Config{})
	private := []struct{ method, path, body string }{
		{"POST", "/api/ws-ticket", ""},
		{"POST", "/api/conversations/start", `{"bot_id":"echo"}`},
		{"GET", "/api/conversations", ""},
		{"PATCH", "/api/conversations/x", `{"status":"archived"}`},
		{"POST", "/api/conversations/x/messages", `{"content":"hi"}`},
		{"GET", "/api/conversations/x/history", ""},
	}
	expired, _ := (&rest.JWT{Secret: secret, Now: func() time.Time { return time.Now().Add(-time.Hour) }}).Sign("alice", "", "", time.Minute)
	for _, p := range private {
		a.do(t, p.method, p.path, "", p.body).expect(t, 401, "unauthorized")
		a.do(t, p.method, p.path, expired, p.body).expect(t, 401, "unauthorized")
	}
	tok := a.token(t, "alice", "")
	for _, path := range []string{"/api/nope", "/api/conversations/x/y/z", "/api/"} {
		a.do(t, "GET", path, "", "").expect(t, 404, "not_found")
		a.do(t, "GET", path, tok, "").expect(t, 404, "not_found")
	}
}

// An unknown X-API-Key is answered 401, even beside a valid JWT.
func TestAPIKeyRefused(t *testing.T) {
	t.Parallel()
	a := newAPI(t, runtime.Config{})
	for _, token := range []string{"", a.token(t, "alice", "")} {
		req, _ := http.NewRequest("GET", a.URL+"/api/conversations", nil)
		req.Header.Set("X-API-Key", "k")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := a.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]string
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != 401 || body["error"] != "unauthorized" {
			t.Fatalf("status %d %v, want 401 unauthorized", resp.StatusCode, body)
		}
	}
}

func TestWSTicketEndpoint(t *testing.T) {
	t.Parallel()
	a := newAPI(t, runtime.Config{})
	r := a.do(t, "POST", "/api/ws-ticket", a.token(t, "alice", "agent"), "").expect(t, 200, "")
	if fields(r.body) != "expires_in,ticket" || r.body["expires_in"] != 30.0 {
		t.Fatalf("body %s", r.raw)
	}
	id, err := a.hub.RedeemTicket(context.Background(), r.body["ticket"].(string))
	if err != nil || id.UserID != "alice" || id.Role != runtime.RoleAgent {
		t.Fatalf("ticket names %+v, %v", id, err)
	}
}

// start, post, history, list and patch, with their answers' shapes.
func TestConversationEndpoints(t *testing.T) {
	t.Parallel()
	a := newAPI(t, runtime.Config{})
	alice, bob, root := a.token(t, "alice", ""), a.token(t, "bob", ""), a.token(t, "root", "admin")

	r := a.do(t, "POST", "/api/conversations/start", alice, `{"bot_id":"other","initial_message":"first"}`).expect(t, 201, "")
	if fields(r.body) != "bot_id,conversation_id,session_id,status" || r.body["status"] != "active" ||
		r.body["bot_id"] != "other" || r.body["conversation_id"] != r.body["session_id"] {
		t.Fatalf("start: %s", r.raw)
	}
	id := r.body["conversation_id"].(string)
	a.do(t, "POST", "/api/conversations/start", alice, `{"bot_id":"nope"}`).expect(t, 404, "not_found")
	a.do(t, "POST", "/api/conversations/start", alice, `{}`).expect(t, 400, "invalid_request")
	a.do(t, "POST", "/api/conversations/start", alice, `{"bot_id":"echo"}{}`).expect(t, 400, "invalid_request")

	msgs := "/api/conversations/" + id + "/messages"
	r = a.do(t, "POST", msgs, alice, `{"content":"second","client_id":"c2"}`).expect(t, 201, "")
	if fields(r.body) != "message_id,seq,status,timestamp" || r.body["seq"] != 2.0 || r.body["status"] != "delivered" {
		t.Fatalf("post: %s", r.raw)
	}
	if _, err := time.Parse(time.RFC3339Nano, r.body["timestamp"].(string)); err != nil {
		t.Fatalf("timestamp: %v", err)
	}
	again := a.do(t, "POST", msgs, alice, `{"content":"second","client_id":"c2"}`).expect(t, 201, "")
	if again.body["message_id"] != r.body["message_id"] || again.body["seq"] != 2.0 {
		t.Fatalf("retry answered %s, want %s", again.raw, r.raw)
	}
	a.do(t, "POST", msgs, alice, `{"content":"  "}`).expect(t, 400, "invalid_message")
	a.do(t, "POST", msgs, alice, `{"content":"`+strings.Repeat("x", 70<<10)+`"}`).expect(t, 413, "too_large")
	a.do(t, "POST", msgs, bob, `{"content":"hi"}`).expect(t, 403, "forbidden")
	a.do(t, "POST", msgs, root, `{"content":"from admin"}`).expect(t, 201, "")
	a.do(t, "POST", "/api/conversations/nope/messages", alice, `{"content":"hi"}`).expect(t, 404, "not_found")

	checkHistory(t, a, id, alice, bob)
	checkList(t, a, id, alice)

	patch := "/api/conversations/" + id
	r = a.do(t, "PATCH", patch, alice, `{"status":"archived"}`).expect(t, 200, "")
	if r.body["id"] != id || r.body["status"] != "archived" || r.body["bot_name"] != "Other" {
		t.Fatalf("patch: %s", r.raw)
	}
	a.do(t, "PATCH", patch, alice, `{"status":"deleted"}`).expect(t, 400, "invalid_request")
	a.do(t, "PATCH", patch, alice, `{}`).expect(t, 400, "invalid_request")
	a.do(t, "PATCH", patch, bob, `{"status":"active"}`).expect(t, 403, "forbidden")
	a.do(t, "PATCH", "/api/conversations/nope", alice, `{"status":"active"}`).expect(t, 404, "not_found")
	if r := a.do(t, "GET", "/api/conversations?status=archived", alice, "").expect(t, 200, ""); r.body["total"] != 1.0 {
		t.Fatalf("archived list: %s", r.raw)
	}
}

func checkHistory(t *testing.T, a *api, id, owner, stranger string) {
	t.Helper()
	hist := "/api/conversations/" + id + "/history"
	r := a.do(t, "GET", hist, owner, "").expect(t, 200, "")
	list, _ := r.body["messages"].([]any)
	if fields(r.body) != "has_more,messages" || r.body["has_more"] != false || len(list) != 3 {
		t.Fatalf("history: %s", r.raw)
	}
	first := list[0].(map[string]any)
	if fields(first) != "content,id,sender,sender_name,seq,session_id,timestamp" || first["content"] != "first" ||
		first["seq"] != 1.0 || first["sender"] != "user" || first["sender_name"] != "Alice" || first["session_id"] != id {
		t.Fatalf("history message: %v", first)
	}
	if got := fields(list[1]); got != "client_id,content,id,sender,sender_name,seq,session_id,timestamp" {
		t.Fatalf("a message with client_id has fields %s", got)
	}
	r = a.do(t, "GET", hist+"?limit=1", owner, "").expect(t, 200, "")
	if l := r.body["messages"].([]any); len(l) != 1 || l[0].(map[string]any)["seq"] != 3.0 || r.body["has_more"] != true {
		t.Fatalf("limit=1: %s", r.raw)
	}
	r = a.do(t, "GET", hist+"?limit=1&after="+url.QueryEscape(first["timestamp"].(string)), owner, "").expect(t, 200, "")
	if l := r.body["messages"].([]any); len(l) != 1 || l[0].(map[string]any)["seq"] != 2.0 || r.body["has_more"] != true {
		t.Fatalf("after a timestamp: %s", r.raw)
	}
	r = a.do(t, "GET", hist+"?before="+first["id"].(string), owner, "").expect(t, 200, "")
	if l := r.body["messages"].([]any); len(l) != 0 || r.body["has_more"] != false {
		t.Fatalf("before the first: %s (messages must be [] not null)", r.raw)
	}
	a.do(t, "GET", hist+"?limit=0", owner, "").expect(t, 400, "invalid_request")
	a.do(t, "GET", hist+"?after=not-a-message", owner, "").expect(t, 400, "invalid_request")
	a.do(t, "GET", hist, stranger, "").expect(t, 403, "forbidden")
	a.do(t, "GET", "/api/conversations/nope/history", owner, "").expect(t, 404, "not_found")
}

func checkList(t *testing.T, a *api, id, owner string) {
	t.Helper()
	r := a.do(t, "GET", "/api/conversations", owner, "").expect(t, 200, "")
	list, _ := r.body["conversations"].([]any)
	if fields(r.body) != "conversations,total" || r.body["total"] != 1.0 || len(list) != 1 {
		t.Fatalf("list: %s", r.raw)
	}
	c := list[0].(map[string]any)
	want := "assigned_agent,bot_enabled,bot_id,bot_name,conversation_id,created_at,id,last_activity,last_message,last_seq,metadata,note,participants,read_seq,resolved_by,session_id,status,support_status,title,transfer_reason,user_id,waiting_since"
	if fields(c) != want || c["id"] != id || c["bot_name"] != "Other" || c["last_message"] != "from admin" ||
		c["last_seq"] != 3.0 || c["status"] != "active" {
		t.Fatalf("list row: %v", c)
	}
	a.do(t, "GET", "/api/conversations?status=bogus", owner, "").expect(t, 400, "invalid_request")
	a.do(t, "GET", "/api/conversations?limit=0", owner, "").expect(t, 400, "invalid_request")
	if r := a.do(t, "GET", "/api/conversations?bot_id=echo", owner, "").expect(t, 200, ""); r.body["total"] != 0.0 ||
		fmt.Sprint(r.body["conversations"]) != "[]" {
		t.Fatalf("no conversations: %s (want [] not null)", r.raw)
	}
}

// A rate-limited message is answered 429 with Retry-After and not stored.
func TestMessageRateLimited(t *testing.T) {
	t.Parallel()
	clk := &clock{now: t0}
	a := newAPI(t, runtime.Config{Limiter: rest.NewLimiter(rest.LimitConfig{MessagesPerMinute: 1, Now: clk.Now})})
	tok := a.token(t, "alice", "")
	id := a.do(t, "POST", "/api/conversations/start", tok, `{"bot_id":"echo"}`).expect(t, 201, "").body["session_id"].(string)
	a.do(t, "POST", "/api/conversations/"+id+"/messages", tok, `{"content":"one"}`).expect(t, 201, "")
	r := a.do(t, "POST", "/api/conversations/"+id+"/messages", tok, `{"content":"two"}`).expect(t, 429, "rate_limited")
	if ra := r.header.Get("Retry-After"); ra != "60" {
		t.Fatalf("Retry-After %q, want 60", ra)
	}
	h := a.do(t, "GET", "/api/conversations/"+id+"/history", tok, "").expect(t, 200, "")
	if l := h.body["messages"].([]any); len(l) != 1 {
		t.Fatalf("history after a refused message: %s", h.raw)
	}
	clk.Add(time.Minute)
	a.do(t, "POST", "/api/conversations/"+id+"/messages", tok, `{"content":"three"}`).expect(t, 201, "")
}
