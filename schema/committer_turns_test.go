package schema

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"parley/runtime"
)

// TestGroupCommitTurns: turns in one commit (DialogWrite.Input) queued in
// one batch are stored together where the committer can (PostgreSQL:
// commitMany), beside a plain dialog commit, and each gets its own
// outcome: the input and reply their seqs, a HEAR its row cannot carry
// (a message with files, whose entry is JSON) the input's seq all the
// same; a repeat ErrInputStored and the message stored before; an input
// behind a user message the dialog has not taken ErrInputBehind; a lost
// lease ErrNotRunner; a missing session KindNotFound. Nothing of a
// refused turn is written. On PostgreSQL the test also checks that the
// statement stored them.
func TestGroupCommitTurns(t *testing.T) {
	runBackends(t, func(t *testing.T, b testBackend) { testGroupCommitTurns(t, b.open(t)) })
}

func testGroupCommitTurns(t *testing.T, db *DB) {
	ctx := context.Background()
	turn, files, repeat, behind, fenced, plain, held := mustSession(t, db), mustSession(t, db), mustSession(t, db),
		mustSession(t, db), mustSession(t, db), mustSession(t, db), mustSession(t, db)
	for _, id := range []runtime.SessionID{turn, files, repeat, behind, fenced, plain} {
		err := db.CommitDialog(ctx, &runtime.DialogWrite{SessionID: id, Run: &runtime.RunState{Run: 1, Version: "v"},
			Entries: []runtime.JournalEntry{{Run: 1, Index: 1, Kind: runtime.EntryPark}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	before := &runtime.Message{SessionID: repeat, Sender: runtime.SenderUser, Content: "first try", ClientID: "k"}
	if _, err := db.AppendMessage(ctx, before); err != nil {
		t.Fatal(err)
	}
	if err := db.CommitDialog(ctx, &runtime.DialogWrite{SessionID: repeat, ConsumedSeq: before.Seq,
		Entries: []runtime.JournalEntry{{Run: 1, Index: 2, Kind: runtime.EntryHear, Value: "first try", Seq: before.Seq}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AppendMessage(ctx, userMessage(behind, "not taken yet")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, db.write.Rebind(`UPDATE sessions SET runner_fence = 5 WHERE id = ?`), fenced); err != nil {
		t.Fatal(err)
	}

	// A turn: the input, heard by entry 2 (or from from), the reply.
	turnWrite := func(id runtime.SessionID, from int64, in *runtime.Message, hear string, fence int64) *runtime.DialogWrite {
		return &runtime.DialogWrite{SessionID: id, Fence: fence, Input: in, InputEntry: 0,
			Entries: []runtime.JournalEntry{
				{Run: 1, Index: from, Kind: runtime.EntryHear, Value: hear},
				{Run: 1, Index: from + 1, Kind: runtime.EntryTalk, Value: "re: " + in.Content},
				{Run: 1, Index: from + 2, Kind: runtime.EntryPark}},
			Messages:       []*runtime.Message{{Sender: runtime.SenderBot, Content: "re: " + in.Content}},
			MessageEntries: []int{1}}
	}
	in := &runtime.Message{Sender: runtime.SenderUser, SenderID: "u", SenderName: "U", Content: "hello", ClientID: "c1"}
	withFiles := &runtime.Message{Sender: runtime.SenderUser, Content: "look", Attachments: json.RawMessage(`[{"id":"f"}]`)}
	again := &runtime.Message{Sender: runtime.SenderUser, Content: "second try", ClientID: "k"}
	writes := map[string]*runtime.DialogWrite{
		"turn":    turnWrite(turn, 2, in, "hello", 0),
		"files":   turnWrite(files, 2, withFiles, `{"text":"look","files":["f"]}`, 0),
		"repeat":  turnWrite(repeat, 3, again, "second try", 0),
		"behind":  turnWrite(behind, 2, userMessage("", "mine"), "mine", 0),
		"fenced":  turnWrite(fenced, 2, userMessage("", "late"), "late", 4),
		"missing": turnWrite(runtime.SessionID(uuid.NewString()), 2, userMessage("", "nobody"), "nobody", 0),
		"plain": {SessionID: plain, Entries: []runtime.JournalEntry{{Run: 1, Index: 2, Kind: runtime.EntryTalk, Value: "hi"}},
			Messages: []*runtime.Message{{Sender: runtime.SenderBot, Content: "hi"}}, MessageEntries: []int{0}},
	}
	names := []string{"turn", "files", "repeat", "behind", "fenced", "missing", "plain"}
	runs := make([]func() error, len(names))
	for i, name := range names {
		w := writes[name]
		runs[i] = func() error { return db.CommitDialog(ctx, w) }
	}
	manyRuns := countMany(db)
	errs, _ := queueBehind(t, db, held, runs)
	for i, name := range names {
		err := errs[i]
		var ok bool
		switch name {
		case "repeat":
			ok = errors.Is(err, runtime.ErrInputStored)
		case "behind":
			ok = errors.Is(err, runtime.ErrInputBehind)
		case "fenced":
			ok = errors.Is(err, runtime.ErrNotRunner)
		case "missing":
			ok = runtime.IsKind(err, runtime.KindNotFound)
		default:
			ok = err == nil
		}
		if !ok {
			t.Errorf("%s: %v", name, err)
		}
	}
	if ok, failed := manyRuns(); db.commit.commitMany != nil && !manyWent(ok, failed, false) {
		t.Errorf("commitMany: %d statements stored, %d failed; want them stored, none failed", ok, failed)
	}

	// Stored: the input first, then the reply; the HEAR has the input's
	// seq, carried by its row or not; the session has taken the input.
	for name, w := range map[string]*runtime.DialogWrite{"turn": writes["turn"], "files": writes["files"]} {
		m, reply := w.Input, w.Messages[0]
		if m.Seq != 1 || reply.Seq != 2 || m.ID == "" || m.CreatedAt.IsZero() || m.SessionID != w.SessionID {
			t.Errorf("%s: input %+v, reply seq %d; want seqs 1 and 2, an id, a time", name, m, reply.Seq)
		}
		s, err := db.FindSession(ctx, w.SessionID)
		if err != nil || s.LastSeq != 2 || s.LastUserSeq != 1 || s.ConsumedSeq != 1 {
			t.Errorf("%s: session %+v (%v); want last 2, last user 1, consumed 1", name, s, err)
		}
		j, err := db.Journal(ctx, w.SessionID, 1)
		if err != nil || len(j) != 4 || j[1].Kind != runtime.EntryHear || j[1].Seq != 1 || j[1].Value != w.Entries[0].Value {
			t.Errorf("%s: journal %+v (%v); want the HEAR of seq 1, %q", name, j, err, w.Entries[0].Value)
		}
		list, err := db.FindMessages(ctx, runtime.MessageFilter{SessionID: w.SessionID})
		if err != nil || len(list) != 2 || list[0].ID != m.ID || list[0].ClientID != m.ClientID || list[0].SenderName != m.SenderName ||
			(len(list[0].Attachments) > 0) != (len(m.Attachments) > 0) || list[1].Content != reply.Content {
			t.Errorf("%s: stored %v (%v); want the input %+v, then the reply", name, describeMessages(list), err, m)
		}
	}
	if again.Content != "first try" || again.Seq != before.Seq || again.ID != before.ID {
		t.Errorf("repeat: the caller sees %+v; want the message stored before, %+v", again, before)
	}
	for _, id := range []runtime.SessionID{repeat, behind, fenced} {
		s, err := db.FindSession(ctx, id)
		if err != nil || s.LastSeq > 1 {
			t.Errorf("%s: last seq %+v (%v); want nothing of the refused turn", id, s, err)
		}
		if j, err := db.Journal(ctx, id, 1); err != nil || len(j) > 2 {
			t.Errorf("%s: journal %+v (%v); want nothing of the refused turn", id, j, err)
		}
	}
	if s, err := db.FindSession(ctx, plain); err != nil || s.LastSeq != 1 {
		t.Errorf("plain: %+v (%v); want its reply stored", s, err)
	}
}

func describeMessages(list []*runtime.Message) []string {
	var out []string
	for _, m := range list {
		out = append(out, fmt.Sprintf("%d %s %q client %q files %s", m.Seq, m.Sender, m.Content, m.ClientID, m.Attachments))
	}
	return out
}
