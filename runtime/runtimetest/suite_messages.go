package runtimetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"parley/runtime"
)

func testAppend(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	s := mustCreate(t, st, newSession("u1", "support", t0))
	other := mustCreate(t, st, newSession("u1", "support", t0))
	var sent []*runtime.Message
	for i := range 5 {
		m := &runtime.Message{SessionID: s.ID, Sender: runtime.SenderUser, Content: fmt.Sprint("m", i)}
		if i%2 == 1 {
			m.Sender = runtime.SenderBot
			m.Attachments = json.RawMessage(`[{"name": "a.png"}]`)
			m.Metadata = json.RawMessage(`{"k": [1, 2]}`)
		}
		created, err := st.AppendMessage(ctx, m)
		if err != nil || !created {
			t.Fatalf("AppendMessage #%d = %v, %v", i, created, err)
		}
		if m.Seq != int64(i+1) || m.ID == "" || m.CreatedAt.IsZero() || m.SessionID != s.ID {
			t.Errorf("AppendMessage #%d set seq %d, id %q, time %v; want seq %d, an id, a time", i, m.Seq, m.ID, m.CreatedAt, i+1)
		}
		checkTime(t, "CreatedAt", m.CreatedAt, m.CreatedAt)
		sent = append(sent, m)
	}
	got := mustMessages(t, st, runtime.MessageFilter{SessionID: s.ID})
	if len(got) != len(sent) {
		t.Fatalf("FindMessages: %d messages; want %d", len(got), len(sent))
	}
	ids := map[string]bool{}
	for i, m := range sent {
		checkMessage(t, got[i], m)
		stored, err := st.FindMessage(ctx, m.ID)
		if err != nil {
			t.Fatalf("FindMessage(%s): %v", m.ID, err)
		}
		checkMessage(t, stored, m)
		ids[m.ID] = true
	}
	if len(ids) != len(sent) {
		t.Errorf("message ids are not unique: %v", ids)
	}
	checkSessionMoved(t, st, s, sent[len(sent)-1])

	// Seqs are per session, and a caller's id is kept.
	m := &runtime.Message{ID: newID(), SessionID: other.ID, Sender: runtime.SenderAgent, Content: "hi"}
	wantID := m.ID
	if _, err := st.AppendMessage(ctx, m); err != nil || m.Seq != 1 || m.ID != wantID {
		t.Errorf("append to a second session: seq %d, id %s, err %v; want seq 1, id %s", m.Seq, m.ID, err, wantID)
	}
	_, err := st.FindMessage(ctx, newID())
	wantKind(t, err, runtime.KindNotFound, "FindMessage(missing)")
}

// checkSessionMoved: LastSeq and LastActivity follow the newest message.
func checkSessionMoved(t *testing.T, st runtime.Store, s *runtime.Session, last *runtime.Message) {
	t.Helper()
	got := mustFind(t, st, s.ID)
	if got.LastSeq != last.Seq || !got.LastActivity.Equal(last.CreatedAt) {
		t.Errorf("session after append: LastSeq %d, LastActivity %v; want %d, %v",
			got.LastSeq, got.LastActivity, last.Seq, last.CreatedAt)
	}
}

func testAppendMissingSession(t *testing.T, st runtime.Store) {
	m := &runtime.Message{SessionID: runtime.SessionID(newID()), Sender: runtime.SenderUser, Content: "x"}
	created, err := st.AppendMessage(context.Background(), m)
	wantKind(t, err, runtime.KindNotFound, "AppendMessage(missing session)")
	if created || m.Seq != 0 || m.ID != "" {
		t.Errorf("failed append changed the message: created %v, %+v", created, m)
	}
}

func testClientIDDedupe(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	s := mustCreate(t, st, newSession("u1", "support", t0))
	other := mustCreate(t, st, newSession("u1", "support", t0))
	send := func(id runtime.SessionID, clientID, content string) (*runtime.Message, bool) {
		t.Helper()
		m := &runtime.Message{SessionID: id, Sender: runtime.SenderUser, Content: content, ClientID: clientID}
		created, err := st.AppendMessage(ctx, m)
		if err != nil {
			t.Fatalf("AppendMessage(%q): %v", clientID, err)
		}
		return m, created
	}
	first, created := send(s.ID, "c1", "hello")
	if !created || first.Seq != 1 {
		t.Fatalf("first c1: created %v seq %d", created, first.Seq)
	}
	dup, created := send(s.ID, "c1", "hello again")
	if created {
		t.Errorf("second c1 was stored again")
	}
	checkMessage(t, dup, first) // the stored message, not the one sent
	checkSessionMoved(t, st, s, first)

	var got []int64
	for _, c := range []string{"", "", "c2"} { // no client id never dedupes
		m, _ := send(s.ID, c, "more")
		got = append(got, m.Seq)
	}
	if want := []int64{2, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("seqs after the duplicate = %v; want %v (no gap)", got, want)
	}
	if m, created := send(other.ID, "c1", "elsewhere"); !created || m.Seq != 1 {
		t.Errorf("c1 in another session: created %v seq %d; want a new message, seq 1", created, m.Seq)
	}
	if n := len(mustMessages(t, st, runtime.MessageFilter{SessionID: s.ID})); n != 4 {
		t.Errorf("session holds %d messages; want 4", n)
	}
}
