package main

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/coder/websocket"

	"parley/ws"
)

func limitsOn(c *Config) { c.RateLimits = "on" }

// The message bucket (60/min, shared by /ws and REST) limits a flood: the
// 61st message is refused on either transport with the wait, and is not
// stored.
func TestMessageRateLimit(t *testing.T) {
	s := MustRunMain(t, limitsOn)
	tok := tokenFor(t, "paul")
	c, hello := mustDial(t, s, "bot_id=echo", tok)
	path := "/api/conversations/" + hello.SessionID + "/messages"
	// Half the bucket over REST, then /ws until refused. The bucket refills
	// one token a second, so a slow machine gets a few more through; an
	// unlimited server would take all 200. The refill is counted from the
	// first message: the REST half takes time too.
	start := time.Now()
	for i := range 30 {
		if code := api(t, s, "POST", path, tok, map[string]string{"content": "rest"}, nil); code != 201 {
			t.Fatalf("REST message %d: %d", i, code)
		}
	}
	var refused frame
	sent := 30
	for i := 0; refused.Code == "" && i < 200; i++ {
		id := fmt.Sprint("w", i)
		c.say("flood", id)
		f := c.expect("", func(f frame) bool {
			return (f.Type == "message" && f.ClientID == id) || (f.Type == "error" && f.ClientID == id)
		})
		if f.Type == "error" {
			refused = f
			break
		}
		sent++
	}
	if refused.Code != "rate_limited" || refused.RetryAfterMS <= 0 {
		t.Fatalf("after %d messages: %s, want rate_limited with retry_after_ms", sent, refused.raw)
	}
	if budget := 60 + int(time.Since(start).Seconds()) + 1; sent > budget {
		t.Fatalf("%d messages accepted, the bucket allows %d", sent, budget)
	}

	// The bucket is shared: REST is refused too, with Retry-After.
	var resp *http.Response
	for range 3 { // a token may have refilled meanwhile
		req, _ := http.NewRequest("POST", s.URL()+path, jsonBody(t, map[string]string{"content": "still too many"}))
		req.Header.Set("Authorization", "Bearer "+tok)
		var err error
		if resp, err = http.DefaultClient.Do(req); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == 429 {
			break
		}
	}
	if secs, _ := strconv.Atoi(resp.Header.Get("Retry-After")); resp.StatusCode != 429 || secs < 1 {
		t.Fatalf("REST flood: %d Retry-After %q, want 429 and a wait", resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	h := allHistory(t, s, hello.SessionID, tok)
	stored := 0
	for _, m := range h.Messages {
		if m.Sender == "user" {
			stored++
		}
	}
	if stored != sent+countContent(h, "still too many") {
		t.Fatalf("%d user messages stored, %d were accepted: a limited one was stored", stored, sent)
	}
	// Another user is not limited by this one.
	other, _ := mustDial(t, s, "bot_id=echo", tokenFor(t, "quinn"))
	other.say("fine", "q1")
	other.expectMessage("user", "fine")
}

// allHistory reads a whole conversation, page by page.
func allHistory(t *testing.T, s *testServer, sid, tok string) historyBody {
	t.Helper()
	var all historyBody
	before := ""
	for {
		var page historyBody
		if code := api(t, s, "GET", "/api/conversations/"+sid+"/history?limit=100"+before, tok, nil, &page); code != 200 {
			t.Fatalf("history: %d", code)
		}
		all.Messages = append(page.Messages, all.Messages...)
		if !page.HasMore || len(page.Messages) == 0 {
			return all
		}
		before = "&before=" + page.Messages[0].ID
	}
}

// countContent counts history messages with content (accepted retries).
func countContent(h historyBody, content string) int {
	n := 0
	for _, m := range h.Messages {
		if m.Content == content {
			n++
		}
	}
	return n
}

// A user may hold 50 sockets; the 51st is refused with rate_limited and
// 4029. Closing one makes room.
func TestConnectionCap(t *testing.T) {
	s := MustRunMain(t, limitsOn)
	tok := tokenFor(t, "rita")
	var socks []*wsClient
	for range 50 {
		c, _ := mustDial(t, s, "bot_id=echo", tok)
		socks = append(socks, c)
	}
	h := http.Header{"Authorization": {"Bearer " + tok}}
	over, _, err := dialWS(t, s, "bot_id=echo", h)
	if err != nil {
		t.Fatal(err)
	}
	over.expectError("rate_limited")
	over.expectClose(ws.CloseTooMany)

	socks[0].conn.Close(websocket.StatusNormalClosure, "")
	socks[0].expectClose(websocket.StatusNormalClosure)
	waitUntil(t, func() bool {
		c, _, err := dialWS(t, s, "bot_id=echo", h)
		if err != nil {
			t.Fatal(err)
		}
		defer c.conn.CloseNow()
		return c.next().Status == "connected"
	})
}

// Browsers may connect only from allowed origins; others are closed 1008.
func TestOrigins(t *testing.T) {
	s := MustRunMain(t, func(c *Config) { c.AllowedOrigins = []string{"*.example.com"} })
	for origin, ok := range map[string]bool{
		"":                        true,
		"http://" + hostOf(s):     true,
		"https://app.example.com": true,
		"https://evil.test":       false,
		"null":                    false,
	} {
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		c, _, err := dialWS(t, s, "", h)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			if f := c.next(); f.Status != "connected" {
				t.Errorf("origin %q: %s, want connected", origin, f.raw)
			}
			continue
		}
		c.expectClose(websocket.StatusPolicyViolation)
	}
}

// A ticket opens one socket as its user, once.
func TestTickets(t *testing.T) {
	s := MustRunMain(t)
	tok := tokenFor(t, "sam")
	var tk struct {
		Ticket    string `json:"ticket"`
		ExpiresIn int    `json:"expires_in"`
	}
	if code := api(t, s, "POST", "/api/ws-ticket", tok, nil, &tk); code != 200 || tk.Ticket == "" || tk.ExpiresIn != 30 {
		t.Fatalf("ws-ticket: %d %+v", code, tk)
	}
	c, hello := mustDial(t, s, "bot_id=echo&ticket="+tk.Ticket, "")
	if *hello.Anonymous {
		t.Fatalf("ticket socket is anonymous: %s", hello.raw)
	}
	c.say("via ticket", "t1")
	c.expectMessage("user", "via ticket")

	again, _, err := dialWS(t, s, "bot_id=echo&ticket="+tk.Ticket, nil)
	if err != nil {
		t.Fatal(err)
	}
	again.expectError("unauthorized")
	again.expectClose(ws.CloseUnauthorized)

	if code := api(t, s, "POST", "/api/ws-ticket", "", nil, nil); code != 401 {
		t.Fatalf("anonymous ws-ticket: %d, want 401", code)
	}
}

// Behind a trusted reverse proxy, limits kept per address count the
// client X-Forwarded-For names, not the proxy; an untrusted peer's header
// is ignored.
func TestTrustedProxies(t *testing.T) {
	s := MustRunMain(t, func(c *Config) { c.RateLimits, c.TrustedProxies = "on", []string{"127.0.0.1", "::1"} })
	from := func(ip string) *wsClient {
		c, _, err := dialWS(t, s, "", http.Header{"X-Forwarded-For": {"198.51.100.7, " + ip}})
		if err != nil {
			t.Fatal(err)
		}
		if f := c.next(); f.Status != "connected" {
			t.Fatalf("connect: %s", f.raw)
		}
		return c
	}
	flooder := from("203.0.113.1")
	// The bucket holds 60 and refills one token a second while the server
	// works through the flood, so a slow machine (-race, PostgreSQL) lets a
	// few more than 60 through; 200 is far past any refill, and an
	// unlimited server would take them all.
	for i := range 200 {
		flooder.say(fmt.Sprintf("flood %d", i), "")
	}
	flooder.expectError("rate_limited")
	// Another client behind the same proxy has its own bucket.
	other := from("203.0.113.2")
	other.say("my own bucket", "o1")
	other.expect("message", func(f frame) bool { return f.Sender == "user" && f.Content == "my own bucket" })
}
