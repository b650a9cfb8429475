package main

import (
	"net/http"
	"strings"
	"testing"
)

// Every refusal of /api/v1/chat is the app's error envelope with the
// status of socketio.md: 401 without or with bad credentials, 403 for a
// role or a conversation not the caller's, 404 for what does not exist,
// 400 for bad parameters and bodies, 413 for too much.
func TestV1ChatErrors(t *testing.T) {
	s := MustRunMain(t, func(c *Config) { c.Bots = deskBots(t) })
	farmer, other := namedToken(t, "fatima", "Fatima", "user"), namedToken(t, "omar", "Omar", "user")
	agent, admin := namedToken(t, "sam", "Sam", "agent"), namedToken(t, "root", "Root", "admin")
	var conv chatConversation
	chatCall(t, s, "POST", "/conversations", farmer, nil).want(t, 200, "open").into(t, &conv)
	sid := conv.ID
	ws, _ := mustDial(t, s, "after=0&session_id="+sid, farmer)
	ws.expectMessage("bot", "Welcome to support") // stored: the count below is exact

	for _, c := range []struct {
		method, path, token string
		body                any
		status              int
		what                string
	}{
		{"GET", "/conversations", "", nil, 401, "no token"},
		{"GET", "/conversations", "not-a-jwt", nil, 401, "a bad token"},
		{"POST", "/messages", "", map[string]string{"conversationId": sid, "content": "hi"}, 401, "send without a token"},
		{"GET", "/nothing-here", farmer, nil, 404, "an unknown endpoint"},
		{"DELETE", "/conversations", farmer, nil, 404, "an unknown method"},
		{"GET", "/conversations?page=0", farmer, nil, 400, "page 0"},
		{"GET", "/conversations?page=two", farmer, nil, 400, "page not a number"},
		{"GET", "/conversations?limit=0", farmer, nil, 400, "limit 0"},
		{"GET", "/conversations?limit=101", farmer, nil, 400, "limit over 100"},
		{"GET", "/conversations?status=pending", farmer, nil, 400, "a bad status filter"},
		{"GET", "/support/conversations?status=pending", agent, nil, 400, "a bad status filter (desk)"},
		{"GET", "/messages/" + sid + "?limit=-1", farmer, nil, 400, "a negative limit"},
		{"GET", "/support/stats?since=yesterday", agent, nil, 400, "a bad since"},
		{"POST", "/conversations", agent, nil, 403, "an agent opens a conversation"},
		{"POST", "/conversations", admin, nil, 403, "an admin opens a conversation"},
		{"GET", "/messages/" + sid, other, nil, 403, "another user's messages"},
		{"POST", "/messages", other, map[string]string{"conversationId": sid, "content": "hi"}, 403, "writing to another user's"},
		{"PATCH", "/conversations/" + sid + "/read", other, nil, 403, "reading another user's"},
		{"PATCH", "/conversations/" + sid + "/status", agent, map[string]string{"status": "closed"}, 403, "an agent's status of one not theirs"},
		{"GET", "/support/conversations", farmer, nil, 403, "a user's desk list"},
		{"POST", "/support/reassign", farmer, map[string]string{"conversationId": sid, "supportId": "sam"}, 403, "a user reassigns"},
		{"GET", "/messages/nope", farmer, nil, 404, "messages of no conversation"},
		{"PATCH", "/conversations/nope/read", farmer, nil, 404, "reading no conversation"},
		{"PATCH", "/conversations/nope/status", admin, map[string]string{"status": "closed"}, 404, "status of no conversation"},
		{"POST", "/support/reassign", admin, map[string]string{"conversationId": "nope", "supportId": "sam"}, 404, "reassigning no conversation"},
		{"POST", "/messages", farmer, map[string]string{"conversationId": "nope", "content": "hi"}, 404, "writing to no conversation"},
		{"POST", "/messages", farmer, "{not json", 400, "a body that is not JSON"},
		{"POST", "/messages", farmer, map[string]string{"content": "hi"}, 400, "no conversationId"},
		{"POST", "/messages", farmer, map[string]string{"conversationId": sid, "messageType": "sticker", "content": "hi"}, 400, "a bad messageType"},
		{"POST", "/messages", farmer, map[string]string{"conversationId": sid, "messageType": "image"}, 400, "an image without mediaId"},
		{"POST", "/messages", farmer, map[string]string{"conversationId": sid, "messageType": "text", "content": "  "}, 400, "empty content"},
		{"POST", "/messages", farmer, map[string]any{"conversationId": sid, "messageType": "image", "mediaId": 7}, 400, "mediaId a number"},
		{"POST", "/messages", farmer, map[string]any{"conversationId": sid, "messageType": "image", "mediaId": "someone-elses"}, 400, "mediaId not an upload of the caller"},
		{"POST", "/messages", farmer, map[string]any{"conversationId": 5, "content": "hi"}, 400, "conversationId a number"},
		{"POST", "/messages", farmer, map[string]string{"conversationId": sid, "content": strings.Repeat("x", 40<<10)}, 413, "content over 32 KiB"},
		{"POST", "/messages", farmer, map[string]string{"conversationId": sid, "content": strings.Repeat("x", 70<<10)}, 413, "a body over 64 KiB"},
		{"PATCH", "/conversations/" + sid + "/status", admin, map[string]string{}, 400, "no status"},
		{"POST", "/support/reassign", admin, map[string]string{"conversationId": sid}, 400, "no supportId"},
		{"POST", "/support/reassign", admin, map[string]string{"conversationId": sid, "supportId": "fatima"}, 400, "reassigning to a user"},
	} {
		chatCall(t, s, c.method, c.path, c.token, c.body).want(t, c.status, c.what)
	}
	// An API key acts as its user, as on /api; a made-up one is 401.
	code, out, errs := runCLI(t, append([]string{"apikey", "create", "--user", "fatima", "--name", "app"}, storeArgs(s)...)...)
	if code != 0 {
		t.Fatalf("apikey create: exit %d, %q %q", code, out, errs)
	}
	for key, status := range map[string]int{strings.TrimSpace(out): 200, "pk_MADEUPMADEUPMADEUPMADEUP12": 401} {
		req, _ := http.NewRequest("GET", s.URL()+"/api/v1/chat/conversations", nil)
		req.Header.Set("X-API-Key", key)
		if a := chatDo(t, req).want(t, status, "an API key"); status == 200 {
			a.page(t, 1, 1, 1)
		}
	}
	// Nothing refused was stored: the greeting is all there is.
	messagesPage(t, s, farmer, sid, "", 1, 1, 1)
}

