package runtimetest

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"parley/runtime"
)

func mustCommit(t *testing.T, st runtime.Store, w *runtime.DialogWrite) {
	t.Helper()
	if err := st.CommitDialog(context.Background(), w); err != nil {
		t.Fatalf("CommitDialog: %v", err)
	}
}

// mustJournal returns the journal of one run; never nil, so that it
// compares equal to an empty list.
func mustJournal(t *testing.T, st runtime.Store, id runtime.SessionID, run int64) []runtime.JournalEntry {
	t.Helper()
	list, err := st.Journal(context.Background(), id, run)
	if err != nil {
		t.Fatalf("Journal(%s, %d): %v", id, run, err)
	}
	return append([]runtime.JournalEntry{}, list...)
}

func checkJournal(t *testing.T, st runtime.Store, id runtime.SessionID, run int64, want ...runtime.JournalEntry) {
	t.Helper()
	if got := mustJournal(t, st, id, run); !reflect.DeepEqual(got, append([]runtime.JournalEntry{}, want...)) {
		t.Errorf("Journal(run %d):\n got %+v\nwant %+v", run, got, want)
	}
}

// entry is a journal entry of the kind that needs no value.
func entry(run, index int64, kind string) runtime.JournalEntry {
	return runtime.JournalEntry{Run: run, Index: index, Kind: kind}
}

func startRun(run int64, version string) *runtime.RunState {
	return &runtime.RunState{Run: run, Version: version}
}

func endRun(run int64) *runtime.RunState { return &runtime.RunState{Run: run, Ended: true} }

func botMessage(content string) *runtime.Message {
	return &runtime.Message{Sender: runtime.SenderBot, Content: content}
}

// testLastUserSeq: user messages, and only they, move LastUserSeq.
func testLastUserSeq(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	s := mustCreate(t, st, newSession("u1", "support", t0))
	send := func(sender runtime.Sender, clientID string, want int64) {
		t.Helper()
		m := &runtime.Message{SessionID: s.ID, Sender: sender, Content: "x", ClientID: clientID}
		if _, err := st.AppendMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		if got := mustFind(t, st, s.ID).LastUserSeq; got != want {
			t.Errorf("after a %s message (seq %d): LastUserSeq %d; want %d", sender, m.Seq, got, want)
		}
	}
	suggest := func(list ...string) {
		t.Helper()
		if _, err := st.UpdateSession(ctx, s.ID, runtime.SessionUpdate{Suggestions: &list}); err != nil {
			t.Fatal(err)
		}
	}
	suggest("a", "b")
	send(runtime.SenderUser, "c1", 1)
	if got := mustFind(t, st, s.ID).Suggestions; len(got) != 0 {
		t.Errorf("suggestions after a user message: %q; want none (a user message clears them)", got)
	}
	suggest("a", "b")
	send(runtime.SenderBot, "", 1)
	if got := mustFind(t, st, s.ID).Suggestions; len(got) != 2 {
		t.Errorf("suggestions after a bot message: %q; want them kept", got)
	}
	send(runtime.SenderAgent, "", 1)
	send(runtime.SenderUser, "c1", 1) // a resend stores nothing
	send(runtime.SenderUser, "", 4)
}

