package runtime_test

import (
	"context"
	"testing"
	"time"

	"parley/runtime"
)

// Only a conversation's owner, or an admin, may write to it through the
// hub; anonymous visitors write only through their socket.
func TestSendAccess(t *testing.T) {
	t.Parallel()
	h := newHub(t, silent, runtime.Config{})
	own := h.join(t, alice, runtime.JoinRequest{})
	anonSub := h.join(t, anon, runtime.JoinRequest{})
	cases := []struct {
		name string
		id   runtime.Identity
		sid  runtime.SessionID
		want runtime.Kind
	}{
		{"owner", alice, own.Session.ID, ""},
		{"admin", admin, own.Session.ID, ""},
		{"another user", bob, own.Session.ID, runtime.KindForbidden},
		{"anonymous to a user's", anon, own.Session.ID, runtime.KindForbidden},
		{"anonymous to its own", anon, anonSub.Session.ID, runtime.KindForbidden},
		{"a user to an anonymous one", alice, anonSub.Session.ID, runtime.KindForbidden},
		{"unknown conversation", alice, "no-such-session", runtime.KindNotFound},
	}
	for _, tc := range cases {
		before := len(h.stored(t, tc.sid))
		_, _, err := h.Send(context.Background(), tc.id, runtime.SendRequest{SessionID: tc.sid, Content: tc.name})
		if tc.want == "" {
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			continue
		}
		if !runtime.IsKind(err, tc.want) {
			t.Fatalf("%s: err = %v, want %s", tc.name, err, tc.want)
		}
		if after := len(h.stored(t, tc.sid)); after != before {
			t.Fatalf("%s: a refused message was stored", tc.name)
		}
	}
}

// A socket writes only to its own conversation.
func TestSubscriptionSendForeignSession(t *testing.T) {
	t.Parallel()
	h := newHub(t, silent, runtime.Config{})
	mine := h.join(t, alice, runtime.JoinRequest{})
	theirs := h.join(t, bob, runtime.JoinRequest{})
	_, _, err := mine.Send(context.Background(), runtime.SendRequest{SessionID: theirs.Session.ID, Content: "hi"})
	expectKind(t, err, runtime.KindForbidden)
	if n := len(h.stored(t, theirs.Session.ID)) + len(h.stored(t, mine.Session.ID)); n != 0 {
		t.Fatalf("%d messages stored", n)
	}
	expectQuiet(t, theirs)
	if _, _, err := mine.Send(context.Background(), runtime.SendRequest{SessionID: mine.Session.ID, Content: "hi"}); err != nil {
		t.Fatalf("naming its own session: %v", err)
	}
}

// Joining: users reach their own conversations (admins any), anonymous
// visitors only the default bot and, with the resume token, their own.
func TestJoinAccess(t *testing.T) {
	t.Parallel()
	h := newHub(t, silent, runtime.Config{})
	users := h.join(t, alice, runtime.JoinRequest{BotID: "other"})
	anonSub := h.join(t, anon, runtime.JoinRequest{})
	if anonSub.ResumeToken == "" || !anonSub.Session.Anonymous || anonSub.Session.BotID != "echo" {
		t.Fatalf("anonymous join: token %q, session %+v", anonSub.ResumeToken, anonSub.Session)
	}
	if users.ResumeToken != "" {
		t.Fatalf("a user's subscription has a resume token")
	}
	token, asid := anonSub.ResumeToken, anonSub.Session.ID
	stranger := runtime.Identity{Anonymous: true, IP: "192.0.2.7"}
	cases := []struct {
		name string
		id   runtime.Identity
		req  runtime.JoinRequest
		want runtime.Kind
	}{
		{"owner by id", alice, runtime.JoinRequest{SessionID: users.Session.ID}, ""},
		{"admin by id", admin, runtime.JoinRequest{SessionID: users.Session.ID}, ""},
		{"another user by id", bob, runtime.JoinRequest{SessionID: users.Session.ID}, runtime.KindForbidden},
		{"session of another bot", alice, runtime.JoinRequest{BotID: "echo", SessionID: users.Session.ID}, runtime.KindInvalid},
		{"unknown bot", alice, runtime.JoinRequest{BotID: "nope"}, runtime.KindNotFound},
		{"unknown session", alice, runtime.JoinRequest{SessionID: "nope"}, runtime.KindNotFound},
		{"anonymous, default bot by id", anon, runtime.JoinRequest{BotID: "echo"}, ""},
		{"anonymous, another bot", anon, runtime.JoinRequest{BotID: "other"}, runtime.KindForbidden},
		{"anonymous, unknown bot", anon, runtime.JoinRequest{BotID: "nope"}, runtime.KindNotFound},
		{"anonymous resume", anon, runtime.JoinRequest{SessionID: asid, ResumeToken: token}, ""},
		{"anonymous resume from elsewhere", stranger, runtime.JoinRequest{SessionID: asid, ResumeToken: token}, ""},
		{"anonymous resume, wrong token", anon, runtime.JoinRequest{SessionID: asid, ResumeToken: token + "x"}, runtime.KindForbidden},
		{"anonymous resume, no token", anon, runtime.JoinRequest{SessionID: asid}, runtime.KindForbidden},
		{"anonymous resume, another bot", anon, runtime.JoinRequest{BotID: "other", SessionID: asid, ResumeToken: token}, runtime.KindForbidden},
		{"anonymous, a user's session", anon, runtime.JoinRequest{SessionID: users.Session.ID, ResumeToken: token}, runtime.KindForbidden},
		{"user, an anonymous session", alice, runtime.JoinRequest{SessionID: asid, ResumeToken: token}, runtime.KindForbidden},
	}
	for _, tc := range cases {
		sub, err := h.Join(context.Background(), tc.id, tc.req)
		if tc.want == "" {
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			sub.Close()
			continue
		}
		if !runtime.IsKind(err, tc.want) || sub != nil {
			t.Fatalf("%s: sub %v, err = %v, want %s", tc.name, sub, err, tc.want)
		}
	}
}

