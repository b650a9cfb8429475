package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// People in one conversation over the real wire (docs/support.md): a
// conversation of two users and a bot, made over REST with a participant;
// both users' sockets see every message with its author's name, the bot
// answers each user; an admin who joins speaks as an agent, and the bot
// does not hear them; a user who is not a member is refused.
func TestConversationOfTwoUsers(t *testing.T) {
	s := MustRunMain(t)
	twoUsersAndABot(t, s, s)
}

// twoUsersAndABot plays the conversation with ann's socket on a and bea's
// and the admin's on b (one server, or two nodes).
func twoUsersAndABot(t *testing.T, a, b *testServer) {
	ann, bea := tokenFor(t, "ann"), tokenFor(t, "bea")
	root, zed := tokenWithRole(t, "root", "admin"), tokenFor(t, "zed")
	var c struct {
		ID           string   `json:"id"`
		Participants []string `json:"participants"`
		Title        string   `json:"title"`
	}
	if st := api(t, a, "POST", "/api/conversations", ann, map[string]any{
		"bot_id": "echo", "title": "North field", "participants": []string{"bea"},
	}, &c); st != 201 || c.Title != "North field" || fmt.Sprint(c.Participants) != "[bea]" {
		t.Fatalf("POST /api/conversations: %d %+v", st, c)
	}
	annWS, _ := mustDial(t, a, "session_id="+c.ID, ann)
	beaWS, hello := mustDial(t, b, "session_id="+c.ID, bea)
	if hello.SessionID != c.ID {
		t.Fatalf("bea joined %s, want %s", hello.SessionID, c.ID)
	}
	both := []*wsClient{annWS, beaWS}
	expectAll := func(sender, name, content string) {
		t.Helper()
		for _, ws := range both {
			f := ws.expectMessage(sender, content)
			if f.SenderName != name {
				t.Fatalf("%s's message %q has sender_name %q, want %q", sender, content, f.SenderName, name)
			}
		}
	}
	annWS.say("from ann", "a1")
	expectAll("user", "ann", "from ann")
	expectAll("bot", "", "from ann")
	beaWS.say("from bea", "b1")
	expectAll("user", "bea", "from bea")
	expectAll("bot", "", "from bea")

	// An admin joins and speaks as an agent; the bot does not answer them.
	rootWS, _ := mustDial(t, b, "session_id="+c.ID, root)
	both = append(both, rootWS)
	rootWS.say("from root", "r1")
	expectAll("agent", "root", "from root")
	annWS.say("ann again", "a2")
	expectAll("user", "ann", "ann again")
	expectAll("bot", "", "ann again") // the next bot message answers ann, not root

	// bea switches the bot off: ann's message reaches the people only;
	// switched on again, the bot answers the next one (had it heard the
	// first, its answer would come before "back").
	var conv struct {
		BotEnabled *bool `json:"bot_enabled"`
	}
	if st := api(t, b, "POST", "/api/conversations/"+c.ID+"/bots", bea, map[string]bool{"enabled": false}, &conv); st != 200 || conv.BotEnabled == nil || *conv.BotEnabled {
		t.Fatalf("switching the bot off: %d, bot_enabled %v", st, conv.BotEnabled)
	}
	// Each socket is told; what ann sends after she was told is not heard.
	for _, ws := range both {
		ws.expect("status", func(f frame) bool { return f.Status == "bot_off" })
	}
	annWS.say("just us", "a3")
	expectAll("user", "ann", "just us")
	if st := api(t, a, "POST", "/api/conversations/"+c.ID+"/bots", ann, map[string]bool{"enabled": true}, &conv); st != 200 || !*conv.BotEnabled {
		t.Fatalf("switching the bot on: %d", st)
	}
	for _, ws := range both {
		ws.expect("status", func(f frame) bool { return f.Status == "bot_on" })
	}
	annWS.say("back", "a4")
	expectAll("user", "ann", "back")
	for _, ws := range both {
		if f := ws.expectMessage("bot", "back"); string(f.Metadata) != `{"automated":true}` {
			t.Fatalf("a bot message's metadata is %s; want {\"automated\":true}", f.Metadata)
		}
	}

	// Someone else is refused with forbidden and 4003.
	other, _, err := dialWS(t, a, "session_id="+c.ID, bearer(zed))
	if err != nil {
		t.Fatal(err)
	}
	other.expectError("forbidden")
	other.expectClose(websocket.StatusCode(4003))

	var hist struct{ Messages []frame }
	api(t, b, "GET", "/api/conversations/"+c.ID+"/history", bea, nil, &hist)
	var got []string
	for _, m := range hist.Messages {
		got = append(got, m.Sender+"/"+m.SenderName+":"+m.Content)
	}
	want := "[user/ann:from ann bot/:from ann user/bea:from bea bot/:from bea agent/root:from root user/ann:ann again bot/:ann again user/ann:just us user/ann:back bot/:back]"
	if fmt.Sprint(got) != want {
		t.Fatalf("history %v\nwant %s", got, want)
	}
}

// Typing and read receipts between the two users of a conversation over
// the real wire (docs/support.md): each sees the other's, never their
// own; a message ends its author's typing; an indicator nobody refreshes
// ends by itself; a receipt comes from a read frame or from REST.
func TestTypingAndReadReceipts(t *testing.T) {
	s := MustRunMain(t)
	typingAndReceipts(t, s, s)
}

