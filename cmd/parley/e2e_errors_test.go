package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/golang-jwt/jwt/v5"

	"parley/ws"
)

// Bad frames get the documented error and keep the socket open; an
// oversized frame closes it with 1009; a bystander is never disturbed.
func TestBadFrames(t *testing.T) {
	s := MustRunMain(t)
	tok := tokenFor(t, "dave")
	bystander, _ := mustDial(t, s, "bot_id=echo", tokenFor(t, "erin"))
	c, _ := mustDial(t, s, "bot_id=echo", tok)

	cases := []struct{ frame, code string }{
		{`{"type":"message","content":`, "invalid_request"},
		{`not json at all`, "invalid_request"},
		{`{"type":"shout","content":"hi"}`, "invalid_request"},
		{`{"content":"no type"}`, "invalid_request"},
		{`{"type":"message","content":""}`, "invalid_message"},
		{`{"type":"message","content":"   \n\t"}`, "invalid_message"},
		{`{"type":"message","content":"hi","client_id":"` + strings.Repeat("x", 65) + `"}`, "invalid_message"},
		{`{"type":"message","content":"` + strings.Repeat("y", 33<<10) + `"}`, "too_large"},
		{`{"type":"read"}`, "invalid_request"},
		// Nested deeper than runtime.MaxJSONDepth (32), well under the
		// frame limit: refused before any decoder recurses into it.
		{`{"type":"message","content":"deep","attachments":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`, "invalid_request"},
		{"{\"type\":\"message\",\"content\":\"bad utf-8 \xff\xfe\"}", "invalid_request"},
	}
	for _, tc := range cases {
		c.sendRaw(tc.frame)
		c.expectError(tc.code)
	}
	// Still open and working, and nothing was stored.
	c.say("still here", "ok1")
	if m := c.expectMessage("user", "still here"); m.Seq != 1 {
		t.Fatalf("first stored message has seq %d, want 1", m.Seq)
	}
	c.expectMessage("bot", "still here")

	// A frame over the 64 KiB limit closes the socket with 1009.
	c.sendRaw(`{"type":"message","content":"` + strings.Repeat("z", 70<<10) + `"}`)
	c.expectClose(websocket.StatusMessageTooBig)

	bystander.say("unbothered", "b1")
	bystander.expectMessage("user", "unbothered")
	bystander.expectMessage("bot", "unbothered")
}

// Bad credentials: REST answers 401, /ws an unauthorized error and 4001.
func TestBadTokens(t *testing.T) {
	s := MustRunMain(t)
	good := tokenFor(t, "frank")
	sign := func(secret string, c jwt.MapClaims) string {
		tk, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(secret))
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	b64 := base64.RawURLEncoding.EncodeToString
	tokens := map[string]string{
		"garbage":      "not.a.jwt",
		"wrong secret": sign("other-secret", jwt.MapClaims{"sub": "frank", "exp": time.Now().Add(time.Hour).Unix()}),
		"expired":      sign(testSecret, jwt.MapClaims{"sub": "frank", "exp": time.Now().Add(-time.Hour).Unix()}),
		"no exp":       sign(testSecret, jwt.MapClaims{"sub": "frank"}),
		"alg none":     b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + b64([]byte(`{"sub":"frank","exp":9999999999}`)) + ".",
		"tampered":     good[:len(good)-4] + "AAAA",
	}
	for name, tk := range tokens {
		var e struct{ Error, Message string }
		if code := api(t, s, "GET", "/api/conversations", tk, nil, &e); code != 401 || e.Error != "unauthorized" || e.Message == "" {
			t.Errorf("%s: REST answered %d %+v, want 401 unauthorized", name, code, e)
		}
		c, _, err := dialWS(t, s, "bot_id=echo", http.Header{"Authorization": {"Bearer " + tk}})
		if err != nil {
			t.Fatal(err)
		}
		c.expectError("unauthorized")
		c.expectClose(ws.CloseUnauthorized)
	}
	if code := api(t, s, "GET", "/api/conversations", "", nil, &struct{}{}); code != 401 {
		t.Errorf("no credentials: REST answered %d, want 401", code)
	}
	// A good token still works.
	if code := api(t, s, "GET", "/api/conversations", good, nil, &listBody{}); code != 200 {
		t.Errorf("good token: %d", code)
	}
}

