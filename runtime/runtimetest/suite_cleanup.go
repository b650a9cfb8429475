package runtimetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"parley/runtime"
)

// idleFixture is a store with sessions on both sides of a cutoff. Every
// session has memory "k" in scope mem(owner of the session).
type idleFixture struct {
	cutoff   time.Time
	deleted  []runtime.SessionID // idle anonymous: must go
	kept     []*runtime.Session  // everything else
	goneMsgs []*runtime.Message  // messages of deleted sessions
	keptMsgs []*runtime.Message
}

func mem(owner string) runtime.MemoryScope {
	return runtime.MemoryScope{BotID: "support", Owner: owner}
}

func newIdleFixture(t *testing.T, st runtime.Store) *idleFixture {
	ctx := context.Background()
	anon := func(at time.Time) *runtime.Session {
		s := newSession("anon-"+newID(), "support", at)
		s.Anonymous = true
		return mustCreate(t, st, s)
	}
	var f idleFixture
	idleWithMessages, idleEmpty := anon(t0), anon(t0)
	user := mustCreate(t, st, newSession("u1", "support", t0)) // idle, but not anonymous
	f.goneMsgs = []*runtime.Message{mustAppend(t, st, idleWithMessages.ID, "one"), mustAppend(t, st, idleWithMessages.ID, "two")}
	f.keptMsgs = []*runtime.Message{mustAppend(t, st, user.ID, "one")}
	// The cutoff lies after every time so far, whatever the store's clock.
	f.cutoff = f.keptMsgs[0].CreatedAt.Add(time.Second)
	atCutoff := anon(f.cutoff) // idle since exactly the cutoff: not before it
	fresh := anon(f.cutoff.Add(time.Hour))
	touched := anon(t0) // idle, until the sweep marks it active (an open socket)
	later := f.cutoff.Add(time.Minute)
	if _, err := st.UpdateSession(ctx, touched.ID, runtime.SessionUpdate{LastActivity: &later}); err != nil {
		t.Fatal(err)
	}
	f.deleted = []runtime.SessionID{idleWithMessages.ID, idleEmpty.ID}
	f.kept = []*runtime.Session{user, atCutoff, fresh, touched}
	for _, s := range append([]*runtime.Session{idleWithMessages, idleEmpty}, f.kept...) {
		if err := st.SetMemory(ctx, mem(owner(s)), "k", `"v"`); err != nil {
			t.Fatal(err)
		}
		// A parked dialog: a journal, but no message, so no activity.
		mustCommit(t, st, &runtime.DialogWrite{SessionID: s.ID, Run: startRun(1, "v1"),
			Entries: []runtime.JournalEntry{entry(1, 1, runtime.EntryPark)}})
	}
	return &f
}

// owner is the memory owner the runtime uses for s.
func owner(s *runtime.Session) string {
	if s.Anonymous {
		return "session:" + string(s.ID)
	}
	return "user:" + s.UserID
}

func testDeleteIdleAnonymous(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	f := newIdleFixture(t, st)
	ids, err := st.DeleteIdleAnonymous(ctx, f.cutoff)
	if err != nil {
		t.Fatalf("DeleteIdleAnonymous: %v", err)
	}
	slices.Sort(ids)
	slices.Sort(f.deleted)
	if !slices.Equal(ids, f.deleted) {
		t.Fatalf("deleted %v; want %v", ids, f.deleted)
	}
	checkDeleted(t, st, f.deleted, f.goneMsgs)
	checkKept(t, st, f.kept, f.keptMsgs)
	if ids, err := st.DeleteIdleAnonymous(ctx, f.cutoff); err != nil || len(ids) != 0 {
		t.Errorf("second DeleteIdleAnonymous = %v, %v; want nothing", ids, err)
	}
}

// checkDeleted: the sessions, their messages and their memory are gone.
func checkDeleted(t *testing.T, st runtime.Store, ids []runtime.SessionID, msgs []*runtime.Message) {
	t.Helper()
	ctx := context.Background()
	for _, id := range ids {
		_, err := st.FindSession(ctx, id)
		wantKind(t, err, runtime.KindNotFound, "FindSession(deleted)")
		if got := mustMessages(t, st, runtime.MessageFilter{SessionID: id}); len(got) != 0 {
			t.Errorf("deleted session %s still has messages %v", id, seqs(got))
		}
		if _, ok, _ := st.GetMemory(ctx, mem("session:"+string(id)), "k"); ok {
			t.Errorf("memory of deleted session %s is still there", id)
		}
		if j := mustJournal(t, st, id, 1); len(j) != 0 {
			t.Errorf("journal of deleted session %s is still there: %+v", id, j)
		}
		_, err = st.AppendMessage(ctx, &runtime.Message{SessionID: id, Sender: runtime.SenderUser, Content: "x"})
		wantKind(t, err, runtime.KindNotFound, "AppendMessage(deleted session)")
	}
	for _, m := range msgs {
		_, err := st.FindMessage(ctx, m.ID)
		wantKind(t, err, runtime.KindNotFound, "FindMessage(message of deleted session)")
	}
}

// checkKept: the sessions, their messages and their memory are still there.
func checkKept(t *testing.T, st runtime.Store, sessions []*runtime.Session, msgs []*runtime.Message) {
	t.Helper()
	ctx := context.Background()
	for _, s := range sessions {
		mustFind(t, st, s.ID)
		if _, ok, _ := st.GetMemory(ctx, mem(owner(s)), "k"); !ok {
			t.Errorf("memory of kept session %s was deleted", s.ID)
		}
		if j := mustJournal(t, st, s.ID, 1); len(j) != 1 {
			t.Errorf("journal of kept session %s: %+v; want its one entry", s.ID, j)
		}
	}
	for _, m := range msgs {
		if _, err := st.FindMessage(ctx, m.ID); err != nil {
			t.Errorf("message %s of a kept session: %v", m.ID, err)
		}
	}
}
