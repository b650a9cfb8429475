package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Engine.IO's polling requests by hand (protocol v4: "0" open, "40"
// connect, "42" event, packets of one response separated by 0x1e), for
// what a library client cannot do on purpose: stop reading.

// pollGet is one GET of a polling session (sid "": the handshake).
func pollGet(t *testing.T, s *testServer, sid string, header http.Header) (int, string) {
	t.Helper()
	u := s.URL() + "/socket.io/?EIO=4&transport=polling"
	if sid != "" {
		u += "&sid=" + sid
	}
	req, _ := http.NewRequest("GET", u, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// pollPost sends packets on a polling session.
func pollPost(t *testing.T, s *testServer, sid string, packets ...string) int {
	t.Helper()
	u := s.URL() + "/socket.io/?EIO=4&transport=polling&sid=" + sid
	resp, err := http.Post(u, "text/plain;charset=UTF-8", strings.NewReader(strings.Join(packets, "\x1e")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// pollOpen opens a polling session, connects it with token and returns
// its sid.
func pollOpen(t *testing.T, s *testServer, token string) string {
	t.Helper()
	sid, st, body := pollConnect(t, s, token)
	if st != 200 || !strings.HasPrefix(body, "40") {
		t.Fatalf("connected: %d %q", st, body)
	}
	return sid
}

// pollConnect opens a polling session and sends CONNECT with token; it
// returns the session and what the server answered (CONNECT or
// CONNECT_ERROR).
func pollConnect(t *testing.T, s *testServer, token string) (sid string, status int, body string) {
	t.Helper()
	st, open := pollGet(t, s, "", nil)
	var o struct {
		SID string `json:"sid"`
	}
	if st != 200 || !strings.HasPrefix(open, "0") || json.Unmarshal([]byte(open[1:]), &o) != nil {
		t.Fatalf("handshake: %d %q", st, open)
	}
	if st := pollPost(t, s, o.SID, fmt.Sprintf(`40{"token":%q}`, token)); st != 200 {
		t.Fatalf("connect: %d", st)
	}
	status, body = pollGet(t, s, o.SID, nil)
	return o.SID, status, body
}

// The handshake carries --socketio-ping, and a browser's Origin that is
// neither the server's nor allowed is refused, as on /ws.
func TestSocketIOHandshake(t *testing.T) {
	s := MustRunMain(t, func(c *Config) {
		c.SocketIOPing = 1500e6 // 1.5s
		c.AllowedOrigins = []string{"https://app.example"}
	})
	st, body := pollGet(t, s, "", nil)
	var open struct {
		SID          string
		PingInterval int
		Upgrades     []string
	}
	if st != 200 || json.Unmarshal([]byte(strings.TrimPrefix(body, "0")), &open) != nil ||
		open.SID == "" || open.PingInterval != 1500 || len(open.Upgrades) != 1 || open.Upgrades[0] != "websocket" {
		t.Fatalf("handshake: %d %q", st, body)
	}
	if st, body := pollGet(t, s, "", http.Header{"Origin": {"https://evil.example"}}); st == 200 {
		t.Fatalf("a foreign origin's handshake: %d %q", st, body)
	}
	if st, _ := pollGet(t, s, "", http.Header{"Origin": {s.URL()}}); st != 200 {
		t.Fatalf("the server's own origin: %d", st)
	}
	// An allowed origin polls across origins: CORS names it.
	req, _ := http.NewRequest("GET", s.URL()+"/socket.io/?EIO=4&transport=polling", nil)
	req.Header.Set("Origin", "https://app.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Fatalf("an allowed origin: %d, Access-Control-Allow-Origin %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}

	// A connected socket counts in /metrics until it goes.
	c := mustDialSIO(t, s, tokenFor(t, "ann"), "websocket")
	// The client is told it is connected before the server counts it.
	waitUntil(t, func() bool { return scrape(t, s, "parley_socketio_sockets") == 1 })
	c.sock.Disconnect()
	waitUntil(t, func() bool { return scrape(t, s, "parley_socketio_sockets") == 0 })
}

// A client that stops reading never holds up the conversation: its
// packets pile up only to a bound, then the runtime drops its socket as
// a slow one and the server discards the connection (the session is
// unknown afterwards), while the sender's messages and the bot's answers
// go on, each acknowledged.
func TestSocketIOSlowClient(t *testing.T) {
	s, cid := sioServer(t)
	annTok := tokenFor(t, "ann")
	sid := pollOpen(t, s, annTok)
	if st := pollPost(t, s, sid, fmt.Sprintf(`42["conversation:join",{"conversationId":%q}]`, cid)); st != 200 {
		t.Fatalf("join: %d", st)
	}
	// The join may take effect after the first messages: enough follow.
	ann := mustDialSIO(t, s, annTok, "websocket")
	ann.emitAck("conversation:join", map[string]any{"conversationId": cid})
	const n = 300 // each with the bot's answer: more than the queue and the backlog
	for i := range n {
		ann.emitAck("message:send", map[string]any{"conversationId": cid, "content": fmt.Sprint("m", i)})
	}
	ann.expectNew(fmt.Sprint("bot: m", n-1))
	waitUntil(t, func() bool {
		st, body := pollGet(t, s, sid, nil)
		return st == 400 && strings.Contains(body, "Session ID unknown")
	})
	resp, err := http.Get(s.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	metrics, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(metrics), "parley_slow_subscribers_dropped_total 1\n") {
		t.Fatal("the socket was not dropped as a slow subscriber")
	}
}

// The caps on open connections count Socket.IO sockets as /ws ones: a
// user's socket over the cap is refused with a connect error that says
// why, /ws is refused too while they are open, and a slot freed is
// taken again. The sockets are raw polling sessions: each is open until
// it closes, which no client library's timing disturbs.
func TestSocketIOConnectionCap(t *testing.T) {
	s := MustRunMain(t, limitsOn)
	tok := tokenFor(t, "rita")
	var sids []string
	for range 50 {
		sids = append(sids, pollOpen(t, s, tok))
	}
	if _, st, body := pollConnect(t, s, tok); st != 200 || !strings.HasPrefix(body, "44") || !strings.Contains(body, "too_many_connections") {
		t.Fatalf("a socket over the cap: %d %q, want a CONNECT_ERROR", st, body)
	}
	ws, _, err := dialWS(t, s, "bot_id=echo", http.Header{"Authorization": {"Bearer " + tok}})
	if err != nil {
		t.Fatal(err)
	}
	ws.expectError("rate_limited")
	if st := pollPost(t, s, sids[0], "1"); st != 200 { // Engine.IO's close
		t.Fatalf("closing a session: %d", st)
	}
	waitUntil(t, func() bool {
		_, _, body := pollConnect(t, s, tok)
		return strings.HasPrefix(body, "40")
	})
}

// The handshake's credentials besides a JWT in auth.token: an API key in
// auth.token, "Bearer " before a JWT, and, from a client that cannot set
// auth, the Authorization header of the handshake's request. An unknown
// key is refused with a connect error.
func TestSocketIOCredentials(t *testing.T) {
	s, cid := sioServer(t)
	code, out, errs := runCLI(t, append([]string{"apikey", "create", "--user", "ann", "--name", "app"}, storeArgs(s)...)...)
	if code != 0 || !strings.HasPrefix(out, "pk_") {
		t.Fatalf("apikey create: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	key := strings.TrimSpace(out)
	joined := func(c *sioClient) bool {
		return has("conversationId", cid)(c.emitAck("conversation:join", map[string]any{"conversationId": cid}))
	}
	if !joined(mustDialSIO(t, s, key, "websocket")) {
		t.Fatal("a socket of ann's API key cannot join ann's conversation")
	}
	if !joined(mustDialSIO(t, s, "Bearer "+tokenFor(t, "ann"), "websocket")) {
		t.Fatal(`"Bearer <JWT>" in auth.token: cannot join`)
	}
	if _, err := dialSIO(t, s, "pk_unknown", "websocket"); err == nil || !strings.Contains(err.Error(), "unknown or revoked") {
		t.Fatalf("an unknown key: %v, want a connect_error", err)
	}

	// No auth, the Authorization header on the handshake request.
	st, open := pollGet(t, s, "", http.Header{"Authorization": {"Bearer " + tokenFor(t, "ann")}})
	var o struct {
		SID string `json:"sid"`
	}
	if st != 200 || json.Unmarshal([]byte(strings.TrimPrefix(open, "0")), &o) != nil {
		t.Fatalf("handshake: %d %q", st, open)
	}
	if st := pollPost(t, s, o.SID, "40"); st != 200 {
		t.Fatalf("connect: %d", st)
	}
	if st, body := pollGet(t, s, o.SID, nil); st != 200 || !strings.HasPrefix(body, "40") {
		t.Fatalf("connect with the header: %d %q, want CONNECT", st, body)
	}
}
