package runtimetest

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"parley/runtime"
)

func testCreateFind(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	plus2 := time.FixedZone("+02", 2*3600)
	s := &runtime.Session{
		ID: runtime.SessionID(newID()), BotID: "support", UserID: "u1", UserName: "Ann",
		Status: runtime.StatusActive, ResumeTokenHash: "hash", ReadSeq: 0,
		Suggestions: []string{"yes", "no"}, Metadata: json.RawMessage(`{"source": "web"}`),
		CreatedAt: t0.In(plus2), LastActivity: t0.Add(time.Minute),
	}
	mustCreate(t, st, s)
	checkSession(t, mustFind(t, st, s.ID), s) // times come back in UTC

	// The dialog fields are stored as given, but a new conversation has no
	// messages: the seqs start at 0.
	d := newSession("u1", "support", t0)
	d.Run, d.RunEnded, d.ScriptVersion, d.WakeAt = 3, true, "v3", t0.Add(time.Hour).In(plus2)
	d.LastUserSeq, d.ConsumedSeq, d.LastSeq = 7, 5, 9
	mustCreate(t, st, d)
	if d.LastSeq != 0 || d.LastUserSeq != 0 || d.ConsumedSeq != 0 {
		t.Errorf("CreateSession kept seqs %d/%d/%d; want 0/0/0", d.LastSeq, d.LastUserSeq, d.ConsumedSeq)
	}
	checkSession(t, mustFind(t, st, d.ID), d)

	anon := mustCreate(t, st, &runtime.Session{ID: runtime.SessionID(newID()), BotID: "support",
		UserID: "anon-1", Anonymous: true, Status: runtime.StatusActive, CreatedAt: t0, LastActivity: t0})
	checkSession(t, mustFind(t, st, anon.ID), anon)

	_, err := st.FindSession(ctx, runtime.SessionID(newID()))
	wantKind(t, err, runtime.KindNotFound, "FindSession(missing)")
	wantKind(t, st.CreateSession(ctx, &runtime.Session{ID: s.ID, BotID: "other", UserID: "u2",
		Status: runtime.StatusActive, CreatedAt: t0, LastActivity: t0}), runtime.KindConflict, "CreateSession(same id)")
	checkSession(t, mustFind(t, st, s.ID), s) // the failed insert changed nothing
}

// testCreateDefaults: the zero ID, times and status get filled in.
func testCreateDefaults(t *testing.T, st runtime.Store) {
	s := mustCreate(t, st, &runtime.Session{BotID: "support", UserID: "u1"})
	if s.ID == "" || s.CreatedAt.IsZero() || !s.LastActivity.Equal(s.CreatedAt) || s.Status != runtime.StatusActive {
		t.Errorf("defaults not filled in: %+v", s)
	}
	checkSession(t, mustFind(t, st, s.ID), s)
}

func testLatestSession(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	a := mustCreate(t, st, newSession("u1", "support", t0.Add(1*time.Minute)))
	b := mustCreate(t, st, newSession("u1", "support", t0.Add(2*time.Minute)))
	c := newSession("u1", "support", t0.Add(3*time.Minute))
	c.Status = runtime.StatusArchived
	mustCreate(t, st, c)
	mustCreate(t, st, newSession("u1", "other", t0.Add(5*time.Minute)))
	mustCreate(t, st, newSession("u2", "support", t0.Add(4*time.Minute)))

	latest := func(user string, bot runtime.BotID) runtime.SessionID {
		s, err := st.FindLatestSession(ctx, user, bot)
		if err != nil {
			return runtime.SessionID("error: " + string(runtime.ErrorKind(err)))
		}
		return s.ID
	}
	if got := latest("u1", "support"); got != b.ID {
		t.Errorf("latest = %s; want the newest active %s (not the archived one)", got, b.ID)
	}
	archived := runtime.StatusArchived
	if _, err := st.UpdateSession(ctx, b.ID, runtime.SessionUpdate{Status: &archived}); err != nil {
		t.Fatal(err)
	}
	if got := latest("u1", "support"); got != a.ID {
		t.Errorf("latest after archiving %s = %s; want %s", b.ID, got, a.ID)
	}
	_, err := st.FindLatestSession(ctx, "u3", "support")
	wantKind(t, err, runtime.KindNotFound, "FindLatestSession(other user)")
	_, err = st.FindLatestSession(ctx, "u1", "nobot")
	wantKind(t, err, runtime.KindNotFound, "FindLatestSession(other bot)")
}

