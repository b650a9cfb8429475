package schema

import (
	"context"

	"parley/runtime"
)

// Many dialog commits in one statement.
//
// In a busy server the other half of the writes are dialog commits: a
// bot's reply with its journal entries, one per conversation that just
// had a turn. Where the committer has commitMany (PostgreSQL), the plain
// ones of a batch's round (committer.units) are stored by one statement,
// as its appends are (committer_appends.go): one round trip for
// all of them instead of three each. Plain means what a turn of most bots
// writes: the user's message it answers (DialogWrite.Input), journal
// entries, messages, and the consumed seq, under the dialog's lease; a
// write that also sets suggestions, a WAIT deadline,
// memory, links uploads, or starts or ends a run goes alone. Should the statement fail (a
// journal entry written twice, text PostgreSQL cannot store), it is undone
// and each commit of the unit runs on its own, in its own savepoint.

// dialogWrite is a plain dialog commit as data.
type dialogWrite struct {
	w    *runtime.DialogWrite
	rows []messageRow // w's messages, without their Seq and CreatedAt
	in   *messageRow  // w's Input, nil when none
	// Set by the write: the messages stored, w's Input as stored (or the
	// message stored before under its client id), or the commit's own
	// error (no such session, the lease moved, the input is a repeat or
	// behind) when commitMany ran it.
	stored []*runtime.Message
	input  *runtime.Message
	err    error
}

// plainDialogWrite reports whether commitMany may store w.
func plainDialogWrite(w *runtime.DialogWrite) bool {
	return len(w.Memory) == 0 && w.Suggestions == nil && w.WakeAt == nil && w.Run == nil && len(w.Uploads) == 0
}

// storedAt sets what dw stored once its session's last_seq is last: its
// input, then its messages, took the seqs up to last.
func (dw *dialogWrite) storedAt(last int64, now dbTime) {
	n := int64(len(dw.rows))
	dw.stored = make([]*runtime.Message, n)
	for i, row := range dw.rows {
		row.Seq, row.CreatedAt = last-(n-1-int64(i)), now
		dw.stored[i] = row.message()
	}
	if dw.in != nil {
		in := *dw.in
		in.Seq, in.CreatedAt = last-n, now
		dw.input = in.message()
		dw.w.Entries[dw.w.InputEntry].Seq, dw.w.ConsumedSeq = in.Seq, in.Seq
	}
}

// commitManyFunc stores dws, each of another conversation, in one
// statement. It returns an error when the statement failed, and nothing
// is stored then; otherwise it sets every dw's stored or err.
type commitManyFunc func(ctx context.Context, tx execQueryer, dws []*dialogWrite) error

// runDialogs stores the plain dialog commits of unit (two or more) with
// commitMany (runMerged).
func (c *committer) runDialogs(sp *savepoint, unit []*request) error {
	dws := make([]*dialogWrite, len(unit))
	for i, r := range unit {
		dws[i] = r.dlg
	}
	return runMerged(sp, unit,
		func(ctx context.Context, tx execQueryer) error { return c.commitMany(ctx, tx, dws) },
		func(r *request) error { return r.dlg.err })
}

// runMerged stores unit, two or more writes, with many, one statement in
// one savepoint, which gives each write its own outcome (own); if the
// statement fails, it is undone and each write runs alone, in its own
// savepoint. It returns an error only if the transaction itself broke.
func runMerged(sp *savepoint, unit []*request, many writeFunc, own func(*request) error) error {
	if err := sp.open(); err != nil {
		return err
	}
	if err := many(context.Background(), sp.conn); err == nil {
		for _, r := range unit {
			r.err = own(r)
		}
		return nil
	}
	if err := sp.undo(); err != nil {
		return err
	}
	sp.used = false // undone: the first write takes the savepoint as it is
	for _, r := range unit {
		if err := runRequest(sp, r); err != nil {
			return err
		}
	}
	return nil
}