// typingAndReceipts plays it with ann's sockets on a and bea's on b.
func typingAndReceipts(t *testing.T, a, b *testServer) {
	ann, bea := tokenFor(t, "ann"), tokenFor(t, "bea")
	var c struct{ ID string }
	if st := api(t, a, "POST", "/api/conversations", ann, map[string]any{
		"bot_id": "echo", "participants": []string{"bea"},
	}, &c); st != 201 {
		t.Fatalf("POST /api/conversations: %d", st)
	}
	annWS, _ := mustDial(t, a, "session_id="+c.ID, ann)
	beaWS, _ := mustDial(t, b, "session_id="+c.ID, bea)
	person := func(f frame) bool { return f.Sender != "bot" }
	typing := func(ws *wsClient, user string, active bool) {
		t.Helper()
		// The first person's typing frame: had the socket got its own
		// typing, it would be this one.
		f := ws.expect("typing", person)
		if f.User != user || f.Active != active || f.Sender != "user" || f.SessionID != c.ID {
			t.Fatalf("got %s, want %s typing %v", f.raw, user, active)
		}
	}
	receipt := func(ws *wsClient, reader string, seq int64) {
		t.Helper()
		f := ws.expect("read", nil)
		if f.Reader != reader || f.Seq != seq || f.SessionID != c.ID {
			t.Fatalf("got %s, want %s read %d", f.raw, reader, seq)
		}
	}

	annWS.send(map[string]any{"type": "typing", "active": true})
	typing(beaWS, "ann", true)
	beaWS.send(map[string]any{"type": "typing", "active": true, "session_id": c.ID})
	typing(annWS, "bea", true)
	beaWS.send(map[string]any{"type": "typing", "active": false})
	typing(annWS, "bea", false)

	// ann's message ends her typing, before it.
	annWS.say("hello", "a1")
	typing(beaWS, "ann", false)
	for _, ws := range []*wsClient{annWS, beaWS} {
		ws.expectMessage("user", "hello")
		ws.expectMessage("bot", "hello")
	}

	// Read receipts both ways: a read frame, and REST.
	beaWS.send(map[string]any{"type": "read", "seq": 2})
	receipt(annWS, "bea", 2)
	var mark struct {
		ReadSeq int64 `json:"read_seq"`
	}
	if st := api(t, a, "POST", "/api/conversations/"+c.ID+"/read", ann, map[string]any{"seq": 9}, &mark); st != 200 || mark.ReadSeq != 2 {
		t.Fatalf("ann's POST read: %d %+v; want 200 read_seq 2", st, mark)
	}
	receipt(beaWS, "ann", 2)
	beaWS.send(map[string]any{"type": "read", "seq": 1}) // moves nothing: not told

	// bea types and stops refreshing: ann sees it end by itself, after
	// the 5 s expiry; nothing came in between (bea's read of seq 1 was
	// not told).
	// Timed from before bea's frame leaves: the server's 5 s start later,
	// however slowly the frame reaches ann (across nodes, under load).
	start := time.Now()
	beaWS.send(map[string]any{"type": "typing", "active": true})
	typing(annWS, "bea", true)
	if f := annWS.next(); f.Type != "typing" || f.User != "bea" || f.Active {
		t.Fatalf("got %s, want bea's typing to end", f.raw)
	}
	if took := time.Since(start); took < 4*time.Second {
		t.Fatalf("bea's typing ended after %v, before the 5 s expiry", took)
	}
}

// tokenWithRole returns a JWT for user with role, signed with the test
// secret.
func tokenWithRole(t *testing.T, user, role string) string {
	t.Helper()
	var out bytes.Buffer
	args := []string{"token", "--user", user, "--role", role, "--jwt-secret", testSecret, "--data", t.TempDir()}
	if code := run(context.Background(), args, &out, io.Discard); code != 0 {
		t.Fatalf("parley token exited %d", code)
	}
	return strings.TrimSpace(out.String())
}

// bearer is the header that sends tok.
func bearer(tok string) http.Header {
	return http.Header{"Authorization": {"Bearer " + tok}}
}

// A user's socket on one conversation hears of a message in another of
// theirs by a notification frame, whichever node stored it.
func TestNotificationFrames(t *testing.T) {
	s := MustRunMain(t)
	notifiedAcross(t, s, s)
}

// notifiedAcross: ann follows her own conversation on a; bea makes one
// with ann as a participant and writes to it on b.
func notifiedAcross(t *testing.T, a, b *testServer) {
	ann, bea := tokenFor(t, "ann"), tokenFor(t, "bea")
	annWS, _ := mustDial(t, a, "bot_id=echo", ann)
	var c struct {
		ID string `json:"id"`
	}
	if st := api(t, b, "POST", "/api/conversations", bea, map[string]any{"bot_id": "echo", "participants": []string{"ann"}}, &c); st != 201 {
		t.Fatalf("POST /api/conversations: %d", st)
	}
	if st := api(t, b, "POST", "/api/conversations/"+c.ID+"/messages", bea, map[string]string{"content": "look at this"}, nil); st != 201 {
		t.Fatalf("POST messages: %d", st)
	}
	f := annWS.expect("notification", nil)
	var n struct {
		SessionID string `json:"session_id"`
		Message   struct {
			Content    string `json:"content"`
			SenderName string `json:"sender_name"`
			SessionID  string `json:"session_id"`
		} `json:"message"`
	}
	if err := json.Unmarshal([]byte(f.raw), &n); err != nil {
		t.Fatal(err)
	}
	if n.SessionID != c.ID || n.Message.SessionID != c.ID || n.Message.Content != "look at this" || n.Message.SenderName != "bea" {
		t.Fatalf("notification %s; want bea's message in %s", f.raw, c.ID)
	}
}
