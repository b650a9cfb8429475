package main

import (
	"strconv"
	"testing"
)

// handoverBot hands the conversation to the support desk on "help", says
// how it came back, and echoes everything else: an echo after the
// handover shows that the messages written during it never reached HEAR.
const handoverBot = `
while true do
  local m = HEAR()
  if m == "help" then
    TALK("asking a person")
    local r = TRANSFER("needs a person")
    TALK("back: " .. tostring(r.resolved) .. " " .. r.agent .. " " .. r.note)
  else
    TALK("bot: " .. m)
  end
end
`

// TRANSFER over the wire, with the server killed (-9) while the
// conversation waits for an agent: the user sees waiting_agent; the agent
// finds it in the queue, takes it, joins, and both chat with presence,
// typing and read receipts; the agent resolves it with a note, and the script goes on
// after TRANSFER with that note. What the user wrote meanwhile was for
// the agent: the bot never answers it.
func TestTransferOverTheWire(t *testing.T) {
	dir := testBots(t)
	writeBot(t, dir, "handover", "name: Handover\n", handoverBot)
	srv := newKillable(t, "--bots", dir)
	srv.start()
	s := server(srv)
	handover(t, s, s, func() (*testServer, *testServer) {
		srv.kill()
		srv.start()
		return s, s
	})
}

// handover plays a handover with the user on a and the agent on b;
// crash, called while the conversation waits, kills what the test wants
// killed and says where the user and the agent go on.
func handover(t *testing.T, a, b *testServer, crash func() (a, b *testServer)) {
	ann, ag := tokenFor(t, "ann"), tokenWithRole(t, "ag", "agent")
	var c struct{ ID string }
	if st := api(t, a, "POST", "/api/conversations", ann, map[string]any{"bot_id": "handover"}, &c); st != 201 {
		t.Fatalf("POST /api/conversations: %d", st)
	}
	annWS, _ := mustDial(t, a, "session_id="+c.ID, ann)
	annWS.say("help", "a1")
	annWS.expectMessage("user", "help")
	annWS.expectMessage("bot", "asking a person")
	annWS.expect("status", func(f frame) bool { return f.Status == "waiting_agent" })
	annWS.say("anyone there?", "a2")
	last := annWS.expectMessage("user", "anyone there?").Seq

	a, b = crash()
	annWS, _ = mustDial(t, a, "session_id="+c.ID+"&after="+strconv.FormatInt(last, 10), ann)

	type conversation struct {
		ID, SupportStatus, TransferReason string
	}
	var queue struct {
		Conversations []struct {
			ID             string `json:"id"`
			TransferReason string `json:"transfer_reason"`
		}
	}
	if st := api(t, b, "GET", "/api/support/conversations?status=waiting", ag, nil, &queue); st != 200 ||
		len(queue.Conversations) != 1 || queue.Conversations[0].ID != c.ID || queue.Conversations[0].TransferReason != "needs a person" {
		t.Fatalf("the queue: %d %+v", st, queue)
	}
	var taken struct {
		SupportStatus string `json:"support_status"`
	}
	if st := api(t, b, "POST", "/api/conversations/"+c.ID+"/assign", ag, map[string]string{"agent": "ag"}, &taken); st != 200 || taken.SupportStatus != "open" {
		t.Fatalf("assign: %d %+v", st, taken)
	}
	agWS, _ := mustDial(t, b, "session_id="+c.ID+"&after="+strconv.FormatInt(last, 10), ag)
	if f := annWS.expect("status", func(f frame) bool { return f.Status == "agent_joined" }); f.User != "ag" || f.Name != "ag" {
		t.Fatalf("agent_joined %s; want user and name ag", f.raw)
	}
	// Presence both ways: ann is told the agent came online; the agent,
	// joining, is told ann is there.
	if f := annWS.expect("presence", nil); f.User != "ag" || f.Role != "agent" || !f.Online {
		t.Fatalf("ann got %s; want the agent online", f.raw)
	}
	if f := agWS.expect("presence", nil); f.User != "ann" || f.Role != "user" || !f.Online {
		t.Fatalf("the agent got %s; want ann online", f.raw)
	}

	// Typing both ways.
	agWS.send(map[string]any{"type": "typing", "active": true})
	if f := annWS.expect("typing", nil); f.Sender != "agent" || f.User != "ag" || !f.Active {
		t.Fatalf("ann got %s; want the agent typing", f.raw)
	}
	annWS.send(map[string]any{"type": "typing", "active": true})
	if f := agWS.expect("typing", nil); f.Sender != "user" || f.User != "ann" || !f.Active {
		t.Fatalf("the agent got %s; want ann typing", f.raw)
	}
	// A conversation between people: the bot says nothing.
	agWS.say("Hi, this is Ag.", "g1")
	if f := annWS.expectMessage("agent", "Hi, this is Ag."); f.SenderName != "ag" {
		t.Fatalf("the agent's message: %s", f.raw)
	}
	annWS.say("my card was charged twice", "a3")
	annWS.expectMessage("user", "my card was charged twice")
	agWS.expectMessage("agent", "Hi, this is Ag.")
	seen := agWS.expectMessage("user", "my card was charged twice").Seq
	// Read receipts both ways.
	agWS.send(map[string]any{"type": "read", "seq": seen})
	if f := annWS.expect("read", nil); f.Reader != "ag" || f.Seq != seen {
		t.Fatalf("ann got %s; want ag read %d", f.raw, seen)
	}
	annWS.send(map[string]any{"type": "read", "seq": seen})
	if f := agWS.expect("read", nil); f.Reader != "ann" || f.Seq != seen {
		t.Fatalf("the agent got %s; want ann read %d", f.raw, seen)
	}

	var resolved struct {
		SupportStatus string `json:"support_status"`
		Note          string `json:"note"`
	}
	if st := api(t, b, "PATCH", "/api/conversations/"+c.ID, ag, map[string]string{"support_status": "resolved", "note": "refunded"}, &resolved); st != 200 ||
		resolved.SupportStatus != "resolved" || resolved.Note != "refunded" {
		t.Fatalf("resolve: %d %+v", st, resolved)
	}
	annWS.expect("status", func(f frame) bool { return f.Status == "resolved" })
	// The next message is the script's, after TRANSFER: nothing the user
	// wrote during the handover was heard.
	annWS.expectMessage("bot", "back: true ag refunded")
	annWS.say("thanks", "a4")
	annWS.expectMessage("user", "thanks")
	annWS.expectMessage("bot", "bot: thanks")
}
