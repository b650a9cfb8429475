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
// whole write with ErrInputStored, and one that would come after a user
// message the dialog has not taken, with ErrInputBehind.
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

	// A user message the dialog has not taken (another node stored it):
	// the input would come after it, before the dialog heard it, so
	// nothing is written. A repeat is still a repeat.
	waiting := mustAppend(t, st, s.ID, "waiting")
	err = st.CommitDialog(ctx, inputWrite(s.ID, 5, userInput("behind", "c2")))
	if !errors.Is(err, runtime.ErrInputBehind) {
		t.Fatalf("CommitDialog(input behind a message not taken) = %v; want ErrInputBehind", err)
	}
	if got := mustFind(t, st, s.ID); got.LastSeq != waiting.Seq || got.ConsumedSeq != in.Seq {
		t.Errorf("seqs last %d, consumed %d after a write behind; want %d, %d", got.LastSeq, got.ConsumedSeq, waiting.Seq, in.Seq)
	}
	if n := len(mustJournal(t, st, s.ID, 1)); n != 4 {
		t.Errorf("journal has %d entries after a write behind; want 4", n)
	}
	if err := st.CommitDialog(ctx, inputWrite(s.ID, 5, userInput("x", "c1"))); !errors.Is(err, runtime.ErrInputStored) {
		t.Errorf("CommitDialog(repeat, behind) = %v; want ErrInputStored", err)
	}
	// Once the dialog has taken it, inputs go in again.
	mustCommit(t, st, &runtime.DialogWrite{SessionID: s.ID, ConsumedSeq: waiting.Seq,
		Entries: []runtime.JournalEntry{{Run: 1, Index: 5, Kind: runtime.EntryHear, Seq: waiting.Seq}}})
	after := userInput("after", "c3")
	mustCommit(t, st, inputWrite(s.ID, 6, after))
	if after.Seq != waiting.Seq+1 {
		t.Errorf("input after the dialog took the waiting message: seq %d; want %d", after.Seq, waiting.Seq+1)
	}
}
