package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	goruntime "runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/golang-jwt/jwt/v5"

	"parley/ws"
)

// TestHostileClients runs every kind of hostile client at once, three
// times over, against one server with its limits on, beside a user who is
// just chatting: floods on /ws and REST, a 1 MiB frame, malformed, deeply
// nested and non-UTF-8 JSON, bad origins, forged, expired and alg:none
// JWTs, replayed tickets, and another user's conversation ids. Each gets
// its documented error; the bystander's conversation is undisturbed and
// nothing of it reaches the attacker; and once the attackers are gone the
// server's heap and goroutines are back where they started. (Slow readers
// are in ws/handler_test.go, where the queue is small enough to fill.)
func TestHostileClients(t *testing.T) {
	s := MustRunMain(t, func(c *Config) { c.RateLimits = "on" })
	victim := tokenFor(t, "victor")
	bystander, hello := mustDial(t, s, "bot_id=echo", victim)
	secret := "victor's secret " + fmt.Sprint(time.Now().UnixNano())
	bystander.say(secret, "v0")
	bystander.expectMessage("user", secret)
	bystander.expectMessage("bot", secret)

	baseHeap, baseGoroutines := settled()
	attacker := tokenFor(t, "mallory")
	for round := range 3 {
		attack(t, s, attacker, hello.SessionID)
		// The bystander still chats, and sees only its own conversation.
		text := fmt.Sprintf("still fine %d", round)
		bystander.say(text, fmt.Sprintf("v%d", round+1))
		bystander.expectMessage("user", text)
		bystander.expectMessage("bot", text)
	}

	// Nothing of the attackers reached the bystander's conversation.
	var hist struct{ Messages []frame }
	api(t, s, "GET", "/api/conversations/"+hello.SessionID+"/history?limit=100", victim, nil, &hist)
	if len(hist.Messages) != 8 {
		t.Fatalf("the bystander's history has %d messages; want its 8", len(hist.Messages))
	}
	for _, m := range hist.Messages {
		if m.SessionID != "" && m.SessionID != hello.SessionID || strings.Contains(m.Content, "mallory") {
			t.Fatalf("an attacker's message in the bystander's history: %s", m.raw)
		}
	}

	// Resources come back: sockets closed, handlers and their goroutines
	// gone, the heap near where it was (generous margins: the test's own
	// clients share the process).
	deadline := time.Now().Add(waitFor)
	for {
		heap, goroutines := settled()
		// A few goroutines stay by design: the attacker's conversation
		// (until eviction) and pooled HTTP connections of the test.
		if heap < baseHeap+4<<20 && goroutines <= baseGoroutines+8 {
			t.Logf("heap %d KiB (was %d KiB), %d goroutines (were %d)", heap>>10, baseHeap>>10, goroutines, baseGoroutines)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the attacks: heap %d KiB (was %d KiB), %d goroutines (were %d)",
				heap>>10, baseHeap>>10, goroutines, baseGoroutines)
		}
		time.Sleep(100 * time.Millisecond) // polling the runtime's counters
	}
}

// settled returns the live heap after a GC and the number of goroutines.
func settled() (heap uint64, goroutines int) {
	http.DefaultClient.CloseIdleConnections()
	goruntime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64(), goruntime.NumGoroutine()
}

