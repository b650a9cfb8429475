package runtimetest

import (
	"context"
	"testing"
	"time"

	"parley/runtime"
)

// testDeleteSession deletes one session with its messages, journal and
// session memory, and nothing of another session.
func testDeleteSession(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	anon := newSession("anon-"+newID(), "support", t0)
	anon.Anonymous = true
	gone := mustCreate(t, st, anon)
	kept := mustCreate(t, st, newSession("u1", "support", t0))
	var goneMsgs []*runtime.Message
	for _, s := range []*runtime.Session{gone, kept} {
		m := mustAppend(t, st, s.ID, "hello")
		if s == gone {
			goneMsgs = append(goneMsgs, m)
		}
		if err := st.SetMemory(ctx, mem(owner(s)), "k", `"v"`); err != nil {
			t.Fatal(err)
		}
		mustCommit(t, st, &runtime.DialogWrite{SessionID: s.ID, Run: startRun(1, "v1"),
			Entries: []runtime.JournalEntry{entry(1, 1, runtime.EntryPark)}})
	}

	if err := st.DeleteSession(ctx, gone.ID); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	if _, err := st.FindSession(ctx, gone.ID); !runtime.IsKind(err, runtime.KindNotFound) {
		t.Errorf("deleted session still found: %v", err)
	}
	if _, err := st.FindMessage(ctx, goneMsgs[0].ID); !runtime.IsKind(err, runtime.KindNotFound) {
		t.Errorf("message of the deleted session still found: %v", err)
	}
	if msgs, err := st.FindMessages(ctx, runtime.MessageFilter{SessionID: gone.ID, Limit: 10}); err != nil || len(msgs) != 0 {
		t.Errorf("FindMessages of the deleted session = %d, %v", len(msgs), err)
	}
	if j, err := st.Journal(ctx, gone.ID, 1); err != nil || len(j) != 0 {
		t.Errorf("journal of the deleted session = %v, %v", j, err)
	}
	if _, ok, err := st.GetMemory(ctx, mem(owner(gone)), "k"); err != nil || ok {
		t.Errorf("memory of the deleted session: set %v, %v", ok, err)
	}

	mustFind(t, st, kept.ID)
	if msgs, err := st.FindMessages(ctx, runtime.MessageFilter{SessionID: kept.ID, Limit: 10}); err != nil || len(msgs) != 1 {
		t.Errorf("FindMessages of the other session = %d, %v", len(msgs), err)
	}
	if j, err := st.Journal(ctx, kept.ID, 1); err != nil || len(j) != 1 {
		t.Errorf("journal of the other session = %v, %v", j, err)
	}
	if _, ok, err := st.GetMemory(ctx, mem(owner(kept)), "k"); err != nil || !ok {
		t.Errorf("memory of the other session: set %v, %v", ok, err)
	}

	if err := st.DeleteSession(ctx, gone.ID); !runtime.IsKind(err, runtime.KindNotFound) {
		t.Errorf("deleting twice: %v, want not found", err)
	}
	if err := st.DeleteSession(ctx, runtime.SessionID(newID())); !runtime.IsKind(err, runtime.KindNotFound) {
		t.Errorf("deleting an unknown id: %v, want not found", err)
	}
	if err := st.DeleteSession(ctx, "not-a-uuid"); !runtime.IsKind(err, runtime.KindNotFound) {
		t.Errorf("deleting a malformed id: %v, want not found", err)
	}
}

// testAPIKeys creates, finds, lists, touches and revokes keys.
func testAPIKeys(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	a := &runtime.APIKey{UserID: "ada", Name: "ci", Role: runtime.RoleUser, KeyHash: "h1", CreatedAt: t0}
	b := &runtime.APIKey{UserID: "ada", Name: "bot", Role: runtime.RoleAgent, KeyHash: "h2", CreatedAt: t0.Add(time.Second)}
	other := &runtime.APIKey{UserID: "bob", Name: "x", Role: runtime.RoleUser, KeyHash: "h3", CreatedAt: t0}
	for _, k := range []*runtime.APIKey{b, a, other} {
		if err := st.CreateAPIKey(ctx, k); err != nil {
			t.Fatalf("CreateAPIKey: %v", err)
		}
		if k.ID == "" {
			t.Fatal("CreateAPIKey left ID empty")
		}
	}
	dup := &runtime.APIKey{UserID: "eve", Name: "dup", Role: runtime.RoleUser, KeyHash: "h1"}
	if err := st.CreateAPIKey(ctx, dup); !runtime.IsKind(err, runtime.KindConflict) {
		t.Errorf("a duplicate hash: %v, want conflict", err)
	}

	got, err := st.FindAPIKeyByHash(ctx, "h2")
	if err != nil || got.ID != b.ID || got.UserID != "ada" || got.Name != "bot" || got.Role != runtime.RoleAgent ||
		!got.CreatedAt.Equal(b.CreatedAt) || !got.LastUsedAt.IsZero() || got.Revoked() {
		t.Fatalf("FindAPIKeyByHash = %+v, %v", got, err)
	}
	if _, err := st.FindAPIKeyByHash(ctx, "nope"); !runtime.IsKind(err, runtime.KindNotFound) {
		t.Errorf("unknown hash: %v, want not found", err)
	}

	list, err := st.ListAPIKeys(ctx, "ada")
	if err != nil || len(list) != 2 || list[0].ID != a.ID || list[1].ID != b.ID {
		t.Fatalf("ListAPIKeys(ada) = %v, %v; want a, b", list, err)
	}
	if list, err := st.ListAPIKeys(ctx, "nobody"); err != nil || len(list) != 0 {
		t.Errorf("ListAPIKeys(nobody) = %v, %v", list, err)
	}

	used := t0.Add(time.Hour)
	if err := st.TouchAPIKey(ctx, a.ID, used); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.FindAPIKeyByHash(ctx, "h1"); got == nil || !got.LastUsedAt.Equal(used) {
		t.Errorf("after TouchAPIKey: %+v", got)
	}

	if err := st.RevokeAPIKey(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	first, _ := st.FindAPIKeyByHash(ctx, "h1")
	if first == nil || !first.Revoked() {
		t.Fatalf("after RevokeAPIKey: %+v", first)
	}
	if err := st.RevokeAPIKey(ctx, a.ID); err != nil {
		t.Fatalf("revoking twice: %v", err)
	}
	if again, _ := st.FindAPIKeyByHash(ctx, "h1"); !again.RevokedAt.Equal(first.RevokedAt) {
		t.Errorf("revoking twice moved the time: %v then %v", first.RevokedAt, again.RevokedAt)
	}
	if got, _ := st.FindAPIKeyByHash(ctx, "h2"); got.Revoked() {
		t.Error("revoking one key revoked another")
	}
	if err := st.RevokeAPIKey(ctx, newID()); !runtime.IsKind(err, runtime.KindNotFound) {
		t.Errorf("revoking an unknown id: %v, want not found", err)
	}
	if err := st.RevokeAPIKey(ctx, "not-a-uuid"); !runtime.IsKind(err, runtime.KindNotFound) {
		t.Errorf("revoking a malformed id: %v, want not found", err)
	}
}
