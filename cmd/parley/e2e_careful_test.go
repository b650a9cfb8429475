package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// The REST answers a new user tripped over (issue 16, item 8), over the
// real server: each status, code, message and header, and no Go
// internals or "session" in any message.
func TestRESTCareful(t *testing.T) {
	s := MustRunMain(t)
	tok := tokenFor(t, "nell")
	var st startBody
	api(t, s, "POST", "/api/conversations/start", tok, map[string]string{"bot_id": "echo", "initial_message": "hello there"}, &st)
	conv := "/api/conversations/" + st.SessionID
	cases := []struct {
		name, method, path, body string
		status                   int
		code, message, allow     string // message: a part of it
	}{
		{"archive shows the last message", "PATCH", conv, `{"status":"archived"}`, 200, "", `"last_message":"hello there"`, ""},
		{"array body", "POST", conv + "/messages", `["x"]`, 400, "invalid_request", "must be one JSON object: it is an array", ""},
		{"wrong type", "POST", conv + "/messages", `{"content":7}`, 400, "invalid_request", "content must be a string, not a number", ""},
		{"unknown field", "POST", conv + "/messages", `{"contnet":"x"}`, 400, "invalid_request", `unknown field "contnet"`, ""},
		{"unknown conversation", "GET", "/api/conversations/nope/history", "", 404, "not_found", "conversation not found", ""},
		{"unknown conversation patched", "PATCH", "/api/conversations/nope", `{"title":"x"}`, 404, "not_found", "conversation not found", ""},
		{"bad time", "GET", conv + "/history?after=2026-13-01", "", 400, "invalid_request", "after is not a valid time", ""},
		{"wrong method", "DELETE", "/api/bots", "", 405, "method_not_allowed", "DELETE is not allowed", "GET, HEAD"},
		{"wrong method with id", "PUT", conv, `{}`, 405, "method_not_allowed", "use PATCH or DELETE", "PATCH, DELETE"},
		{"wrong method on chat", "GET", "/api/bots/echo/chat", "", 405, "method_not_allowed", "use POST", "POST"},
		{"no such endpoint", "GET", "/api/nothing", "", 404, "not_found", "no such endpoint", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, header, body := rawAPI(t, s, tc.method, tc.path, tok, tc.body)
			var e struct{ Error, Message string }
			json.Unmarshal([]byte(body), &e)
			if status != tc.status || !strings.Contains(body+e.Message, tc.message) || header.Get("Allow") != tc.allow {
				t.Fatalf("%d Allow %q %s; want %d Allow %q and %q", status, header.Get("Allow"), body, tc.status, tc.allow, tc.message)
			}
			if e.Error != tc.code {
				t.Fatalf("code %q, want %q", e.Error, tc.code)
			}
			for _, bad := range []string{"Go value", "struct {", "json:", "session"} {
				if strings.Contains(e.Message, bad) {
					t.Fatalf("message %q has %q", e.Message, bad)
				}
			}
		})
	}
	// /ws speaks of conversations too.
	sock, _, err := dialWS(t, s, "session_id=nope", http.Header{"Authorization": {"Bearer " + tok}})
	if err != nil {
		t.Fatal(err)
	}
	if f := sock.expectError("not_found"); f.Message != "conversation not found" {
		t.Fatalf("/ws error %s", f.raw)
	}
}

// rawAPI sends body as it is and returns the status, headers and body.
func rawAPI(t *testing.T, s *testServer, method, path, tok, body string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}
