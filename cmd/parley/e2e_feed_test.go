package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// feedFrame is the data of a feed event, the fields the tests check.
type feedFrame struct {
	Type          string `json:"type"`
	SessionID     string `json:"session_id"`
	Change        string `json:"change"`
	SupportStatus string `json:"support_status"`
	AssignedAgent string `json:"assigned_agent"`
	Seq           int64  `json:"seq"`
	Sender        string `json:"sender"`
	Content       string `json:"content"`
	Reader        string `json:"reader"`
}

// nextFeed returns the next feed event that is not a ping, and its data.
func nextFeed(t *testing.T, c *sseClient) (sseEvent, feedFrame) {
	t.Helper()
	for {
		select {
		case e, ok := <-c.events:
			if !ok {
				t.Fatalf("the feed ended: %v", c.err)
			}
			if e.Event == "ping" {
				continue
			}
			var f feedFrame
			if err := json.Unmarshal([]byte(e.Data), &f); err != nil || f.Type != e.Event || e.ID == "" {
				t.Fatalf("event %+v: type %q, err %v; want its frame, with an id", e, f.Type, err)
			}
			return e, f
		case <-time.After(10 * time.Second):
			t.Fatal("no feed event for 10s")
		}
	}
}

// expectFeed reads the feed until an event matching want, failing on any
// event of a conversation outside allowed.
func expectFeed(t *testing.T, c *sseClient, allowed []string, what string, want func(feedFrame) bool) sseEvent {
	t.Helper()
	for {
		e, f := nextFeed(t, c)
		if !strContains(allowed, f.SessionID) {
			t.Fatalf("waiting for %s: got %s of conversation %s, not this caller's", what, e.Data, f.SessionID)
		}
		if want(f) {
			return e
		}
	}
}

func strContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// The feed over the real wire: ann's feed has her conversations' messages
// (and not bob's), a new conversation, a support status change, an
// assignment and a read receipt; an admin API key's feed has everything.
func TestFeed(t *testing.T) {
	s := MustRunMain(t)
	ann, bob, root := tokenFor(t, "ann"), tokenFor(t, "bob"), tokenWithRole(t, "root", "admin")
	code, out, errs := runCLI(t, append([]string{"apikey", "create", "--user", "backend", "--role", "admin", "--name", "feed"}, storeArgs(s)...)...)
	if code != 0 {
		t.Fatalf("apikey create: %d %s %s", code, out, errs)
	}
	key := strings.TrimSpace(out)
	annFeed := mustSSE(t, s.URL(), "/api/events", ann)
	adminFeed, resp := openSSE(t, s.URL(), "/api/events", http.Header{"X-API-Key": {key}})
	if adminFeed == nil {
		t.Fatalf("feed with an admin key: %d", resp.StatusCode)
	}

	var a, b struct{ ID string }
	if st := api(t, s, "POST", "/api/conversations", ann, map[string]any{"bot_id": "echo"}, &a); st != 201 {
		t.Fatalf("POST /api/conversations: %d", st)
	}
	if st := api(t, s, "POST", "/api/conversations", bob, map[string]any{"bot_id": "echo"}, &b); st != 201 {
		t.Fatalf("POST /api/conversations: %d", st)
	}
	mine := []string{a.ID}
	expectFeed(t, annFeed, mine, "created", func(f feedFrame) bool { return f.Type == "conversation" && f.Change == "created" })

	bobWS, _ := mustDial(t, s, "session_id="+b.ID, bob)
	bobWS.say("bob's secret", "b1")
	bobWS.expectMessage("user", "bob's secret")
	bobWS.expectMessage("bot", "bob's secret")
	annWS, _ := mustDial(t, s, "session_id="+a.ID, ann)
	annWS.say("hello", "a1")
	annWS.expectMessage("user", "hello")
	echo := annWS.expectMessage("bot", "hello")
	expectFeed(t, annFeed, mine, "ann's message", func(f feedFrame) bool { return f.Type == "message" && f.Sender == "user" && f.Content == "hello" })
	expectFeed(t, annFeed, mine, "the echo", func(f feedFrame) bool { return f.Type == "message" && f.Sender == "bot" && f.Seq == echo.Seq })

	annWS.send(map[string]any{"type": "read", "seq": echo.Seq})
	expectFeed(t, annFeed, mine, "the read receipt", func(f feedFrame) bool { return f.Type == "read" && f.Seq == echo.Seq && f.Reader == "ann" })
	if st := api(t, s, "PATCH", "/api/conversations/"+a.ID, root, map[string]string{"support_status": "waiting"}, nil); st != 200 {
		t.Fatalf("PATCH support_status: %d", st)
	}
	expectFeed(t, annFeed, mine, "waiting", func(f feedFrame) bool { return f.Change == "updated" && f.SupportStatus == "waiting" })
	if st := api(t, s, "POST", "/api/conversations/"+a.ID+"/assign", root, map[string]string{"agent": "ag"}, nil); st != 200 {
		t.Fatalf("assign: %d", st)
	}
	expectFeed(t, annFeed, mine, "the assignment", func(f feedFrame) bool { return f.Change == "updated" && f.AssignedAgent == "ag" })

	// The admin key's feed: both conversations, every event in id order.
	all := []string{a.ID, b.ID}
	got := map[string]bool{}
	last := int64(0)
	for !(got["bob's secret"] && got["ag"]) {
		e, f := nextFeed(t, adminFeed)
		if !strContains(all, f.SessionID) {
			t.Fatalf("admin feed: %s", e.Data)
		}
		id, _ := strconv.ParseInt(e.ID, 10, 64)
		if id <= last {
			t.Fatalf("admin feed: id %d after %d", id, last)
		}
		last = id
		got[f.Content], got[f.AssignedAgent] = true, true
	}

	// Resuming from an id replays what follows it, exactly.
	again := mustSSE(t, s.URL(), "/api/events", ann, "Last-Event-ID", "0")
	e := expectFeed(t, again, mine, "created", func(f feedFrame) bool { return f.Change == "created" })
	if e.ID == "" {
		t.Fatal("no id")
	}
	var errBody struct{ Error string }
	if st := api(t, s, "GET", "/api/events?after=x", ann, nil, &errBody); st != 400 {
		t.Fatalf("after=x: %d %+v", st, errBody)
	}
}

