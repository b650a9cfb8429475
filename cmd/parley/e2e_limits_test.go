package main

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"

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
	for i := range 30 {
		c.say(fmt.Sprint("ws ", i), fmt.Sprint("w", i))
		c.expectMessage("user", fmt.Sprint("ws ", i))
		c.expectMessage("bot", fmt.Sprint("ws ", i))
	}
	path := "/api/conversations/" + hello.SessionID + "/messages"
	for i := range 30 {
		if code := api(t, s, "POST", path, tok, map[string]string{"content": "rest"}, nil); code != 201 {
			t.Fatalf("REST message %d: %d", i, code)
		}
	}
	c.say("one too many", "over")
	e := c.expectError("rate_limited")
	if e.RetryAfterMS <= 0 || e.ClientID != "over" {
		t.Fatalf("rate_limited frame %s: want retry_after_ms and the client_id", e.raw)
	}

	req, _ := http.NewRequest("POST", s.URL()+path, jsonBody(t, map[string]string{"content": "still too many"}))
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if secs, _ := strconv.Atoi(resp.Header.Get("Retry-After")); resp.StatusCode != 429 || secs < 1 {
		t.Fatalf("REST flood: %d Retry-After %q, want 429 and a wait", resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	var h historyBody
	api(t, s, "GET", "/api/conversations/"+hello.SessionID+"/history?limit=100", tok, nil, &h)
	for _, m := range h.Messages {
		if m.Content == "one too many" || m.Content == "still too many" {
			t.Fatalf("a limited message was stored: %+v", m)
		}
	}
	// Another user is not limited by this one.
	other, _ := mustDial(t, s, "bot_id=echo", tokenFor(t, "quinn"))
	other.say("fine", "q1")
	other.expectMessage("user", "fine")
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
