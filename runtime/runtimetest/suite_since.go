package runtimetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"

	"parley/runtime"
)

// testFindSince: several conversations read at once, each as FindSession
// and FindMessages read it, in the order asked; the missing and the
// repeated left out; limit bounds the messages of each.
func testFindSince(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	a := mustCreate(t, st, newSession("u1", "support", t0))
	b := mustCreate(t, st, newSession("u2", "support", t0))
	quiet := mustCreate(t, st, newSession("u3", "support", t0))
	for i := range 5 {
		m := &runtime.Message{SessionID: a.ID, Sender: runtime.SenderBot, Content: fmt.Sprint("a", i), SenderName: "Bot"}
		if i == 3 {
			m.Sender, m.ClientID, m.SenderID = runtime.SenderUser, "c3", "u1"
			m.Attachments, m.Metadata = json.RawMessage(`[{"name": "x.png"}]`), json.RawMessage(`{"k": 1}`)
		}
		if _, err := st.AppendMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	mustAppend(t, st, b.ID, "b0")
	mustAppend(t, st, b.ID, "b1")
	sugg := []string{"yes", "no"}
	if _, err := st.UpdateSession(ctx, b.ID, runtime.SessionUpdate{Suggestions: &sugg, AddMember: ptr("agent1")}); err != nil {
		t.Fatal(err)
	}

	// check wants got to be the conversations of want, each with the
	// messages FindMessages finds from after (up to limit).
	check := func(what string, got []*runtime.SessionNews, want []runtime.SeqMark, limit int) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d conversations; want %d", what, len(got), len(want))
		}
		for i, w := range want {
			checkSession(t, got[i].Session, mustFind(t, st, w.SessionID))
			msgs := mustMessages(t, st, runtime.MessageFilter{SessionID: w.SessionID, AfterSeq: w.AfterSeq, Limit: limit})
			if !slices.Equal(seqs(got[i].Messages), seqs(msgs)) {
				t.Errorf("%s: %s seqs %v; want %v", what, w.SessionID, seqs(got[i].Messages), seqs(msgs))
				continue
			}
			for j, m := range msgs {
				checkMessage(t, got[i].Messages[j], m)
			}
		}
	}
	missing := runtime.SeqMark{SessionID: runtime.SessionID(newID())}
	marks := []runtime.SeqMark{
		{SessionID: b.ID}, missing, {SessionID: a.ID, AfterSeq: 2}, {SessionID: quiet.ID},
		{SessionID: "not-an-id"}, {SessionID: a.ID}, // named again: the first mark counts
	}
	got, err := st.FindSince(ctx, marks, 10)
	if err != nil {
		t.Fatalf("FindSince: %v", err)
	}
	check("FindSince", got, []runtime.SeqMark{marks[0], marks[2], marks[3]}, 10)
	if len(got) == 3 && (len(got[2].Messages) != 0 || len(got[0].Session.Suggestions) != 2 || len(got[0].Session.Members) != 1) {
		t.Errorf("FindSince: the quiet conversation has %d messages; b's suggestions %q, members %q",
			len(got[2].Messages), got[0].Session.Suggestions, got[0].Session.Members)
	}

	// limit: the oldest after the mark; the caller reads on from there.
	marks = []runtime.SeqMark{{SessionID: a.ID, AfterSeq: 1}, {SessionID: b.ID}, {SessionID: quiet.ID}}
	got, err = st.FindSince(ctx, marks, 2)
	if err != nil {
		t.Fatalf("FindSince(limit 2): %v", err)
	}
	check("FindSince(limit 2)", got, marks, 2)

	// Up to date, nothing, and no one.
	marks = []runtime.SeqMark{{SessionID: a.ID, AfterSeq: 5}}
	if got, err = st.FindSince(ctx, marks, 0); err != nil || len(got) != 1 || len(got[0].Messages) != 0 || got[0].Session.LastSeq != 5 {
		t.Errorf("FindSince(up to date) = %d conversations, %v", len(got), err)
	}
	for _, marks := range [][]runtime.SeqMark{nil, {missing}} {
		if got, err := st.FindSince(ctx, marks, 10); err != nil || len(got) != 0 {
			t.Errorf("FindSince(%v) = %d conversations, %v; want none", marks, len(got), err)
		}
	}
	// A deleted conversation is gone from the answer too.
	if err := st.DeleteSession(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := st.FindSince(ctx, []runtime.SeqMark{{SessionID: b.ID}, {SessionID: a.ID}}, 10); err != nil || len(got) != 1 || got[0].Session.ID != a.ID {
		t.Errorf("FindSince after deleting b = %d conversations, %v; want a only", len(got), err)
	}
}

// testFindSinceOneMoment reads while appends go on: each conversation
// read is as of one moment, so its messages run from the mark without a
// gap and end at the session's LastSeq (unless cut by the limit), and the
// session is the one of that moment. Run it with -race.
func testFindSinceOneMoment(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	const sessions, perSession, limit = 3, 40, 7
	var marks []runtime.SeqMark
	for range sessions {
		marks = append(marks, runtime.SeqMark{SessionID: mustCreate(t, st, newSession("u1", "support", t0)).ID})
	}
	var wg sync.WaitGroup
	for _, m := range marks {
		wg.Go(func() {
			for i := range perSession {
				if _, err := st.AppendMessage(ctx, &runtime.Message{SessionID: m.SessionID, Sender: runtime.SenderUser, Content: fmt.Sprint(i)}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for finished := false; ; {
		select {
		case <-done:
			finished = true // read on until everything is read
		default:
		}
		got, err := st.FindSince(ctx, marks, limit)
		if err != nil {
			t.Fatalf("FindSince: %v", err)
		}
		if len(got) != sessions {
			t.Fatalf("FindSince: %d conversations; want %d", len(got), sessions)
		}
		caughtUp := true
		for i, n := range got {
			mark := marks[i]
			want := seqRange(mark.AfterSeq+1, min(n.Session.LastSeq, mark.AfterSeq+limit))
			if n.Session.ID != mark.SessionID || !slices.Equal(seqs(n.Messages), want) {
				t.Fatalf("FindSince after %d: %s seqs %v, session at %d; want %v", mark.AfterSeq, n.Session.ID, seqs(n.Messages), n.Session.LastSeq, want)
			}
			if k := len(n.Messages); k > 0 {
				last := n.Messages[k-1]
				if last.Seq == n.Session.LastSeq && !n.Session.LastActivity.Equal(last.CreatedAt) {
					t.Fatalf("session read with seq %d: activity %v; its message's is %v", last.Seq, n.Session.LastActivity, last.CreatedAt)
				}
				marks[i].AfterSeq = last.Seq // read on from there, as a node does
			}
			caughtUp = caughtUp && marks[i].AfterSeq == n.Session.LastSeq
		}
		if finished && caughtUp {
			break
		}
	}
	for i, m := range marks {
		if m.AfterSeq != perSession {
			t.Errorf("conversation %d read up to seq %d; want %d", i, m.AfterSeq, perSession)
		}
	}
}

func ptr[T any](v T) *T { return &v }
