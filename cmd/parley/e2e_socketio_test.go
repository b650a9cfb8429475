package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// The support app's Socket.IO events over the wire (docs/socketio.md),
// with the Go client: a farmer (ann) and a support agent (ag) chat
// through every event; a bad token is a connect_error; a /ws client of
// the same conversation sees the same messages in the same order. Over
// WebSocket, and over long-polling upgraded to WebSocket (the client's
// default).
//
// Long-polling alone is TestSocketIONode's (the real socket.io-client):
// the Go client's polling transport (v3.0.6) queues its POSTs behind its
// pending GET, so a packet it sends waits until the server sends
// something, and its pong waits too, which stops the server's pings:
// a client event that the server does not answer stalls until the ping
// timeout. That is the Go client's, not the server's: the JavaScript
// client posts while it polls.
func TestSocketIOChat(t *testing.T) {
	for _, transport := range []string{"websocket", "polling+websocket"} {
		t.Run(transport, func(t *testing.T) { socketIOChat(t, transport) })
	}
}

// sioServer starts a server with the handover bot and returns it and a
// conversation of ann's with it.
func sioServer(t *testing.T, opts ...func(*Config)) (*testServer, string) {
	t.Helper()
	dir := testBots(t)
	writeBot(t, dir, "handover", "name: Handover Desk\n", handoverBot)
	s := MustRunMain(t, append([]func(*Config){func(c *Config) { c.Bots = dir }}, opts...)...)
	var c struct{ ID string }
	if st := api(t, s, "POST", "/api/conversations", tokenFor(t, "ann"), map[string]any{"bot_id": "handover"}, &c); st != 201 {
		t.Fatalf("POST /api/conversations: %d", st)
	}
	return s, c.ID
}