func testListSessions(t *testing.T, st runtime.Store) {
	s1 := mustCreate(t, st, newSession("u1", "support", t0.Add(1*time.Minute)))
	s2 := newSession("u1", "support", t0.Add(2*time.Minute))
	s2.Status = runtime.StatusArchived
	mustCreate(t, st, s2)
	s3 := mustCreate(t, st, newSession("u1", "other", t0.Add(3*time.Minute)))
	s4 := mustCreate(t, st, newSession("u1", "support", t0.Add(4*time.Minute)))
	s5 := mustCreate(t, st, newSession("u2", "support", t0.Add(5*time.Minute)))
	for _, c := range []string{"one", "two", "three"} {
		mustAppend(t, st, s1.ID, c) // moves s1 to the front
	}
	last := mustMessages(t, st, runtime.MessageFilter{SessionID: s1.ID, Limit: 1, Newest: true})[0]

	ids := func(ss ...*runtime.Session) []runtime.SessionID {
		out := []runtime.SessionID{}
		for _, s := range ss {
			out = append(out, s.ID)
		}
		return out
	}
	all := ids(s1, s4, s3, s2)
	for _, tc := range []struct {
		f     runtime.SessionFilter
		want  []runtime.SessionID
		total int
	}{
		{runtime.SessionFilter{UserID: "u1"}, all, 4},
		{runtime.SessionFilter{UserID: "u1", BotID: "support"}, ids(s1, s4, s2), 3},
		{runtime.SessionFilter{UserID: "u1", Status: runtime.StatusArchived}, ids(s2), 1},
		{runtime.SessionFilter{UserID: "u1", BotID: "support", Status: runtime.StatusActive}, ids(s1, s4), 2},
		{runtime.SessionFilter{UserID: "u1", Limit: 2}, all[:2], 4},
		{runtime.SessionFilter{UserID: "u1", Limit: 2, Offset: 2}, all[2:], 4},
		{runtime.SessionFilter{UserID: "u1", Offset: 3}, all[3:], 4},
		{runtime.SessionFilter{UserID: "u1", Limit: 2, Offset: 10}, all[:0], 4},
		{runtime.SessionFilter{UserID: "u2"}, ids(s5), 1},
		{runtime.SessionFilter{UserID: "nobody"}, ids(), 0},
	} {
		list, total := mustList(t, st, tc.f)
		got := []runtime.SessionID{}
		for _, s := range list {
			got = append(got, s.ID)
		}
		if !slices.Equal(got, tc.want) || total != tc.total {
			t.Errorf("ListSessions(%+v) = %v, total %d; want %v, total %d", tc.f, got, total, tc.want, tc.total)
		}
	}
	checkSummaries(t, st, s1.ID, last)
}

func mustList(t *testing.T, st runtime.Store, f runtime.SessionFilter) ([]*runtime.SessionSummary, int) {
	t.Helper()
	list, total, err := st.ListSessions(context.Background(), f)
	if err != nil {
		t.Fatalf("ListSessions(%+v): %v", f, err)
	}
	return list, total
}

// checkSummaries: each summary is the stored session plus its newest
// message, or none.
func checkSummaries(t *testing.T, st runtime.Store, withMessages runtime.SessionID, last *runtime.Message) {
	t.Helper()
	list, _ := mustList(t, st, runtime.SessionFilter{UserID: "u1"})
	for _, sum := range list {
		checkSession(t, &sum.Session, mustFind(t, st, sum.ID))
		switch {
		case sum.ID == withMessages && sum.LastMessage == nil:
			t.Errorf("session %s: LastMessage is nil; want seq %d", sum.ID, last.Seq)
		case sum.ID == withMessages:
			checkMessage(t, sum.LastMessage, last)
		case sum.LastMessage != nil:
			t.Errorf("session %s has no messages, LastMessage = %+v", sum.ID, sum.LastMessage)
		}
	}
}

func testUpdateSession(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	s := newSession("u1", "support", t0)
	s.Suggestions = []string{"old"}
	mustCreate(t, st, s)
	update := func(upd runtime.SessionUpdate) {
		t.Helper()
		got, err := st.UpdateSession(ctx, s.ID, upd)
		if err != nil {
			t.Fatalf("UpdateSession: %v", err)
		}
		checkSession(t, got, s)
		checkSession(t, mustFind(t, st, s.ID), s)
	}
	archived, readSeq, sugg := runtime.StatusArchived, int64(5), []string{"a", "b"}
	s.Status = archived
	update(runtime.SessionUpdate{Status: &archived})
	s.ReadSeq = readSeq
	update(runtime.SessionUpdate{ReadSeq: &readSeq}) // status stays archived
	s.Suggestions = sugg
	update(runtime.SessionUpdate{Suggestions: &sugg})
	s.Suggestions = nil
	update(runtime.SessionUpdate{Suggestions: &[]string{}}) // an empty list clears
	update(runtime.SessionUpdate{})                         // nothing to change
	active := t0.Add(time.Hour).In(time.FixedZone("+02", 2*3600))
	s.LastActivity = active
	update(runtime.SessionUpdate{LastActivity: &active}) // stored in UTC

	_, err := st.UpdateSession(ctx, runtime.SessionID(newID()), runtime.SessionUpdate{Status: &archived})
	wantKind(t, err, runtime.KindNotFound, "UpdateSession(missing)")
	_, err = st.UpdateSession(ctx, runtime.SessionID(newID()), runtime.SessionUpdate{})
	wantKind(t, err, runtime.KindNotFound, "UpdateSession(missing, no fields)")
}