// A user cannot read, write, archive or join another user's conversation.
func TestOtherUsersConversation(t *testing.T) {
	s := MustRunMain(t)
	owner, thief := tokenFor(t, "gina"), tokenFor(t, "hank")
	var st startBody
	api(t, s, "POST", "/api/conversations/start", owner, map[string]string{"bot_id": "echo", "initial_message": "secret"}, &st)
	id := st.SessionID

	checks := []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/conversations/" + id + "/history", nil},
		{"POST", "/api/conversations/" + id + "/messages", map[string]string{"content": "hi"}},
		{"PATCH", "/api/conversations/" + id, map[string]string{"status": "archived"}},
	}
	for _, c := range checks {
		var e struct{ Error string }
		if code := api(t, s, c.method, c.path, thief, c.body, &e); code != 403 || e.Error != "forbidden" {
			t.Errorf("%s %s: %d %+v, want 403 forbidden", c.method, c.path, code, e)
		}
	}
	var e struct{ Error string }
	if code := api(t, s, "GET", "/api/conversations/00000000-0000-4000-8000-000000000000/history", thief, nil, &e); code != 404 || e.Error != "not_found" {
		t.Errorf("unknown conversation: %d %+v, want 404 not_found", code, e)
	}
	c, _, err := dialWS(t, s, "session_id="+id, http.Header{"Authorization": {"Bearer " + thief}})
	if err != nil {
		t.Fatal(err)
	}
	c.expectError("forbidden")
	c.expectClose(ws.CloseForbidden)

	var l listBody
	api(t, s, "GET", "/api/conversations", thief, nil, &l)
	if l.Total != 0 {
		t.Errorf("the thief lists %d conversations", l.Total)
	}
	var h historyBody
	api(t, s, "GET", "/api/conversations/"+id+"/history", owner, nil, &h)
	if len(h.Messages) == 0 || h.Messages[0].Content != "secret" {
		t.Errorf("owner's history: %+v", h)
	}
}

// Bodies: malformed JSON is 400, an oversized body 413.
func TestRESTBadBodies(t *testing.T) {
	s := MustRunMain(t)
	tok := tokenFor(t, "ivy")
	var st startBody
	api(t, s, "POST", "/api/conversations/start", tok, map[string]string{"bot_id": "echo"}, &st)
	path := "/api/conversations/" + st.SessionID + "/messages"
	var e struct{ Error string }
	if code := api(t, s, "POST", path, tok, map[string]string{"content": " "}, &e); code != 400 || e.Error != "invalid_message" {
		t.Errorf("empty content: %d %+v", code, e)
	}
	if code := api(t, s, "POST", path, tok, map[string]string{"content": strings.Repeat("x", 100<<10)}, &e); code != 413 || e.Error != "too_large" {
		t.Errorf("huge body: %d %+v", code, e)
	}
	if code := api(t, s, "POST", path, tok, "not an object", &e); code != 400 || e.Error != "invalid_request" {
		t.Errorf("bad JSON: %d %+v", code, e)
	}
	deep := json.RawMessage(`{"content":"deep","attachments":` + strings.Repeat(`[`, 40) + strings.Repeat(`]`, 40) + `}`)
	if code := api(t, s, "POST", path, tok, deep, &e); code != 400 || e.Error != "invalid_request" {
		t.Errorf("deeply nested JSON: %d %+v", code, e)
	}
	if code := api(t, s, "POST", "/api/conversations/start", tok, map[string]string{"bot_id": "nope"}, &e); code != 404 || e.Error != "not_found" {
		t.Errorf("unknown bot: %d %+v", code, e)
	}
	if code := api(t, s, "GET", "/api/conversations/"+st.SessionID+"/history?limit=-1", tok, nil, &e); code != 400 || e.Error != "invalid_request" {
		t.Errorf("limit=-1: %d %+v", code, e)
	}
}

// TestRS256Tokens: a server given --jwt-public-key accepts RS256 tokens
// signed with the private key, on /ws and REST, and refuses HS256 ones.
func TestRS256Tokens(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "jwt.pub")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	s := MustRunMain(t, func(c *Config) { c.JWTSecret, c.JWTPublicKey = "", path })
	tok, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"sub": "rita", "exp": time.Now().Add(time.Hour).Unix(),
	}).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := mustDial(t, s, "bot_id=echo", tok)
	c.say("signed elsewhere", "r1")
	c.expectMessage("user", "signed elsewhere")
	if code := api(t, s, "GET", "/api/conversations", tok, nil, &listBody{}); code != 200 {
		t.Fatalf("REST with an RS256 token: %d", code)
	}
	hs := tokenFor(t, "rita") // HS256
	if code := api(t, s, "GET", "/api/conversations", hs, nil, &struct{}{}); code != 401 {
		t.Fatalf("REST with an HS256 token: %d, want 401", code)
	}
	refused, _, err := dialWS(t, s, "bot_id=echo", http.Header{"Authorization": {"Bearer " + hs}})
	if err != nil {
		t.Fatal(err)
	}
	refused.expectError("unauthorized")
	refused.expectClose(ws.CloseUnauthorized)
}
