package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"parley/rest"
)

// notAPI are routes that the OpenAPI document leaves out on purpose.
var notAPI = map[string]string{
	"/":     "the chat page, the support console and their files (docs/web.md)",
	"/api/": "the catch-all that answers 404 not_found for any other /api path",
	// The support app's endpoints are described one by one; this is the
	// prefix that reaches them, and 404 in the app's shape for the rest.
	"/api/v1/chat/": "the prefix of the support app's API (docs/socketio.md)",
	// Engine.IO's polling requests and WebSocket upgrade: a protocol of
	// its own, not REST, described in docs/socketio.md.
	"/socket.io/": "the support app's Socket.IO (docs/socketio.md)",
}

// beingBuilt are operations the document describes (from issue 16 and the
// contract) whose routes are being built on other branches. The test
// reports each one that is still not routed, and fails for one that is
// routed now: then delete its line here.
var beingBuilt = map[string]string{}

func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(rest.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

var wildcard = regexp.MustCompile(`\{[^}]*\}`)

// opKey is "METHOD /path" with every path parameter written {}, so that
// {id} in the document and {id} or {bot} in a ServeMux pattern match.
func opKey(method, path string) string {
	return strings.TrimSpace(method + " " + wildcard.ReplaceAllString(path, "{}"))
}

// Every route the server registers is described, and every operation the
// document describes is routed (or listed in beingBuilt).
func TestOpenAPICoversRoutes(t *testing.T) {
	s := MustRunMain(t)
	doc := loadOpenAPI(t)
	described := map[string]bool{} // opKey
	paths := map[string]bool{}     // path with {}
	for path, item := range doc.Paths.Map() {
		paths[opKey("", path)] = true
		for method := range item.Operations() {
			described[opKey(method, path)] = true
		}
	}
	routed := map[string]bool{}
	for _, p := range s.patterns {
		method, path, ok := strings.Cut(p, " ")
		if !ok {
			method, path = "", p
		}
		if _, skip := notAPI[path]; skip && method == "" {
			continue
		}
		key := opKey(method, path)
		routed[key] = true
		switch {
		case method == "" && !paths[key]:
			t.Errorf("route %q is not described in rest/openapi.json", p)
		case method != "" && !described[key]:
			t.Errorf("route %q is not described in rest/openapi.json", p)
		}
	}
	for _, key := range slices.Sorted(mapKeys(described)) {
		method, path, _ := strings.Cut(key, " ")
		isRouted := routed[key] || routed[opKey("", path)]
		why, building := beingBuilt[key]
		switch {
		case isRouted && building:
			t.Errorf("%s is routed now: remove it from beingBuilt", key)
		case !isRouted && building:
			t.Logf("described, not routed yet (%s): %s", why, key)
		case !isRouted:
			t.Errorf("%s is described in rest/openapi.json but not routed (%s)", key, method)
		}
	}
	for key := range beingBuilt {
		if !described[key] {
			t.Errorf("beingBuilt lists %s, which the document does not describe", key)
		}
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// checker sends requests to a server and checks each request and its
// answer against the document.
type checker struct {
	t      *testing.T
	s      *testServer
	router routers.Router
}

func newChecker(t *testing.T, s *testServer) *checker {
	t.Helper()
	doc := loadOpenAPI(t)
	doc.Servers = nil // "/" is the server itself: match paths as they are
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &checker{t: t, s: s, router: router}
}

// do sends the request, checks it and its answer, and decodes the answer
// into out (when not nil). It returns the status.
func (c *checker) do(method, path, token string, body any, out any) int {
	c.t.Helper()
	var data []byte
	if body != nil {
		data, _ = json.Marshal(body)
	}
	req, err := http.NewRequest(method, c.s.URL()+path, bytes.NewReader(data))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)

	req.Body = io.NopCloser(bytes.NewReader(data))
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		c.t.Fatalf("%s %s: not in the document: %v", method, path, err)
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	ctx := context.Background()
	// A request the server refused may well not fit the document: that
	// is why it was refused.
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil && resp.StatusCode < 400 {
		c.t.Errorf("%s %s: the request does not fit the document: %v", method, path, err)
	}
	rin := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header, Options: opts}
	if err := openapi3filter.ValidateResponse(ctx, rin.SetBodyBytes(answer)); err != nil {
		c.t.Errorf("%s %s: the answer %d %s does not fit the document: %v", method, path, resp.StatusCode, answer, err)
	}
	if out != nil {
		if err := json.Unmarshal(answer, out); err != nil {
			c.t.Fatalf("%s %s: %d %q: %v", method, path, resp.StatusCode, answer, err)
		}
	}
	return resp.StatusCode
}

// Real answers of the server fit the document: the conversation calls,
// teams, tickets, and the error shape.
func TestOpenAPIAnswers(t *testing.T) {
	dir := teamBots(t)
	s := MustRunMain(t, func(c *Config) { c.Bots = dir })
	c := newChecker(t, s)
	tok := tokenFor(t, "olga")

	want := func(got, status int, what string) {
		t.Helper()
		if got != status {
			t.Errorf("%s: %d, want %d", what, got, status)
		}
	}
	var doc map[string]any
	want(c.do("GET", "/api/openapi.json", "", nil, &doc), 200, "openapi.json")
	want(c.do("GET", "/api/bots", "", nil, nil), 200, "bots")
	want(c.do("GET", "/api/teams", "", nil, nil), 200, "teams")
	want(c.do("POST", "/api/teams/trio/chat", tok, map[string]string{"message": "hi", "mode": "brainstorm"}, nil), 200, "team chat")
	want(c.do("POST", "/api/teams/mixed/chat", tok, map[string]string{"message": "hi", "mode": "debate"}, nil), 400, "team chat, bad mode")
	want(c.do("POST", "/api/ws-ticket", tok, nil, nil), 200, "ticket")

	var st struct {
		ID string `json:"conversation_id"`
	}
	want(c.do("POST", "/api/conversations/start", tok, map[string]string{"bot_id": "echo", "initial_message": "hello"}, &st), 201, "start")
	conv := "/api/conversations/" + st.ID
	want(c.do("POST", conv+"/messages", tok, map[string]string{"content": "again", "client_id": "c1"}, nil), 201, "message")
	want(c.do("GET", conv+"/history?limit=10", tok, nil, nil), 200, "history")
	want(c.do("POST", conv+"/read", tok, map[string]int{"seq": 1}, nil), 200, "read")
	want(c.do("GET", "/api/conversations?bot_id=echo&limit=5", tok, nil, nil), 200, "list")
	want(c.do("PATCH", conv, tok, map[string]string{"status": "archived", "title": "Greetings"}, nil), 200, "archive")
	want(c.do("POST", "/api/conversations", tok, map[string]any{"bot_id": "echo", "title": "t", "metadata": map[string]int{"n": 1}}, nil), 201, "create")
	want(c.do("GET", "/api/support/stats", tok, nil, nil), 403, "stats as a user")
	want(c.do("GET", "/api/support/conversations", tok, nil, nil), 403, "queue as a user")
	want(c.do("GET", "/api/conversations/nope/history", tok, nil, nil), 404, "unknown conversation")
	want(c.do("GET", "/api/conversations", "", nil, nil), 401, "no credentials")
	want(c.do("POST", "/api/bots/echo/chat", tok, map[string]string{"message": "sync", "conversation_id": st.ID}, nil), 200, "chat")
	want(c.do("GET", "/api/bots/echo/history?limit=5", tok, nil, nil), 200, "bot history")
	want(c.do("GET", "/api/bots/echo/conversations", tok, nil, nil), 200, "bot conversations")
	want(c.do("POST", "/api/bots/echo/conversations", tok, map[string]string{"title": "Second"}, nil), 201, "new bot conversation")
	want(c.do("GET", "/api/inbox", tok, nil, nil), 200, "inbox")
	want(c.do("DELETE", conv, tok, nil, nil), 204, "delete")
	want(c.do("GET", "/healthz", "", nil, nil), 200, "healthz")
}

// The support app's API answers as the document describes it: its
// envelopes, shapes and errors.
func TestOpenAPIV1Chat(t *testing.T) {
	s := MustRunMain(t, func(c *Config) { c.Bots = deskBots(t) })
	c := newChecker(t, s)
	farmer, agent, admin := namedToken(t, "fatima", "Fatima", "user"), namedToken(t, "sam", "Sam", "agent"), namedToken(t, "root", "Root", "admin")
	want := func(got, status int, what string) {
		t.Helper()
		if got != status {
			t.Errorf("%s: %d, want %d", what, got, status)
		}
	}
	const base = "/api/v1/chat"
	var conv struct {
		Data struct {
			ID string `json:"_id"`
		}
	}
	want(c.do("POST", base+"/conversations", farmer, nil, &conv), 200, "open")
	sid := conv.Data.ID
	want(c.do("POST", base+"/messages", farmer, map[string]string{"conversationId": sid, "messageType": "text", "content": "hi", "clientId": "c1"}, nil), 201, "send")
	want(c.do("GET", base+"/messages/"+sid+"?page=1&limit=10", farmer, nil, nil), 200, "messages")
	want(c.do("GET", base+"/conversations?page=1&limit=5&status=open", farmer, nil, nil), 200, "list")
	want(c.do("PATCH", base+"/conversations/"+sid+"/read", farmer, nil, nil), 200, "read")
	want(c.do("PATCH", base+"/conversations/"+sid+"/status", admin, map[string]string{"status": "waiting"}, nil), 200, "status")
	want(c.do("GET", base+"/support/conversations?limit=5", agent, nil, nil), 200, "desk list")
	want(c.do("POST", base+"/support/reassign", admin, map[string]string{"conversationId": sid, "supportId": "sam"}, nil), 200, "reassign")
	want(c.do("POST", base+"/messages", agent, map[string]string{"conversationId": sid, "content": "hello"}, nil), 201, "agent sends")
	want(c.do("GET", base+"/conversations", admin, nil, nil), 200, "admin's list")
	want(c.do("GET", base+"/support/stats", agent, nil, nil), 200, "stats")
	want(c.do("GET", base+"/conversations", "", nil, nil), 401, "no credentials")
	want(c.do("GET", base+"/conversations?limit=1000", farmer, nil, nil), 400, "a bad limit")
	want(c.do("GET", base+"/support/stats", farmer, nil, nil), 403, "stats as a user")
	want(c.do("GET", base+"/messages/nope", farmer, nil, nil), 404, "no conversation")
}