// testCommitDialog: one write with every part, then the parts that
// change or clear session fields.
func testCommitDialog(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	s := mustCreate(t, st, newSession("u1", "support", t0))
	hi := mustAppend(t, st, s.ID, "hi")
	scope := mem("user:u1")
	if err := st.SetMemory(ctx, scope, "gone", `1`); err != nil {
		t.Fatal(err)
	}
	wake := t0.Add(time.Hour).In(time.FixedZone("+02", 2*3600))
	sugg := []string{"yes", "no"}
	msgs := []*runtime.Message{botMessage("hello"), botMessage("your name?")}
	msgs[1].Metadata = json.RawMessage(`{"menu": [1, 2]}`)
	msgs[1].SessionID = s.ID // may be set, or left to the store
	entries := []runtime.JournalEntry{
		{Run: 1, Index: 1, Kind: runtime.EntryHear, Value: "hi", Seq: hi.Seq},
		{Run: 1, Index: 2, Kind: runtime.EntryGet, Value: `"x"`, Found: true},
		{Run: 1, Index: 3, Kind: runtime.EntryTalk, Value: "h1"},
		entry(1, 4, runtime.EntryPark),
	}
	mustCommit(t, st, &runtime.DialogWrite{
		SessionID: s.ID, Entries: entries, Messages: msgs, Suggestions: &sugg, ConsumedSeq: hi.Seq,
		WakeAt: &wake, Run: startRun(1, "v1"),
		Memory: []runtime.MemoryWrite{{Scope: scope, Key: "name", Value: `"Ann"`}, {Scope: scope, Key: "gone"}},
	})

	for i, m := range msgs {
		if m.Seq != hi.Seq+1+int64(i) || m.ID == "" || m.SessionID != s.ID || m.CreatedAt.IsZero() {
			t.Errorf("message %d: seq %d, id %q, session %s, time %v; want seq %d, an id, the session, a time",
				i, m.Seq, m.ID, m.SessionID, m.CreatedAt, hi.Seq+1+int64(i))
		}
	}
	stored := mustMessages(t, st, runtime.MessageFilter{SessionID: s.ID, AfterSeq: hi.Seq})
	if len(stored) != len(msgs) {
		t.Fatalf("stored %d dialog messages; want %d", len(stored), len(msgs))
	}
	for i, m := range msgs {
		checkMessage(t, stored[i], m)
	}
	want := *s
	want.LastSeq, want.LastUserSeq, want.ConsumedSeq = msgs[1].Seq, hi.Seq, hi.Seq
	want.LastActivity, want.Suggestions, want.WakeAt = msgs[1].CreatedAt, sugg, wake
	want.Run, want.RunEnded, want.ScriptVersion = 1, false, "v1"
	checkSession(t, mustFind(t, st, s.ID), &want)
	checkJournal(t, st, s.ID, 1, entries...)
	checkMemory(t, st, scope, "name", `"Ann"`)
	checkMemory(t, st, scope, "gone", "")

	// A write without messages leaves LastSeq and LastActivity; an empty
	// list clears the suggestions, the zero time the WAIT.
	var zero time.Time
	mustCommit(t, st, &runtime.DialogWrite{SessionID: s.ID, Suggestions: &[]string{}, WakeAt: &zero})
	want.Suggestions, want.WakeAt = nil, zero
	checkSession(t, mustFind(t, st, s.ID), &want)

	// ConsumedSeq only grows; an empty write changes nothing.
	next := mustAppend(t, st, s.ID, "Ann")
	mustCommit(t, st, &runtime.DialogWrite{SessionID: s.ID, ConsumedSeq: next.Seq})
	mustCommit(t, st, &runtime.DialogWrite{SessionID: s.ID, ConsumedSeq: hi.Seq})
	mustCommit(t, st, &runtime.DialogWrite{SessionID: s.ID})
	want.LastSeq, want.LastUserSeq, want.ConsumedSeq, want.LastActivity = next.Seq, next.Seq, next.Seq, next.CreatedAt
	checkSession(t, mustFind(t, st, s.ID), &want)
	checkJournal(t, st, s.ID, 1, entries...)
}

func checkMemory(t *testing.T, st runtime.Store, scope runtime.MemoryScope, key, want string) {
	t.Helper()
	got, ok, err := st.GetMemory(context.Background(), scope, key)
	if err != nil || ok != (want != "") || got != want {
		t.Errorf("GetMemory(%s) = %q, %v, %v; want %q", key, got, ok, err, want)
	}
}

