package rest_test

import (
	"fmt"
	"testing"
	"time"
)

// GET /api/bots/:id/history: the caller's latest conversation with the
// bot (or the one named), as roles; none yet is an empty list.
func TestBotHistory(t *testing.T) {
	a := newChatAPI(t, 5*time.Second)
	ann := a.token(t, "ann", "user")
	none := a.do(t, "GET", "/api/bots/other/history", ann, "").expect(t, 200, "")
	if none.raw != `{"conversation_id":null,"messages":[]}`+"\n" {
		t.Fatalf("no conversation: %s", none.raw)
	}
	sid := a.do(t, "POST", "/api/bots/other/chat", ann, `{"message":"hi"}`).expect(t, 200, "").body["conversation_id"].(string)
	h := a.do(t, "GET", "/api/bots/other/history?limit=2", ann, "").expect(t, 200, "")
	if h.body["conversation_id"] != sid || lines(h.body) != "[assistant: echo: hi assistant: over]" {
		t.Fatalf("history %s", h.raw)
	}
	// The greeting and ann's message race; both are there.
	all := lines(a.do(t, "GET", "/api/bots/other/history", ann, "").expect(t, 200, "").body)
	if all != "[assistant: hello user: hi assistant: echo: hi assistant: over]" && all != "[user: hi assistant: hello assistant: echo: hi assistant: over]" {
		t.Fatalf("whole history %s", all)
	}
	m := h.body["messages"].([]any)[0].(map[string]any)
	if fields(m) != "content,created_at,role" {
		t.Fatalf("message fields %s", fields(m))
	}
	a.do(t, "GET", "/api/bots/other/history?conversation_id="+sid, a.token(t, "bob", "user"), "").expect(t, 403, "forbidden")
	a.do(t, "GET", "/api/bots/echo/history?conversation_id="+sid, ann, "").expect(t, 400, "invalid_request")
	a.do(t, "GET", "/api/bots/nope/history", ann, "").expect(t, 404, "not_found")
	a.do(t, "GET", "/api/bots/other/history?limit=0", ann, "").expect(t, 400, "invalid_request")
}

func lines(body map[string]any) string {
	var out []string
	for _, m := range body["messages"].([]any) {
		m := m.(map[string]any)
		out = append(out, fmt.Sprintf("%v: %v", m["role"], m["content"]))
	}
	return fmt.Sprint(out)
}

// GET and POST /api/bots/:id/conversations, and the inbox's counts.
func TestBotConversationsAndInbox(t *testing.T) {
	a := newChatAPI(t, 5*time.Second)
	ann := a.token(t, "ann", "user")
	first := a.do(t, "POST", "/api/bots/other/chat", ann, `{"message":"hi"}`).expect(t, 200, "").body["conversation_id"].(string)
	c := a.do(t, "POST", "/api/bots/other/conversations", ann, `{"title":"Second"}`).expect(t, 201, "")
	if c.body["bot_id"] != "other" || c.body["title"] != "Second" {
		t.Fatalf("created %s", c.raw)
	}
	second := c.body["id"].(string)
	a.do(t, "POST", "/api/bots/other/conversations", ann, `{"bot_id":"echo"}`).expect(t, 400, "invalid_request")
	a.do(t, "POST", "/api/bots/nope/conversations", ann, `{}`).expect(t, 404, "not_found")
	a.do(t, "POST", "/api/bots/other/chat", ann, `{"message":"yo","conversation_id":"`+second+`"}`).expect(t, 200, "")
	a.do(t, "POST", "/api/bots/echo/chat", ann, `{"message":"elsewhere"}`).expect(t, 200, "")

	list := a.do(t, "GET", "/api/bots/other/conversations", ann, "").expect(t, 200, "")
	if list.body["total"] != float64(2) {
		t.Fatalf("list %s", list.raw)
	}
	a.do(t, "GET", "/api/bots/nope/conversations", ann, "").expect(t, 404, "not_found")

	// Each has hello, the echo and over after ann's message: 3 unread.
	a.do(t, "POST", "/api/conversations/"+first+"/read", ann, `{"seq":2}`).expect(t, 200, "")
	in := a.do(t, "GET", "/api/inbox", ann, "").expect(t, 200, "")
	got := map[string]string{}
	for _, e := range in.body["conversations"].([]any) {
		e := e.(map[string]any)
		last := e["last_message"].(map[string]any)
		got[e["conversation_id"].(string)] = fmt.Sprintf("%v unread, last %v", e["unread"], last["content"])
	}
	if in.body["total"] != float64(3) || got[first] != "2 unread, last over" || got[second] != "3 unread, last over" {
		t.Fatalf("inbox %s", in.raw)
	}
	a.do(t, "GET", "/api/inbox", "", "").expect(t, 401, "unauthorized")
}