// A browser app on an allowed origin may call the API (CORS); another
// origin's preflight is refused and its answers carry no CORS headers.
func TestV1ChatCORS(t *testing.T) {
	s := MustRunMain(t, func(c *Config) {
		c.Bots = deskBots(t)
		c.AllowedOrigins = []string{"app.example.com"}
	})
	farmer := namedToken(t, "fatima", "Fatima", "user")
	call := func(method, origin string, header ...string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, s.URL()+"/api/v1/chat/conversations", nil)
		req.Header.Set("Origin", origin)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	preflight := []string{"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,content-type"}
	resp := call("OPTIONS", "https://app.example.com", preflight...)
	if h := resp.Header; resp.StatusCode != 204 || h.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		!strings.Contains(h.Get("Access-Control-Allow-Methods"), "PATCH") || !strings.Contains(h.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Fatalf("an allowed preflight: %d %v", resp.StatusCode, h)
	}
	resp = call("GET", "https://app.example.com", "Authorization", "Bearer "+farmer)
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Fatalf("an allowed origin's call: %d %v", resp.StatusCode, resp.Header)
	}
	resp = call("OPTIONS", "https://evil.example.net", preflight...)
	if resp.StatusCode != 403 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("another origin's preflight: %d %v", resp.StatusCode, resp.Header)
	}
	resp = call("GET", "https://evil.example.net", "Authorization", "Bearer "+farmer)
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("another origin's call has CORS headers: %v", resp.Header)
	}
	resp = call("OPTIONS", s.URL(), preflight...)
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != s.URL() {
		t.Fatalf("the server's own origin: %d %v", resp.StatusCode, resp.Header)
	}
}