// testCommitDialogRuns: starting and ending runs, and what happens to
// their journals.
func testCommitDialogRuns(t *testing.T, st runtime.Store) {
	s := mustCreate(t, st, newSession("u1", "support", t0))
	state := func(run int64, ended bool, version string) {
		t.Helper()
		got := mustFind(t, st, s.ID)
		if got.Run != run || got.RunEnded != ended || got.ScriptVersion != version {
			t.Errorf("run state %d/%v/%q; want %d/%v/%q", got.Run, got.RunEnded, got.ScriptVersion, run, ended, version)
		}
	}
	state(0, false, "")
	mustCommit(t, st, &runtime.DialogWrite{SessionID: s.ID, Run: startRun(1, "v1")})
	state(1, false, "v1")
	checkJournal(t, st, s.ID, 1)

	// Entries come back in index order, whatever order they were written in.
	e1, e2, e3 := entry(1, 1, runtime.EntryTalk), entry(1, 2, runtime.EntryNow), entry(1, 3, runtime.EntryRandom)
	mustCommit(t, st, &runtime.DialogWrite{SessionID: s.ID, Entries: []runtime.JournalEntry{e2, e1}})
	mustCommit(t, st, &runtime.DialogWrite{SessionID: s.ID, Entries: []runtime.JournalEntry{e3}})
	checkJournal(t, st, s.ID, 1, e1, e2, e3)

	// Ending a run deletes its journal, the entries of the same write too.
	mustCommit(t, st, &runtime.DialogWrite{SessionID: s.ID, Entries: []runtime.JournalEntry{entry(1, 4, runtime.EntryTalk)},
		Run: endRun(1)})
	state(1, true, "v1")
	checkJournal(t, st, s.ID, 1)

	// The next run starts on another version, with a journal of its own.
	e := entry(2, 1, runtime.EntryPark)
	mustCommit(t, st, &runtime.DialogWrite{SessionID: s.ID, Entries: []runtime.JournalEntry{e}, Run: startRun(2, "v2")})
	state(2, false, "v2")
	checkJournal(t, st, s.ID, 2, e)
	checkJournal(t, st, s.ID, 1)

	// Ending a run leaves the journals of other runs and sessions alone.
	other := mustCreate(t, st, newSession("u2", "support", t0))
	oe := entry(1, 1, runtime.EntryPark)
	mustCommit(t, st, &runtime.DialogWrite{SessionID: other.ID, Entries: []runtime.JournalEntry{oe}, Run: startRun(1, "v1")})
	mustCommit(t, st, &runtime.DialogWrite{SessionID: s.ID, Entries: []runtime.JournalEntry{entry(1, 1, runtime.EntryTalk)}})
	mustCommit(t, st, &runtime.DialogWrite{SessionID: s.ID, Run: endRun(1)})
	checkJournal(t, st, s.ID, 2, e)
	checkJournal(t, st, other.ID, 1, oe)
}

// testCommitDialogMissingSession: nothing of a write to no session is
// stored, and its messages are left as they were.
func testCommitDialogMissingSession(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	id := runtime.SessionID(newID())
	m := botMessage("x")
	err := st.CommitDialog(ctx, &runtime.DialogWrite{
		SessionID: id, Entries: []runtime.JournalEntry{entry(1, 1, runtime.EntryTalk)},
		Messages: []*runtime.Message{m}, Run: startRun(1, "v1"),
		Memory: []runtime.MemoryWrite{{Scope: mem("session:" + string(id)), Key: "k", Value: "1"}},
	})
	wantKind(t, err, runtime.KindNotFound, "CommitDialog(missing session)")
	if m.ID != "" || m.Seq != 0 || !m.CreatedAt.IsZero() {
		t.Errorf("failed write changed its message: %+v", m)
	}
	checkJournal(t, st, id, 1)
	checkMemory(t, st, mem("session:"+string(id)), "k", "")
	if got := mustMessages(t, st, runtime.MessageFilter{SessionID: id}); len(got) != 0 {
		t.Errorf("messages of a missing session: %v", seqs(got))
	}
}