// A resumed anonymous subscription is the same conversation and echoes
// its token; a user without session_id joins their latest conversation
// with the bot, so that devices share it.
func TestJoinResumesAndShares(t *testing.T) {
	t.Parallel()
	h := newHub(t, silent, runtime.Config{})
	first := h.join(t, anon, runtime.JoinRequest{})
	h.Sweep(context.Background()) // harmless: it is attached
	again := h.join(t, anon, runtime.JoinRequest{SessionID: first.Session.ID, ResumeToken: first.ResumeToken})
	if again.Session.ID != first.Session.ID || again.ResumeToken != first.ResumeToken {
		t.Fatalf("resume joined %s (token %q), want %s", again.Session.ID, again.ResumeToken, first.Session.ID)
	}
	fresh := h.join(t, anon, runtime.JoinRequest{})
	if fresh.Session.ID == first.Session.ID || fresh.ResumeToken == first.ResumeToken {
		t.Fatalf("a new anonymous socket joined an existing conversation")
	}

	phone := h.join(t, alice, runtime.JoinRequest{BotID: "echo"})
	laptop := h.join(t, alice, runtime.JoinRequest{})
	if laptop.Session.ID != phone.Session.ID {
		t.Fatalf("second device joined %s, want %s", laptop.Session.ID, phone.Session.ID)
	}
	if other := h.join(t, bob, runtime.JoinRequest{}); other.Session.ID == phone.Session.ID {
		t.Fatalf("bob joined alice's conversation")
	}
}

// A token whose sub looks like an anonymous conversation's generated user
// id neither joins nor lists that conversation.
func TestAnonymousUserIDNotReachable(t *testing.T) {
	t.Parallel()
	h := newHub(t, echo, runtime.Config{})
	visitor := h.join(t, anon, runtime.JoinRequest{})
	if _, _, err := visitor.Send(context.Background(), runtime.SendRequest{Content: "secret"}); err != nil {
		t.Fatal(err)
	}
	forger := runtime.Identity{UserID: "anon:" + string(visitor.Session.ID), Role: runtime.RoleUser}
	sub := h.join(t, forger, runtime.JoinRequest{})
	if sub.Session.ID == visitor.Session.ID {
		t.Fatal("a forged sub joined the visitor's conversation")
	}
	list, total, err := h.Conversations(context.Background(), forger, runtime.ConversationFilter{Limit: 10})
	if err != nil || total != 1 || list[0].ID != sub.Session.ID {
		t.Fatalf("the forger lists %d conversations (%v): want only its own", total, err)
	}
}

