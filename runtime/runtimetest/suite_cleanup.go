package runtimetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"parley/runtime"
)

func testDeleteIdleAnonymous(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	anon := func(at time.Time) *runtime.Session {
		s := newSession("anon-"+newID(), "support", at)
		s.Anonymous = true
		return mustCreate(t, st, s)
	}
	idleWithMessages := anon(t0)
	idleEmpty := anon(t0)
	user := mustCreate(t, st, newSession("u1", "support", t0)) // idle, but not anonymous
	var idleMsgs []*runtime.Message
	for _, s := range []*runtime.Session{idleWithMessages, user} {
		idleMsgs = append(idleMsgs, mustAppend(t, st, s.ID, "one"), mustAppend(t, st, s.ID, "two"))
	}
	// The cutoff lies after every time so far, whatever the store's clock.
	cutoff := idleMsgs[len(idleMsgs)-1].CreatedAt.Add(time.Second)
	atCutoff := anon(cutoff) // idle since exactly the cutoff: not before it
	fresh := anon(cutoff.Add(time.Hour))
	touched := anon(t0) // idle, until the sweep marks it active (an open socket)
	later := cutoff.Add(time.Minute)
	if _, err := st.UpdateSession(ctx, touched.ID, runtime.SessionUpdate{LastActivity: &later}); err != nil {
		t.Fatal(err)
	}

	mem := func(owner string) runtime.MemoryScope { return runtime.MemoryScope{BotID: "support", Owner: owner} }
	owners := map[runtime.SessionID]string{}
	for _, s := range []*runtime.Session{idleWithMessages, idleEmpty, atCutoff, fresh} {
		owners[s.ID] = "session:" + string(s.ID)
		if err := st.SetMemory(ctx, mem(owners[s.ID]), "k", `"v"`); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SetMemory(ctx, mem("user:u1"), "k", `"v"`); err != nil {
		t.Fatal(err)
	}

	ids, err := st.DeleteIdleAnonymous(ctx, cutoff)
	if err != nil {
		t.Fatalf("DeleteIdleAnonymous: %v", err)
	}
	slices.Sort(ids)
	want := []runtime.SessionID{idleWithMessages.ID, idleEmpty.ID}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Fatalf("deleted %v; want %v", ids, want)
	}
	checkDeleted(t, st, want, owners, idleMsgs[:2])
	checkKept(t, st, []*runtime.Session{user, atCutoff, fresh, touched}, idleMsgs[2:])
	for _, id := range []runtime.SessionID{atCutoff.ID, fresh.ID} {
		if _, ok, _ := st.GetMemory(ctx, mem(owners[id]), "k"); !ok {
			t.Errorf("memory of kept session %s was deleted", id)
		}
	}
	if _, ok, _ := st.GetMemory(ctx, mem("user:u1"), "k"); !ok {
		t.Errorf("user memory was deleted")
	}
	if ids, err := st.DeleteIdleAnonymous(ctx, cutoff); err != nil || len(ids) != 0 {
		t.Errorf("second DeleteIdleAnonymous = %v, %v; want nothing", ids, err)
	}
}

// checkDeleted: the sessions, their messages and their memory are gone.
func checkDeleted(t *testing.T, st runtime.Store, ids []runtime.SessionID, owners map[runtime.SessionID]string, msgs []*runtime.Message) {
	t.Helper()
	ctx := context.Background()
	for _, id := range ids {
		_, err := st.FindSession(ctx, id)
		wantKind(t, err, runtime.KindNotFound, "FindSession(deleted)")
		if got := mustMessages(t, st, runtime.MessageFilter{SessionID: id}); len(got) != 0 {
			t.Errorf("deleted session %s still has messages %v", id, seqs(got))
		}
		scope := runtime.MemoryScope{BotID: "support", Owner: owners[id]}
		if _, ok, _ := st.GetMemory(ctx, scope, "k"); ok {
			t.Errorf("memory of deleted session %s is still there", id)
		}
		_, err = st.AppendMessage(ctx, &runtime.Message{SessionID: id, Sender: runtime.SenderUser, Content: "x"})
		wantKind(t, err, runtime.KindNotFound, "AppendMessage(deleted session)")
	}
	for _, m := range msgs {
		_, err := st.FindMessage(ctx, m.ID)
		wantKind(t, err, runtime.KindNotFound, "FindMessage(message of deleted session)")
	}
}

// checkKept: the sessions and messages are still there.
func checkKept(t *testing.T, st runtime.Store, sessions []*runtime.Session, msgs []*runtime.Message) {
	t.Helper()
	for _, s := range sessions {
		mustFind(t, st, s.ID)
	}
	for _, m := range msgs {
		if _, err := st.FindMessage(context.Background(), m.ID); err != nil {
			t.Errorf("message %s of a kept session: %v", m.ID, err)
		}
	}
}