// testCommitDialogAtomic: a write that fails half-way (its session
// exists, its journal entries are new, but a later part conflicts)
// stores nothing at all.
func testCommitDialogAtomic(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	s := mustCreate(t, st, newSession("u1", "support", t0))
	// A NOW, not a park: a store may keep parks in no row of their own
	// (the sessions row says the run is parked), and then a park written
	// twice is no conflict.
	first := runtime.JournalEntry{Run: 1, Index: 1, Kind: runtime.EntryNow, Value: "2001-02-03T04:05:06Z"}
	mustCommit(t, st, &runtime.DialogWrite{SessionID: s.ID, Entries: []runtime.JournalEntry{first}, Run: startRun(1, "v1")})
	taken := mustAppend(t, st, s.ID, "hi")
	before := mustFind(t, st, s.ID)
	wake := t0.Add(time.Hour)
	write := func(entries []runtime.JournalEntry, msgs ...*runtime.Message) *runtime.DialogWrite {
		return &runtime.DialogWrite{
			SessionID: s.ID, Entries: entries, Messages: msgs, Suggestions: &[]string{"a"},
			ConsumedSeq: taken.Seq, WakeAt: &wake, Run: endRun(1),
			Memory: []runtime.MemoryWrite{{Scope: mem("user:u1"), Key: "k", Value: "1"}},
		}
	}
	check := func(what string, err error, kind runtime.Kind, msgs ...*runtime.Message) {
		t.Helper()
		wantKind(t, err, kind, what)
		checkSession(t, mustFind(t, st, s.ID), before)
		checkJournal(t, st, s.ID, 1, first)
		checkMemory(t, st, mem("user:u1"), "k", "")
		if got := mustMessages(t, st, runtime.MessageFilter{SessionID: s.ID}); len(got) != int(before.LastSeq) {
			t.Errorf("%s: session holds %d messages; want %d", what, len(got), before.LastSeq)
		}
		for _, m := range msgs {
			if m.Seq != 0 || !m.CreatedAt.IsZero() {
				t.Errorf("%s changed its message: %+v", what, m)
			}
		}
	}

	// A journal entry that is there already, after a new one.
	m := botMessage("x")
	err := st.CommitDialog(ctx, write([]runtime.JournalEntry{entry(1, 2, runtime.EntryTalk), first}, m))
	check("CommitDialog(entry stored already)", err, runtime.KindConflict, m)

	// New entries and a first message, then a message whose id is taken:
	// the entries and the first message go too.
	ok, dup := botMessage("fine"), botMessage("dup")
	dup.ID = taken.ID
	err = st.CommitDialog(ctx, write([]runtime.JournalEntry{entry(1, 2, runtime.EntryTalk)}, ok, dup))
	check("CommitDialog(message id taken)", err, runtime.KindConflict, ok, dup)
}

// testCommitDialogInvalid: a dialog's messages are its session's own and
// carry no client id.
func testCommitDialogInvalid(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	s := mustCreate(t, st, newSession("u1", "support", t0))
	other := mustCreate(t, st, newSession("u1", "support", t0))
	withClient := botMessage("x")
	withClient.ClientID = "c1"
	elsewhere := botMessage("x")
	elsewhere.SessionID = other.ID
	for _, m := range []*runtime.Message{withClient, elsewhere} {
		err := st.CommitDialog(ctx, &runtime.DialogWrite{SessionID: s.ID, Messages: []*runtime.Message{m},
			Entries: []runtime.JournalEntry{entry(1, 1, runtime.EntryTalk)}})
		wantKind(t, err, runtime.KindInvalid, "CommitDialog(bad message)")
	}
	checkJournal(t, st, s.ID, 1)
	for _, id := range []runtime.SessionID{s.ID, other.ID} {
		if got := mustMessages(t, st, runtime.MessageFilter{SessionID: id}); len(got) != 0 {
			t.Errorf("a refused write stored messages %v", seqs(got))
		}
	}
}

func testScripts(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	v1 := &runtime.Script{Bot: "support", Version: "v1", Source: "TALK \"one\""}
	v2 := &runtime.Script{Bot: "support", Version: "v2", Source: "TALK \"two\""}
	for _, sc := range []*runtime.Script{v1, v2, v1} { // v1 again: not an error
		if err := st.SaveScript(ctx, sc); err != nil {
			t.Fatalf("SaveScript(%s): %v", sc.Version, err)
		}
	}
	for _, sc := range []*runtime.Script{v1, v2} {
		got, err := st.FindScript(ctx, sc.Bot, sc.Version)
		if err != nil || !reflect.DeepEqual(got, sc) {
			t.Errorf("FindScript(%s) = %+v, %v; want %+v", sc.Version, got, err, sc)
		}
	}
	_, err := st.FindScript(ctx, "support", "v3")
	wantKind(t, err, runtime.KindNotFound, "FindScript(other version)")
	_, err = st.FindScript(ctx, "sales", "v1")
	wantKind(t, err, runtime.KindNotFound, "FindScript(other bot)")
	wantKind(t, st.SaveScript(ctx, &runtime.Script{Bot: "support", Source: "x"}), runtime.KindInvalid, "SaveScript(no version)")
}