// An agent's (or an admin's) message in a user's conversation is stored
// and delivered as the agent's, with their name, and never reaches HEAR:
// the dialog answers only the user.
func TestAgentMessageNotHeard(t *testing.T) {
	h := newHub(t, echo, runtime.Config{})
	sub := h.join(t, alice, runtime.JoinRequest{})
	sid := sub.Session.ID
	for _, who := range []runtime.Identity{admin, {UserID: "ag", Name: "Agent Ann", Role: runtime.RoleAgent}} {
		if who.Role == runtime.RoleAgent {
			// Agents reach only what is in the queue or assigned to them.
			if _, _, err := h.Send(context.Background(), who, runtime.SendRequest{SessionID: sid, Content: "hi"}); !runtime.IsKind(err, runtime.KindForbidden) {
				t.Fatalf("an agent wrote to a conversation not in the queue nor assigned: %v", err)
			}
			agent := "ag"
			if _, err := h.store.UpdateSession(context.Background(), sid, runtime.SessionUpdate{AssignedAgent: &agent}); err != nil {
				t.Fatal(err)
			}
			// The conversation leaves memory, so the hub reads the
			// assignment from the store.
			if err := sub.WaitIdle(context.Background()); err != nil {
				t.Fatal(err)
			}
			sub.Close()
			if h.Evict(time.Now().Add(time.Hour)) != 1 {
				t.Fatal("the conversation did not leave memory")
			}
			sub = h.join(t, alice, runtime.JoinRequest{SessionID: sid})
		}
		m := h.send(t, who, sid, "hello from "+who.Name)
		if m.Sender != runtime.SenderAgent || m.SenderName != who.Name {
			t.Fatalf("%s's message stored as %s %q", who.Name, m.Sender, m.SenderName)
		}
		got := expectMessage(t, sub, runtime.SenderAgent, "hello from "+who.Name)
		if got.SenderName != who.Name {
			t.Fatalf("delivered with sender name %q", got.SenderName)
		}
	}
	h.send(t, alice, sid, "and me")
	expectMessage(t, sub, runtime.SenderUser, "and me")
	expectMessage(t, sub, runtime.SenderBot, "echo: and me") // not "echo: hello from …"
}

