package runtimetest

import (
	"context"
	"slices"
	"testing"

	"parley/runtime"
)

// testPeople: a conversation's title, members, support status and
// assigned agent are kept; members come back in the order added, without
// repeats or the owner; a member's list includes the conversations they
// are a member of; a message keeps its sender's name.
func testPeople(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	s := newSession("owner", "support", t0)
	s.Title, s.Members = "Harvest plan", []string{"bea", "cid", "bea", "owner"}
	mustCreate(t, st, s)
	got := mustFind(t, st, s.ID)
	if got.Title != "Harvest plan" || !slices.Equal(got.Members, []string{"bea", "cid"}) ||
		got.SupportStatus != runtime.SupportOpen || got.AssignedAgent != "" {
		t.Fatalf("created: title %q, members %q, support %q, agent %q; want %q, [bea cid], open, none",
			got.Title, got.Members, got.SupportStatus, got.AssignedAgent, "Harvest plan")
	}
	if plain := mustCreate(t, st, newSession("owner", "support", t0)); mustFind(t, st, plain.ID).Members != nil {
		t.Errorf("a conversation without members has members %q; want nil", mustFind(t, st, plain.ID).Members)
	}

	if got.BotOff {
		t.Fatal("a new conversation has its bot off")
	}
	off := true
	if upd, err := st.UpdateSession(ctx, s.ID, runtime.SessionUpdate{BotOff: &off}); err != nil || !upd.BotOff || !mustFind(t, st, s.ID).BotOff {
		t.Fatalf("UpdateSession(BotOff): %+v, %v; want the bot off", upd, err)
	}
	title, waiting, agent := "Renamed", runtime.SupportWaiting, "agent-7"
	for _, m := range []string{"dee", "bea", "owner"} {
		if _, err := st.UpdateSession(ctx, s.ID, runtime.SessionUpdate{AddMember: &m}); err != nil {
			t.Fatalf("UpdateSession(AddMember %s): %v", m, err)
		}
	}
	upd, err := st.UpdateSession(ctx, s.ID, runtime.SessionUpdate{Title: &title, SupportStatus: &waiting, AssignedAgent: &agent})
	if err != nil {
		t.Fatal(err)
	}
	got = mustFind(t, st, s.ID)
	for _, c := range []*runtime.Session{upd, got} {
		if c.Title != title || !slices.Equal(c.Members, []string{"bea", "cid", "dee"}) ||
			c.SupportStatus != waiting || c.AssignedAgent != agent {
			t.Fatalf("updated: title %q, members %q, support %q, agent %q", c.Title, c.Members, c.SupportStatus, c.AssignedAgent)
		}
	}

	// Lists: the owner's, and each member's, include it; others' do not.
	for user, want := range map[string]int{"owner": 2, "bea": 1, "dee": 1, "zed": 0} {
		if _, total := mustList(t, st, runtime.SessionFilter{UserID: user}); total != want {
			t.Errorf("%s's list has %d conversations; want %d", user, total, want)
		}
	}

	m := &runtime.Message{SessionID: s.ID, Sender: runtime.SenderAgent, SenderName: "Agent Seven", SenderID: "agent7", Content: "hello"}
	if _, err := st.AppendMessage(ctx, m); err != nil {
		t.Fatal(err)
	}
	list := mustMessages(t, st, runtime.MessageFilter{SessionID: s.ID})
	if len(list) != 1 || list[0].SenderName != "Agent Seven" || list[0].SenderID != "agent7" || list[0].Sender != runtime.SenderAgent {
		t.Fatalf("stored %+v; want the agent's message with its sender's name and id", list)
	}
	if one, err := st.FindMessage(ctx, m.ID); err != nil || one.SenderName != "Agent Seven" || one.SenderID != "agent7" {
		t.Fatalf("FindMessage: %+v, %v", one, err)
	}

	if err := st.DeleteSession(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, total := mustList(t, st, runtime.SessionFilter{UserID: "bea"}); total != 0 {
		t.Errorf("a deleted conversation is still in a member's list")
	}
}