// The feed resumes with Last-Event-ID across kill -9 of the server while
// messages are posted: every message event exactly once, in order.
func TestFeedResumeAcrossCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real binary")
	}
	srv := newKillable(t, "--bots", testBots(t), "--rate-limits", "off")
	srv.start()
	tok := tokenFor(t, "kim")
	var c struct {
		ConversationID string `json:"conversation_id"`
	}
	if st := api(t, &testServer{urlOverride: srv.url}, "POST", "/api/conversations/start", tok, map[string]any{"bot_id": "echo"}, &c); st != 201 {
		t.Fatalf("start: %d", st)
	}
	const n = 30
	posted := make(chan error, 1)
	go func() { posted <- postUntilStored(srv.url, "/api/conversations/"+c.ConversationID+"/messages", tok, n) }()

	sc := mustSSE(t, srv.url, "/api/events", tok, "Last-Event-ID", "0")
	lastID, lastSeq := "", int64(0)
	killed, restarted := false, false
	next := map[string]int{}
	for lastSeq < 2*n {
		e, ok := <-sc.events
		if !ok {
			if !killed || restarted {
				t.Fatalf("the feed ended: %v", sc.err)
			}
			srv.start()
			restarted = true
			sc = mustSSE(t, srv.url, "/api/events", tok, "Last-Event-ID", lastID)
			continue
		}
		if e.Event == "ping" {
			continue
		}
		if e.ID == "" {
			t.Fatalf("event without id: %+v", e)
		}
		lastID = e.ID
		if e.Event != "message" {
			continue
		}
		if e.frame.Seq != lastSeq+1 {
			t.Fatalf("message seq %d after %d (id %s)", e.frame.Seq, lastSeq, e.ID)
		}
		lastSeq = e.frame.Seq
		if want := fmt.Sprint("m", next[e.frame.Sender]); e.frame.Content != want {
			t.Fatalf("message %d from %s is %q, want %q", lastSeq, e.frame.Sender, e.frame.Content, want)
		}
		next[e.frame.Sender]++
		if lastSeq == 10 && !killed {
			srv.kill()
			killed = true
		}
	}
	if err := <-posted; err != nil {
		t.Fatal(err)
	}
}
