package runtimetest

import (
	"context"
	"errors"
	"testing"

	"parley/runtime"
)

// inputWrite is a turn in one commit: the user's message as the write's
// Input, taken by its first entry, and the bot's answer.
func inputWrite(id runtime.SessionID, from int64, in *runtime.Message) *runtime.DialogWrite {
	return &runtime.DialogWrite{SessionID: id, Input: in, InputEntry: 0,
		Entries: []runtime.JournalEntry{
			{Run: 1, Index: from, Kind: runtime.EntryHear, Value: in.Content},
			{Run: 1, Index: from + 1, Kind: runtime.EntryTalk, Value: "h"},
			entry(1, from+2, runtime.EntryPark)},
		Messages: []*runtime.Message{botMessage("re: " + in.Content)}}
}

func userInput(content, clientID string) *runtime.Message {
	return &runtime.Message{Sender: runtime.SenderUser, SenderID: "u1", Content: content, ClientID: clientID}
}

// testCommitDialogInput: a write's Input is stored before its messages, as
// AppendMessage stores a user message, and its seq goes to the HEAR entry
// and ConsumedSeq; an Input whose client id is stored already fails the
// whole write with ErrInputStored.
func testCommitDialogInput(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	s := mustCreate(t, st, newSession("u1", "support", t0))
	first := mustAppend(t, st, s.ID, "first")
	mustCommit(t, st, &runtime.DialogWrite{SessionID: s.ID, Suggestions: &[]string{"a", "b"}, Run: startRun(1, "v1"),
		ConsumedSeq: first.Seq, Entries: []runtime.JournalEntry{{Run: 1, Index: 1, Kind: runtime.EntryHear, Seq: first.Seq}}})

	in := userInput("hello", "c1")
	w := inputWrite(s.ID, 2, in)
	mustCommit(t, st, w)
	reply := w.Messages[0]
	if in.Seq != first.Seq+1 || reply.Seq != in.Seq+1 || in.ID == "" || in.SessionID != s.ID || in.CreatedAt.IsZero() {
		t.Fatalf("input seq %d id %q session %s, reply seq %d; want %d and %d, an id, the session",
			in.Seq, in.ID, in.SessionID, reply.Seq, first.Seq+1, first.Seq+2)
	}
	if w.Entries[0].Seq != in.Seq || w.ConsumedSeq != in.Seq {
		t.Errorf("write after commit: entry seq %d, consumed %d; want %d", w.Entries[0].Seq, w.ConsumedSeq, in.Seq)
	}
	stored := mustMessages(t, st, runtime.MessageFilter{SessionID: s.ID, AfterSeq: first.Seq})
	if len(stored) != 2 {
		t.Fatalf("stored %v; want the input and the reply", seqs(stored))
	}
	checkMessage(t, stored[0], in)
	checkMessage(t, stored[1], reply)
	got := mustFind(t, st, s.ID)
	if got.LastSeq != reply.Seq || got.LastUserSeq != in.Seq || got.ConsumedSeq != in.Seq || len(got.Suggestions) != 0 {
		t.Errorf("session seqs %d/%d/%d, suggestions %q; want %d/%d/%d and none (the input ends them)",
			got.LastSeq, got.LastUserSeq, got.ConsumedSeq, got.Suggestions, reply.Seq, in.Seq, in.Seq)
	}
	journal := mustJournal(t, st, s.ID, 1)
	if len(journal) != 4 || journal[1].Kind != runtime.EntryHear || journal[1].Seq != in.Seq {
		t.Errorf("journal %+v; want the input's HEAR with seq %d", journal, in.Seq)
	}

	// The same client id again: nothing is written, and the write's Input
	// becomes the message stored under it.
	again := userInput("hello again", "c1")
	err := st.CommitDialog(ctx, inputWrite(s.ID, 5, again))
	if !errors.Is(err, runtime.ErrInputStored) {
		t.Fatalf("CommitDialog(input stored before) = %v; want ErrInputStored", err)
	}
	if again.ID != in.ID || again.Seq != in.Seq || again.Content != "hello" {
		t.Errorf("input after ErrInputStored: %+v; want the stored message %+v", again, in)
	}
	if n := len(mustJournal(t, st, s.ID, 1)); n != 4 {
		t.Errorf("journal has %d entries after a refused write; want 4", n)
	}
	if got := mustFind(t, st, s.ID); got.LastSeq != reply.Seq {
		t.Errorf("last seq %d after a refused write; want %d", got.LastSeq, reply.Seq)
	}

	// Not a user message, or no HEAR entry of the write to take it: refused.
	bot := botMessage("x")
	bad := []*runtime.DialogWrite{inputWrite(s.ID, 5, bot), inputWrite(s.ID, 5, userInput("x", ""))}
	bad[1].InputEntry = 1 // the TALK
	for _, w := range bad {
		wantKind(t, st.CommitDialog(ctx, w), runtime.KindInvalid, "CommitDialog(bad input)")
	}
	if got := mustFind(t, st, s.ID); got.LastSeq != reply.Seq {
		t.Errorf("last seq %d after refused writes; want %d", got.LastSeq, reply.Seq)
	}
}