func socketIOChat(t *testing.T, transport string) {
	s, cid := sioServer(t)
	annTok, agTok := tokenFor(t, "ann"), tokenWithRole(t, "ag", "agent")

	for _, bad := range []string{"", "not-a-token", annTok + "x"} {
		if _, err := dialSIO(t, s, bad, transport); err == nil || !strings.Contains(err.Error(), "connect_error") {
			t.Fatalf("token %q: %v, want a connect_error", bad, err)
		}
	}

	ann := mustDialSIO(t, s, annTok, transport)
	ann.emit("conversation:join", map[string]any{"conversationId": cid})
	ack := ann.emitAck("message:send", map[string]any{"conversationId": cid, "messageType": "text", "content": "help", "clientId": "c1"})
	var sent struct{ MessageID, Timestamp string }
	json.Unmarshal(ack, &sent)
	ann.expect("message:sent", has("messageId", sent.MessageID))
	help := ann.expectNew("help")
	if sent.MessageID == "" || help.ID != sent.MessageID || help.SenderID.ID != "ann" || help.SenderID.Role != "User" || help.MessageType != "text" {
		t.Fatalf("ack %s, message %+v", ack, help)
	}
	bot := ann.expectNew("asking a person")
	if bot.SenderID.ID != "bot:handover" || bot.SenderID.FirstName != "Handover Desk" || bot.SenderID.Role != "Support" {
		t.Fatalf("the bot's message: %+v", bot)
	}
	// A resend with the same clientId stores nothing: the same message id.
	again := ann.emitAck("message:send", map[string]any{"conversationId": cid, "content": "help", "clientId": "c1"})
	if !has("messageId", sent.MessageID)(again) {
		t.Fatalf("resend acknowledged %s, want message %s", again, sent.MessageID)
	}

	// The agent finds it waiting, joins: each sees the other online.
	ag := mustDialSIO(t, s, agTok, transport)
	if j := ag.emitAck("conversation:join", map[string]any{"conversationId": "no-such"}); !has("code", "not_found")(j) {
		t.Fatalf("a join refused is acknowledged %s", j)
	}
	ag.emit("conversation:join", map[string]any{"conversationId": cid})
	ag.expect("user:online", has("userId", "ann"))
	ann.expect("user:online", has("userId", "ag"))

	ag.emit("typing:start", map[string]any{"conversationId": cid})
	ann.expect("typing:user-typing", func(d json.RawMessage) bool {
		return has("conversationId", cid)(d) && has("userId", "ag")(d) && has("userName", "ag")(d)
	})
	ag.emit("typing:stop", map[string]any{"conversationId": cid})
	ann.expect("typing:user-stopped", has("userId", "ag"))

	ag.emitAck("message:send", map[string]any{"conversationId": cid, "messageType": "text", "content": "hello, I am support"})
	hello := ann.expectNew("hello, I am support")
	if hello.SenderID.ID != "ag" || hello.SenderID.Role != "Support" {
		t.Fatalf("the agent's message as ann sees it: %+v", hello)
	}
	ag.expectNew("hello, I am support")

	ann.emit("message:read", map[string]any{"conversationId": cid, "messageId": hello.ID})
	ag.expect("message:read-receipt", func(d json.RawMessage) bool {
		return has("messageId", hello.ID)(d) && has("readBy", "ann")(d) && has("conversationId", cid)(d)
	})
	ann.emitAck("message:send", map[string]any{"conversationId": cid, "content": "thanks"})
	thanks := ag.expectNew("thanks")
	ag.emit("conversation:mark-all-read", map[string]any{"conversationId": cid})
	ann.expect("message:read-receipt", func(d json.RawMessage) bool {
		return has("messageId", thanks.ID)(d) && has("readBy", "ag")(d)
	})

	// Media: uploaded by REST, sent by its id.
	up := uploadFile(t, s, annTok, "cup.png", pngOf(t, 8, 8, 1))
	ann.emitAck("message:send", map[string]any{"conversationId": cid, "messageType": "image", "mediaId": up.ID, "content": ""})
	photo := ag.expectNew("")
	if photo.MessageType != "image" || len(photo.Media) != 1 || photo.Media[0].ID != up.ID || photo.Media[0].Format != "png" || photo.Media[0].Type != "image" {
		t.Fatalf("the photo as the agent sees it: %+v", photo)
	}

	// Bad payloads: an error event each, and the socket goes on.
	ann.emit("message:send", map[string]any{"content": "no conversation"})
	ann.expect("error", func(d json.RawMessage) bool { return strings.Contains(string(d), "conversationId") })
	ann.emit("message:send", 42)
	ann.expect("error", nil)
	if a := ann.emitAck("message:send", map[string]any{"conversationId": cid, "messageType": "sticker", "content": "x"}); !has("code", "invalid_request")(a) {
		t.Fatalf("a refused send is acknowledged %s", a)
	}
	ann.expect("error", has("code", "invalid_request"))
	ann.emit("conversation:join", map[string]any{"conversationId": "no-such-conversation"})
	ann.expect("error", has("conversationId", "no-such-conversation"))
	ann.emit("message:send", map[string]any{"conversationId": cid, "messageType": "image"})
	ann.expect("error", func(d json.RawMessage) bool { return strings.Contains(string(d), "mediaId") })

	// Left, ann hears of the agent's messages as notifications.
	ann.emitAck("conversation:leave", map[string]any{"conversationId": cid})
	ag.emitAck("message:send", map[string]any{"conversationId": cid, "content": "still there?"})
	ann.expect("notification:new-message", func(d json.RawMessage) bool {
		var n struct {
			ConversationID string
			Message        sioMessage
			Sender         struct{ ID, Name string }
		}
		return json.Unmarshal(d, &n) == nil && n.ConversationID == cid && n.Message.Content == "still there?" && n.Sender.ID == "ag"
	})

	// A /ws client of the conversation sees the same messages, in order.
	ws, _ := mustDial(t, s, "session_id="+cid+"&after=0", annTok)
	want := []string{help.ID, bot.ID, hello.ID, thanks.ID, photo.ID}
	for i, id := range want {
		if f := ws.nextMessage(); f.ID != id {
			t.Fatalf("/ws message %d is %s (%q), want %s", i, f.ID, f.Content, id)
		}
	}

	// The agent goes: ann, back in the room, sees them go offline.
	if j := ann.emitAck("conversation:join", map[string]any{"conversationId": cid}); !has("conversationId", cid)(j) {
		t.Fatalf("join acknowledged %s", j)
	}
	// Disconnect sends the DISCONNECT packet; closing the Engine.IO
	// connection too makes the agent gone even if that packet is lost
	// (under a loaded CI run it once did not arrive within 10 s, and the
	// server would only have noticed at the ping timeout, 45 s), as an
	// app whose tab closes is gone.
	ag.sock.Disconnect()
	if e := ag.sock.Io().Engine(); e != nil {
		e.Close()
	}
	// A flake seen twice under CI load: no user:offline within 10 s. Say
	// whether the server still counts the agent online, which tells a
	// socket the server kept open from an event that did not go out.
	t.Cleanup(func() {
		if t.Failed() && s.hub != nil {
			t.Logf("agents the server counts online at the end: %v", s.hub.Online("agent"))
		}
	})
	ann.expect("user:offline", has("userId", "ag"))
}
