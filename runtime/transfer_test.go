package runtime_test

import (
	"context"
	"testing"
	"time"

	"parley/runtime"
)

var agentAnn = runtime.Identity{UserID: "ag", Name: "Ann", Role: runtime.RoleAgent, IP: "10.0.0.4"}

// handover is a bot that hands the conversation over on "help" (with a
// timeout on "help soon" and "help later") and says how it came back; it
// echoes the rest.
func handover(ctx context.Context, h runtime.DialogHost, in *runtime.Message) error {
	timeout, ok := map[string]time.Duration{"help": 0, "help soon": 50 * time.Millisecond, "help later": time.Second}[contentOf(in)]
	if !ok {
		return echo(ctx, h, in)
	}
	out, err := h.Transfer(ctx, "asked for a person", timeout)
	if err != nil {
		return err
	}
	if !out.Resolved {
		return h.Talk(ctx, "nobody came: "+out.Status)
	}
	return h.Talk(ctx, "back from "+out.Agent+": "+out.Note)
}

// TRANSFER: the conversation enters the queue (waiting_agent); while the
// handover is pending, user messages reach people and not the bot, also
// after a restart, which rebuilds the dialog from its journal; the agent
// takes it, chats and resolves it with a note, which TRANSFER returns
// once; then the bot hears the user again.
func TestTransfer(t *testing.T) {
	h := newHub(t, handover, runtime.Config{})
	ctx := context.Background()
	sub := h.join(t, alice, runtime.JoinRequest{})
	sid := sub.Session.ID
	h.send(t, alice, sid, "help")
	expectMessage(t, sub, runtime.SenderUser, "help")
	expectStatus(t, sub, runtime.StatusWaitingAgent)
	queue, _, err := h.SupportQueue(ctx, agentAnn, runtime.SupportQuery{Status: runtime.SupportWaiting, Limit: 10})
	if err != nil || len(queue) != 1 || queue[0].Session.ID != sid || queue[0].Session.TransferReason != "asked for a person" {
		t.Fatalf("queue = %+v, %v; want the conversation with its reason", queue, err)
	}

	h.send(t, alice, sid, "anyone?")
	expectMessage(t, sub, runtime.SenderUser, "anyone?")
	// A restart: the wait ends with the hub, and the new hub's dialog is
	// rebuilt from the journal, still waiting (Reload would wait behind
	// the handover: a pending TRANSFER keeps its dialog).
	h = h.restart(t)
	sub = h.join(t, alice, runtime.JoinRequest{SessionID: sid})
	if _, err := h.Assign(ctx, agentAnn, sid, "ag"); err != nil {
		t.Fatal(err)
	}
	agent := h.join(t, agentAnn, runtime.JoinRequest{SessionID: sid})
	expectStatus(t, sub, runtime.StatusAgentJoined)
	if e := nextEvent(t, sub); e.Type != runtime.EventPresence || e.User != "ag" || !e.Online {
		t.Fatalf("event = %s, want the agent online", describe(e))
	}
	h.send(t, agentAnn, sid, "hi, Ann here")
	expectMessage(t, sub, runtime.SenderAgent, "hi, Ann here")
	h.send(t, alice, sid, "my card")
	expectMessage(t, sub, runtime.SenderUser, "my card")
	expectQuiet(t, sub) // nobody echoed "anyone?" or "my card"

	resolved, note := runtime.SupportResolved, "refunded"
	if _, err := h.Patch(ctx, agentAnn, sid, runtime.ConversationPatch{SupportStatus: &resolved, Note: &note}); err != nil {
		t.Fatal(err)
	}
	expectStatus(t, sub, runtime.StatusResolved)
	expectMessage(t, sub, runtime.SenderBot, "back from Ann: refunded")
	h.send(t, alice, sid, "thanks")
	expectMessage(t, sub, runtime.SenderUser, "thanks")
	expectMessage(t, sub, runtime.SenderBot, "echo: thanks")
	drain(agent)

	s, err := h.store.FindSession(ctx, sid)
	if err != nil || s.TransferOutcome != runtime.TransferResolved || s.FirstReplyAt.IsZero() || s.ResolvedAt.IsZero() ||
		s.WaitingSince.IsZero() || s.SupportNote != "refunded" || s.ResolvedBy != "Ann" {
		t.Fatalf("stored handover: %+v, %v", s, err)
	}
	// Rebuilt again, the run replays TRANSFER from its journal: the same
	// outcome, said once.
	if err := h.Reload(ctx, sid); err != nil {
		t.Fatal(err)
	}
	h.send(t, alice, sid, "still you?")
	expectMessage(t, sub, runtime.SenderUser, "still you?")
	expectMessage(t, sub, runtime.SenderBot, "echo: still you?")
}

// TRANSFER{timeout}: nobody took it, so it returns a timeout and the
// conversation leaves the queue; taken in time, the timeout no longer
// applies.
func TestTransferTimeout(t *testing.T) {
	h := newHub(t, handover, runtime.Config{})
	ctx := context.Background()
	sub := h.join(t, alice, runtime.JoinRequest{})
	sid := sub.Session.ID
	h.send(t, alice, sid, "help soon")
	expectMessage(t, sub, runtime.SenderUser, "help soon")
	expectStatus(t, sub, runtime.StatusWaitingAgent)
	expectMessage(t, sub, runtime.SenderBot, "nobody came: timeout")
	s, err := h.store.FindSession(ctx, sid)
	if err != nil || s.SupportStatus != runtime.SupportOpen || s.TransferOutcome != runtime.TransferTimeout {
		t.Fatalf("after the timeout: %+v, %v; want open, outcome timeout", s, err)
	}

	// Taken before the deadline (a second, which the test waits out): it
	// waits for the resolution, however long that takes.
	h.send(t, alice, sid, "help later")
	expectMessage(t, sub, runtime.SenderUser, "help later")
	expectStatus(t, sub, runtime.StatusWaitingAgent)
	if _, err := h.Assign(ctx, agentAnn, sid, "ag"); err != nil {
		t.Fatal(err)
	}
	s, err = h.store.FindSession(ctx, sid)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(s.WaitingSince.Add(time.Second + 100*time.Millisecond))) // past the deadline: the feature, not a synchronisation
	if s, err := h.store.FindSession(ctx, sid); err != nil || s.SupportStatus != runtime.SupportOpen || s.TransferOutcome != "" {
		t.Fatalf("taken, past the deadline: %+v, %v; want open, pending", s, err)
	}
	expectQuiet(t, sub)
	closed := runtime.SupportClosed
	if _, err := h.Patch(ctx, agentAnn, sid, runtime.ConversationPatch{SupportStatus: &closed}); err != nil {
		t.Fatal(err)
	}
	expectMessage(t, sub, runtime.SenderBot, "back from Ann: ")
}

// restart closes h and starts another hub on its store and engine, which
// brings back the dialogs with work to do as a process would (Recover).
func (h *testHub) restart(t *testing.T) *testHub {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := h.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	cfg := h.cfg
	next := runtime.New(cfg)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		next.Close(ctx)
	})
	if _, err := next.Recover(ctx); err != nil {
		t.Fatalf("Recover: %v", err)
	}
	return &testHub{Hub: next, store: h.store, engine: h.engine, cfg: cfg}
}

func contentOf(m *runtime.Message) string {
	if m == nil {
		return ""
	}
	return m.Content
}

func drain(sub *runtime.Subscription) {
	for {
		select {
		case <-sub.Events():
		default:
			return
		}
	}
}
