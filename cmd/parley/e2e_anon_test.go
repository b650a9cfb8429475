package main

import (
	"fmt"
	"net/url"
	"testing"

	"parley/ws"
)

// An anonymous visitor connects, is greeted by the default bot and gets
// a reply to each message, in order (the client checks that every
// message frame follows the last without a gap).
func TestAnonymousChat(t *testing.T) {
	s := MustRunMain(t)
	c, hello := mustDial(t, s, "", "")
	if hello.Anonymous == nil || !*hello.Anonymous || hello.ResumeToken == "" || hello.BotID != "welcome" {
		t.Fatalf("connected frame %s: want anonymous, a resume_token and the default bot", hello.raw)
	}
	greeting := c.nextMessage()
	if greeting.Sender != "bot" || greeting.Seq != 1 || greeting.SessionID != hello.SessionID {
		t.Fatalf("first message %s, want the bot's greeting with seq 1", greeting.raw)
	}
	for i, text := range []string{"Ada", "About Parley", "Order status"} {
		c.say(text, fmt.Sprint("c", i))
		m := c.expect("message", func(f frame) bool { return f.Sender == "user" })
		if m.Content != text || m.ClientID != fmt.Sprint("c", i) {
			t.Fatalf("user message %s: want %q with client_id c%d", m.raw, text, i)
		}
		c.expect("message", func(f frame) bool { return f.Sender == "bot" })
	}
}

// Anonymous visitors may talk only to the default bot.
func TestAnonymousOtherBotForbidden(t *testing.T) {
	s := MustRunMain(t)
	c, _, err := dialWS(t, s, "bot_id=echo", nil)
	if err != nil {
		t.Fatal(err)
	}
	c.expectError("forbidden")
	c.expectClose(ws.CloseForbidden)

	// The server keeps serving others.
	other, _ := mustDial(t, s, "", "")
	other.expectMessage("bot", "…")
}

// After a reconnect with session_id, resume_token and after, the visitor
// gets exactly the messages it missed, then live ones.
func TestAnonymousResume(t *testing.T) {
	s := MustRunMain(t)
	c, hello := mustDial(t, s, "", "")
	seen := c.nextMessage().Seq
	c.conn.CloseNow()

	// What the visitor misses while away: a message from a second socket
	// and the bot's answer.
	q := url.Values{"session_id": {hello.SessionID}, "resume_token": {hello.ResumeToken}}
	other, _ := mustDial(t, s, q.Encode(), "")
	other.say("Grace", "a2")
	other.expect("message", func(f frame) bool { return f.Sender == "user" && f.Content == "Grace" })
	other.expect("message", func(f frame) bool { return f.Sender == "bot" })

	q.Set("after", fmt.Sprint(seen))
	back, again := mustDial(t, s, q.Encode(), "")
	if again.SessionID != hello.SessionID || *again.LastSeq < seen+2 {
		t.Fatalf("resumed frame %s, want session %s with last_seq >= %d", again.raw, hello.SessionID, seen+2)
	}
	for want := seen + 1; want <= *again.LastSeq; want++ {
		if m := back.nextMessage(); m.Seq != want {
			t.Fatalf("replayed %s, want seq %d", m.raw, want)
		}
	}
	// Then live frames continue the seq.
	back.say("About Parley", "a3")
	back.expect("message", func(f frame) bool { return f.Sender == "user" && f.Content == "About Parley" })

	// A wrong token does not resume.
	q.Set("resume_token", "not-the-token")
	bad, _, err := dialWS(t, s, q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	bad.expectError("forbidden")
	bad.expectClose(ws.CloseForbidden)
}