// The bot switch: off, a user's message is stored and delivered and the
// dialog does not hear it, not even when it is rebuilt from its journal;
// on again, it hears the next one. Bot messages say they are automated.
func TestBotSwitch(t *testing.T) {
	h := newHub(t, echo, runtime.Config{})
	ctx := context.Background()
	s, err := h.CreateConversation(ctx, alice, runtime.NewConversation{Participants: []string{"bob"}})
	if err != nil {
		t.Fatal(err)
	}
	sub := h.join(t, bob, runtime.JoinRequest{SessionID: s.ID})
	if _, err := h.SetBot(ctx, bob, s.ID, false); err != nil {
		t.Fatal(err)
	}
	expectStatus(t, sub, runtime.StatusBotOff)
	h.send(t, alice, s.ID, "between us")
	expectMessage(t, sub, runtime.SenderUser, "between us")
	if err := sub.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	expectQuiet(t, sub)
	// Rebuilt from the store, the dialog still has not heard it.
	if err := h.Reload(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	expectQuiet(t, sub)

	if _, err := h.SetBot(ctx, alice, s.ID, true); err != nil {
		t.Fatal(err)
	}
	expectStatus(t, sub, runtime.StatusBotOn)
	h.send(t, alice, s.ID, "bot?")
	expectMessage(t, sub, runtime.SenderUser, "bot?")
	m := expectMessage(t, sub, runtime.SenderBot, "echo: bot?")
	if string(m.Metadata) != `{"automated":true}` {
		t.Fatalf("a bot message's metadata is %s; want {\"automated\":true}", m.Metadata)
	}
	// A user alone with the bot may not switch it off.
	own := h.join(t, alice, runtime.JoinRequest{BotID: "other"})
	_, err = h.SetBot(ctx, alice, own.Session.ID, false)
	expectKind(t, err, runtime.KindForbidden)
	if _, err := h.SetBot(ctx, admin, own.Session.ID, false); err != nil {
		t.Fatalf("an admin switches any bot: %v", err)
	}
}

// Whether the bot hears a message is decided when the message is stored:
// one stored while the bot is off stays unheard even if the bot is on
// again before the dialog gets to it.
func TestBotSwitchDecidedOnStore(t *testing.T) {
	release := make(chan struct{})
	step := func(ctx context.Context, h runtime.DialogHost, in *runtime.Message) error {
		if in != nil && in.Content == "slow" {
			<-release // the dialog is busy while the next messages queue
		}
		return echo(ctx, h, in)
	}
	h := newHub(t, step, runtime.Config{})
	t.Cleanup(func() { // before the hub's Close, which waits for the dialog
		select {
		case <-release:
		default:
			close(release)
		}
	})
	ctx := context.Background()
	s, err := h.CreateConversation(ctx, alice, runtime.NewConversation{Participants: []string{"bob"}})
	if err != nil {
		t.Fatal(err)
	}
	sub := h.join(t, bob, runtime.JoinRequest{SessionID: s.ID})
	h.send(t, alice, s.ID, "slow")
	expectMessage(t, sub, runtime.SenderUser, "slow")
	if _, err := h.SetBot(ctx, bob, s.ID, false); err != nil {
		t.Fatal(err)
	}
	expectStatus(t, sub, runtime.StatusBotOff)
	h.send(t, alice, s.ID, "while off")
	expectMessage(t, sub, runtime.SenderUser, "while off")
	if _, err := h.SetBot(ctx, bob, s.ID, true); err != nil {
		t.Fatal(err)
	}
	expectStatus(t, sub, runtime.StatusBotOn)
	h.send(t, alice, s.ID, "while on")
	expectMessage(t, sub, runtime.SenderUser, "while on")
	close(release)
	expectMessage(t, sub, runtime.SenderBot, "echo: slow")
	expectMessage(t, sub, runtime.SenderBot, "echo: while on") // not "echo: while off"
}

// expectStatus waits for the next event and checks it is a status frame.
func expectStatus(t *testing.T, sub *runtime.Subscription, status string) {
	t.Helper()
	if e := nextEvent(t, sub); e.Type != runtime.EventStatus || e.Status != status {
		t.Fatalf("event = %s, want status %s", describe(e), status)
	}
}

// The support desk's status frames: a conversation entering the queue
// tells its sockets waiting_agent; an agent's first socket, agent_joined
// (not their second); resolving it, resolved. The agent who joined stays a
// member once the conversation leaves the queue.
func TestSupportStatusFrames(t *testing.T) {
	h := newHub(t, silent, runtime.Config{})
	ctx := context.Background()
	sub := h.join(t, alice, runtime.JoinRequest{})
	sid := sub.Session.ID
	agent := runtime.Identity{UserID: "ag", Name: "Agent", Role: runtime.RoleAgent}
	if _, err := h.Join(ctx, agent, runtime.JoinRequest{SessionID: sid}); !runtime.IsKind(err, runtime.KindForbidden) {
		t.Fatalf("an agent joined a conversation outside the queue: %v", err)
	}
	status := func(s string) runtime.ConversationPatch { return runtime.ConversationPatch{SupportStatus: &s} }
	if _, err := h.Patch(ctx, admin, sid, status(runtime.SupportWaiting)); err != nil {
		t.Fatal(err)
	}
	expectStatus(t, sub, runtime.StatusWaitingAgent)
	first := h.join(t, agent, runtime.JoinRequest{SessionID: sid})
	// The agent, a member now, is told who is online; the others, that
	// the agent joined and is online.
	expectEvents(t, sub, "status agent_joined", "presence ag online true")
	expectEvents(t, first, "presence alice online true", "status agent_joined")
	h.join(t, agent, runtime.JoinRequest{SessionID: sid}) // a second device
	if _, err := h.Patch(ctx, agent, sid, status(runtime.SupportResolved)); err != nil {
		t.Fatal(err)
	}
	expectStatus(t, sub, runtime.StatusResolved) // not a second agent_joined
	if _, _, err := h.Send(ctx, agent, runtime.SendRequest{SessionID: sid, Content: "anything else?"}); err != nil {
		t.Fatalf("the agent who joined lost access once it left the queue: %v", err)
	}
}

// A socket of a user hears of a new message in another conversation of
// theirs (one they take part in, not the one it follows) by a
// notification; the conversation's own sockets get the message, not a
// notification; a closed socket gets nothing.
func TestNotifications(t *testing.T) {
	h := newHub(t, silent, runtime.Config{})
	ctx := context.Background()
	own := h.join(t, alice, runtime.JoinRequest{BotID: "other"})
	shared, err := h.CreateConversation(ctx, bob, runtime.NewConversation{Participants: []string{"alice"}})
	if err != nil {
		t.Fatal(err)
	}
	inside := h.join(t, alice, runtime.JoinRequest{SessionID: shared.ID})
	m := h.send(t, bob, shared.ID, "news")
	e := nextEvent(t, own)
	if e.Type != runtime.EventNotification || e.SessionID != shared.ID || e.Message.ID != m.ID {
		t.Fatalf("event %s, want a notification of %q in %s", describe(e), m.Content, shared.ID)
	}
	expectMessage(t, inside, runtime.SenderUser, "news")
	expectQuiet(t, inside)
	own.Close()
	h.send(t, bob, shared.ID, "more news")
	expectMessage(t, inside, runtime.SenderUser, "more news")
	select {
	case e := <-own.Events():
		t.Fatalf("a closed socket got %s", describe(e))
	default:
	}
}
