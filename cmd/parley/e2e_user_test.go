package main

import (
	"fmt"
	"testing"
)

// A logged-in user with two sockets on one bot (two devices): each gets
// every message of the other in the same seq order, and a third socket
// connecting later with after=0 gets the whole history.
func TestUserDevicesShareConversation(t *testing.T) {
	s := MustRunMain(t)
	tok := tokenFor(t, "alice")
	phone, a := mustDial(t, s, "bot_id=echo", tok)
	laptop, b := mustDial(t, s, "bot_id=echo", tok)
	if a.SessionID != b.SessionID || *a.Anonymous || a.ResumeToken != "" {
		t.Fatalf("connected frames %s and %s: want one conversation, not anonymous, no resume_token", a.raw, b.raw)
	}
	var want []string
	for i := range 5 {
		for _, dev := range []*wsClient{phone, laptop} {
			text := fmt.Sprintf("m%d from %p", i, dev)
			dev.say(text, fmt.Sprintf("%p-%d", dev, i))
			turn := []string{"user:" + text, "bot:" + text}
			want = append(want, turn...)
			// Both devices see the turn, in the same order.
			for _, d := range []*wsClient{phone, laptop} {
				for _, w := range turn {
					m := d.nextMessage()
					if got := m.Sender + ":" + m.Content; got != w {
						t.Fatalf("device %p got %s, want %s", d, m.raw, w)
					}
				}
			}
		}
	}
	if phone.lastSeq != laptop.lastSeq || phone.lastSeq != int64(len(want)) {
		t.Fatalf("last seqs %d and %d, want both %d", phone.lastSeq, laptop.lastSeq, len(want))
	}

	// Both devices sending at once: both see one identical sequence.
	const burst = 20
	for i := range burst {
		phone.say(fmt.Sprint("p", i), fmt.Sprint("burst-p", i))
		laptop.say(fmt.Sprint("l", i), fmt.Sprint("burst-l", i))
	}
	var seqP, seqL []string
	for range 4 * burst {
		p, l := phone.nextMessage(), laptop.nextMessage()
		seqP = append(seqP, fmt.Sprint(p.Seq, p.Sender, p.Content))
		seqL = append(seqL, fmt.Sprint(l.Seq, l.Sender, l.Content))
		want = append(want, p.Sender+":"+p.Content)
	}
	if fmt.Sprint(seqP) != fmt.Sprint(seqL) {
		t.Fatalf("devices saw different orders:\n%v\n%v", seqP, seqL)
	}

	late, hello := mustDial(t, s, "bot_id=echo&after=0", tok)
	if *hello.LastSeq != int64(len(want)) {
		t.Fatalf("last_seq %d, want %d", *hello.LastSeq, len(want))
	}
	for i, w := range want {
		m := late.nextMessage()
		if got := m.Sender + ":" + m.Content; got != w || m.Seq != int64(i+1) {
			t.Fatalf("history %d = %s, want %s", i+1, m.raw, w)
		}
	}
}

// The same client_id sent twice stores one message and runs the dialog
// once; the duplicate gets the stored message back.
func TestClientIDIdempotent(t *testing.T) {
	s := MustRunMain(t)
	tok := tokenFor(t, "bob")
	c, _ := mustDial(t, s, "bot_id=echo", tok)
	c.say("once", "same-id")
	first := c.expectMessage("user", "once")
	c.expectMessage("bot", "once")

	c.lastSeq = 0 // the duplicate answer repeats an old seq
	c.say("once", "same-id")
	dup := c.expectMessage("user", "once")
	if dup.ID != first.ID || dup.Seq != first.Seq || dup.ClientID != "same-id" {
		t.Fatalf("duplicate answered %s, want the stored %s", dup.raw, first.raw)
	}
	// The dialog did not run again: the next message follows the reply.
	c.lastSeq = first.Seq + 1
	c.say("twice", "other-id")
	if m := c.expectMessage("user", "twice"); m.Seq != first.Seq+2 {
		t.Fatalf("next message %s, want seq %d", m.raw, first.Seq+2)
	}
	c.expectMessage("bot", "twice")

	var h historyBody
	api(t, s, "GET", "/api/conversations/"+first.SessionID+"/history", tok, nil, &h)
	if len(h.Messages) != 4 {
		t.Fatalf("history has %d messages, want 4: %+v", len(h.Messages), h.Messages)
	}
}