// attack is one round of every hostile client; each checks the error it
// gets.
func attack(t *testing.T, s *testServer, tok, victimSession string) {
	t.Helper()
	c, mine := mustDial(t, s, "bot_id=echo", tok)

	// Bad frames: each an error, the socket stays open.
	for frame, code := range map[string]string{
		`{"type":"message","content":`: "invalid_request",
		`[1,2,3]`:                      "invalid_request",
		strings.Repeat("[", 40) + strings.Repeat("]", 40):                             "invalid_request",
		"{\"type\":\"message\",\"content\":\"\xc3\x28\"}":                             "invalid_request",
		`{"type":"message","content":"mallory","session_id":"` + victimSession + `"}`: "forbidden",
		`{"type":"read","seq":-5}`:                                                    "invalid_request",
	} {
		c.sendRaw(frame)
		if f := c.expect("error", nil); f.Code != code {
			t.Fatalf("frame %.40q: error %s, want %s", frame, f.raw, code)
		}
	}

	// A flood: the bucket (60 a minute) runs dry; what is refused is not
	// stored, and says when to retry.
	limited := 0
	for i := range 80 {
		c.say(fmt.Sprintf("mallory flood %d", i), "")
	}
	for seen := 0; seen < 80; {
		f := c.next()
		switch {
		case f.Type == "error" && f.Code == "rate_limited":
			if f.RetryAfterMS <= 0 {
				t.Fatalf("rate_limited without retry_after_ms: %s", f.raw)
			}
			limited++
			seen++
		case f.Type == "message" && f.Sender == "user":
			seen++
		}
	}
	if limited == 0 {
		t.Fatal("80 messages at once were not rate limited")
	}
	var e struct {
		Error string `json:"error"`
	}
	// The bucket is shared with REST; it refills one a second, so a slow
	// run may get a message or two through before the 429.
	for i := 0; ; i++ {
		code := api(t, s, "POST", "/api/conversations/"+mine.SessionID+"/messages", tok, map[string]string{"content": "more"}, &e)
		if code == 429 && e.Error == "rate_limited" {
			break
		}
		if code != 201 || i == 20 {
			t.Fatalf("REST flood: %d %+v, want 429 rate_limited", code, e)
		}
	}

	// A 1 MiB frame closes the socket with 1009.
	big := `{"type":"message","content":"` + strings.Repeat("m", 1<<20) + `"}`
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	_ = c.conn.Write(ctx, websocket.MessageText, []byte(big)) // the server may close mid-write
	c.expectClose(websocket.StatusMessageTooBig)

	// Another user's conversation, on /ws and REST.
	other, _, err := dialWS(t, s, "bot_id=echo&session_id="+victimSession, http.Header{"Authorization": {"Bearer " + tok}})
	if err != nil {
		t.Fatal(err)
	}
	other.expectError("forbidden")
	other.expectClose(ws.CloseForbidden)
	for _, path := range []string{"/history", "/messages"} {
		method, body := "GET", any(nil)
		if path == "/messages" {
			method, body = "POST", map[string]string{"content": "mallory"}
		}
		if code := api(t, s, method, "/api/conversations/"+victimSession+path, tok, body, &e); code != 403 && code != 404 {
			t.Fatalf("%s of another user's conversation: %d", path, code)
		}
	}

	// Forged, expired and alg:none tokens; a bad origin; a replayed ticket.
	b64 := base64.RawURLEncoding.EncodeToString
	forge := func(secret string, exp time.Duration) string {
		tk, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "victor", "exp": time.Now().Add(exp).Unix()}).SignedString([]byte(secret))
		return tk
	}
	for _, bad := range []string{
		forge("guessed", time.Hour),
		forge(testSecret, -time.Hour),
		b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + b64([]byte(`{"sub":"victor","exp":9999999999}`)) + ".",
	} {
		sock, _, err := dialWS(t, s, "bot_id=echo", http.Header{"Authorization": {"Bearer " + bad}})
		if err != nil {
			t.Fatal(err)
		}
		sock.expectError("unauthorized")
		sock.expectClose(ws.CloseUnauthorized)
	}
	evil, _, err := dialWS(t, s, "", http.Header{"Origin": {"https://evil.test"}})
	if err != nil {
		t.Fatal(err)
	}
	evil.expectClose(websocket.StatusPolicyViolation)
	var tk struct{ Ticket string }
	if code := api(t, s, "POST", "/api/ws-ticket", tok, nil, &tk); code != 200 {
		t.Fatalf("ws-ticket: %d", code)
	}
	first, _ := mustDial(t, s, "bot_id=echo&ticket="+tk.Ticket, "")
	first.conn.Close(websocket.StatusNormalClosure, "")
	replayed, _, err := dialWS(t, s, "bot_id=echo&ticket="+tk.Ticket, nil)
	if err != nil {
		t.Fatal(err)
	}
	replayed.expectError("unauthorized")
	replayed.expectClose(ws.CloseUnauthorized)
}

// TestHostilePatterns: over a real socket, a visitor's message that makes
// a bot's trim backtrack (32,000 spaces and an x against "^(.-)%s*$"), and
// each pattern bomb command of testdata/bots/patterns, end their
// turn with dialog_error within the time budget, while a conversation on
// another socket is answered, again and again, as the turn runs; the next
// message starts the script again.
func TestHostilePatterns(t *testing.T) {
	const budget = 500 * time.Millisecond
	s := MustRunMain(t, func(c *Config) { c.TurnTimeout = budget })
	victim, _ := mustDial(t, s, "bot_id=patterns", tokenFor(t, "mallory"))
	bystander, _ := mustDial(t, s, "bot_id=echo", tokenFor(t, "nina"))
	trim := strings.Repeat(" ", 32000) + "x"
	for i, msg := range []string{trim, "find", "match", "gmatch", "gsub", "lazy", "brace", "callback"} {
		start := time.Now()
		victim.say(msg, fmt.Sprint("h", i))
		victim.expectMessage("user", msg)
		answered := 0
		for !victim.errorArrived("dialog_error") {
			if time.Since(start) > waitFor {
				// Closing the server would wait for the match to end.
				panic(fmt.Sprintf("%.20q: no dialog_error within %v", msg, waitFor))
			}
			ping := fmt.Sprintf("ping %d.%d", i, answered)
			bystander.say(ping, ping)
			bystander.expectMessage("user", ping)
			bystander.expectMessage("bot", ping)
			answered++
		}
		t.Logf("%.20q: dialog_error after %v; the bystander was answered %d times meanwhile",
			msg, time.Since(start).Round(time.Millisecond), answered)
		if answered == 0 {
			t.Errorf("%.20q: the bystander was not answered while the pattern ran", msg)
		}
		victim.say("hello", fmt.Sprint("after", i))
		victim.expectMessage("user", "hello")
		victim.expectMessage("bot", "ok: hello")
	}
	if _, ok := s.logs.find("bot script failed", "patterns", "Lua time budget exceeded"); !ok {
		t.Error("no log line says the patterns bot ran out of its time budget")
	}
}

// errorArrived reports whether an error frame has arrived, without
// waiting; it fails the test if the error's code is not code. Other
// frames that arrived meanwhile are skipped.
func (c *wsClient) errorArrived(code string) bool {
	c.t.Helper()
	for {
		select {
		case f, ok := <-c.frames:
			if !ok {
				c.t.Fatalf("connection ended while waiting for an error: %v", c.err)
			}
			c.checkSeq(f)
			if f.Type != "error" {
				continue
			}
			if f.Code != code {
				c.t.Fatalf("error frame %s, want code %s", f.raw, code)
			}
			return true
		default:
			return false
		}
	}
}
