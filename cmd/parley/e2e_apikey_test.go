package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"parley/ws"
)

// errorBody is a REST error answer.
type errorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// storeArgs are the flags that point a CLI command at the server's
// database: its data dir, and its database URL under TestE2EPostgres.
func storeArgs(s *testServer) []string {
	args := []string{"--data", s.Config.Data}
	if s.Config.DatabaseURL != "" {
		args = append(args, "--database-url", s.Config.DatabaseURL)
	}
	return args
}

// withKey sends a REST request with X-API-Key and decodes the answer into
// out (if not nil). It returns the status.
func withKey(t *testing.T, s *testServer, method, path, key string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-API-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %d %q: %v", method, path, resp.StatusCode, data, err)
		}
	}
	return resp.StatusCode
}

// A key made with `parley apikey create` acts as its user on REST until
// `parley apikey revoke`; a made-up key is refused.
func TestAPIKeyLifecycle(t *testing.T) {
	s := MustRunMain(t)
	tok := tokenFor(t, "dora")
	var st startBody
	if code := api(t, s, "POST", "/api/conversations/start", tok, map[string]string{"bot_id": "echo", "initial_message": "hi"}, &st); code != 201 {
		t.Fatalf("start: %d", code)
	}

	code, out, errs := runCLI(t, append([]string{"apikey", "create", "--user", "dora", "--name", "ci"}, storeArgs(s)...)...)
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "pk_") {
		t.Fatalf("apikey create: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	key := strings.TrimSpace(out)

	var list listBody
	if code := withKey(t, s, "GET", "/api/conversations", key, &list); code != 200 {
		t.Fatalf("list with the key: %d", code)
	}
	if list.Total != 1 || len(list.Conversations) != 1 || list.Conversations[0].ID != st.SessionID {
		t.Fatalf("list with the key: %+v, want dora's conversation", list)
	}
	var hist historyBody
	if code := withKey(t, s, "GET", "/api/conversations/"+st.SessionID+"/history", key, &hist); code != 200 {
		t.Fatalf("history with the key: %d", code)
	}

	// The key opens a socket too, as dora.
	sock, hello := dialKey(t, s, "session_id="+st.SessionID, key)
	if hello.SessionID != st.SessionID {
		t.Fatalf("socket with the key joined %s, want %s", hello.SessionID, st.SessionID)
	}
	sock.say("by key", "k1")
	sock.expectMessage("user", "by key")
	sock.expectMessage("bot", "by key")

	code, out, errs = runCLI(t, append([]string{"apikey", "list", "--user", "dora"}, storeArgs(s)...)...)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || !strings.Contains(lines[1], " ci ") || strings.Contains(out, key) {
		t.Fatalf("apikey list: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if f := strings.Fields(lines[1]); f[len(f)-1] != "-" || f[len(f)-2] == "-" {
		t.Errorf("apikey list: %q, want a last use and no revocation", lines[1])
	}
	id := strings.Fields(lines[1])[0]

	var e errorBody
	if code := withKey(t, s, "GET", "/api/conversations", "pk_MADEUPMADEUPMADEUPMADEUP12", &e); code != 401 || e.Error != "unauthorized" {
		t.Fatalf("a made-up key: %d %+v, want 401 unauthorized", code, e)
	}
	if code, out, errs := runCLI(t, append([]string{"apikey", "revoke", id}, storeArgs(s)...)...); code != 0 {
		t.Fatalf("apikey revoke: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if code := withKey(t, s, "GET", "/api/conversations", key, &e); code != 401 || e.Error != "unauthorized" {
		t.Fatalf("a revoked key: %d %+v, want 401 unauthorized", code, e)
	}
	revoked, _, err := dialWS(t, s, "bot_id=echo", http.Header{"X-API-Key": {key}})
	if err != nil {
		t.Fatal(err)
	}
	revoked.expectError("unauthorized")
	revoked.expectClose(ws.CloseUnauthorized)
	_, out, _ = runCLI(t, append([]string{"apikey", "list", "--user", "dora"}, storeArgs(s)...)...)
	if f := strings.Fields(strings.Split(strings.TrimSpace(out), "\n")[1]); f[len(f)-1] == "-" {
		t.Errorf("apikey list after revoke: %q, want a revocation time", out)
	}
}

// dialKey connects to /ws?query with an API key and returns the client and
// its connected frame.
func dialKey(t *testing.T, s *testServer, query, key string) (*wsClient, frame) {
	t.Helper()
	c, _, err := dialWS(t, s, query, http.Header{"X-API-Key": {key}})
	if err != nil {
		t.Fatal(err)
	}
	f := c.next()
	if f.Type != "status" || f.Status != "connected" {
		t.Fatalf("first frame = %s, want status connected", f.raw)
	}
	return c, f
}

// DELETE on REST closes the conversation's open socket with 4004, and the
// conversation is gone.
func TestRESTDeleteConversation(t *testing.T) {
	s := MustRunMain(t)
	tok := tokenFor(t, "erin")
	var st startBody
	if code := api(t, s, "POST", "/api/conversations/start", tok, map[string]string{"bot_id": "echo", "initial_message": "m0"}, &st); code != 201 {
		t.Fatalf("start: %d", code)
	}
	sock, _ := mustDial(t, s, "after=0&session_id="+st.SessionID, tok)
	sock.expectMessage("user", "m0")
	sock.expectMessage("bot", "m0")

	if code := api(t, s, "DELETE", "/api/conversations/"+st.SessionID, tokenFor(t, "mallory"), nil, nil); code != 403 {
		t.Fatalf("another user's delete: %d, want 403", code)
	}
	if code := api(t, s, "DELETE", "/api/conversations/"+st.SessionID, tok, nil, nil); code != 204 {
		t.Fatalf("delete: %d, want 204", code)
	}
	sock.expectClose(websocket.StatusCode(4004))
	var e errorBody
	if code := api(t, s, "GET", "/api/conversations/"+st.SessionID+"/history", tok, nil, &e); code != 404 || e.Error != "not_found" {
		t.Fatalf("history after the delete: %d %+v, want 404", code, e)
	}
	if code := api(t, s, "DELETE", "/api/conversations/"+st.SessionID, tok, nil, nil); code != 404 {
		t.Fatalf("second delete: %d, want 404", code)
	}
	var list listBody
	if code := api(t, s, "GET", "/api/conversations", tok, nil, &list); code != 200 || list.Total != 0 {
		t.Fatalf("list after the delete: %d %+v", code, list)
	}
}
