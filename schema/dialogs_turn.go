package schema

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"parley/runtime"
)

// A turn in one UPDATE of its session.
//
// A turn is one write (TurnsInOneCommit): the user's message, as the
// DialogWrite's Input, and the dialog's answer. Stored in two
// steps, an append then the dialog's commit, the sessions row is updated
// twice, and last_activity, the seqs and consumed_seq with it: each
// UPDATE rewrites the row and the entries of the five indexes those
// columns are in (the support queue, the lists, the unconsumed one).
// turnTx does both in one UPDATE: the row takes the input's seq and its
// messages' at once, and the input is consumed as it is stored.
//
// The UPDATE matches no row when the session has a message with the
// input's client id already, is gone, is run by another node (the
// fence), or holds a user message the dialog has not taken (another
// node's: the input must wait for it, runtime.ErrInputBehind). It has
// written nothing then, and inputRefusedTx tells which.
//
// On PostgreSQL the committer stores the turns of a batch together, in
// one statement with its other plain dialog commits
// (commitManyPostgres); this is the way of a turn that runs alone.

// turnTx stores w with its Input in, and w's messages rows. ok is false
// when nothing was written (above).
func (db *DB) turnTx(ctx context.Context, tx execQueryer, w *runtime.DialogWrite, in messageRow, rows []messageRow) (input *runtime.Message, stored []*runtime.Message, ok bool, err error) {
	if p := pendingOf(tx); p != nil && in.ClientID != nil && p.clientID(in.SessionID, *in.ClientID) != nil {
		return nil, nil, false, nil // stored earlier in this batch
	}
	now := dbTime(db.now())
	n := int64(len(rows))
	// Right of =, columns are the row as it was: last_seq + 1 is the
	// input's seq. The input, a user message, ends the suggestions in
	// force, unless w sets others.
	sets := []string{"last_seq = last_seq + 1 + ?", "last_activity = ?", "last_user_seq = last_seq + 1",
		"consumed_seq = CASE WHEN last_seq + 1 > consumed_seq THEN last_seq + 1 ELSE consumed_seq END",
		"suggestions = ?"}
	var suggestions any // NULL
	if w.Suggestions != nil {
		suggestions = stringsJSON(*w.Suggestions)
	}
	args := []any{n, now, suggestions}
	sets, args = dialogStateSets(w, sets, args)
	where := ` WHERE id = ?`
	args = append(args, w.SessionID)
	if w.Fence != 0 {
		where, args = where+` AND runner_fence = ?`, append(args, w.Fence)
	}
	where += ` AND last_user_seq <= consumed_seq` // no message waits for the dialog
	if in.ClientID != nil {
		where += ` AND NOT EXISTS (SELECT 1 FROM message_history WHERE session_id = ? AND client_id = ?)`
		args = append(args, w.SessionID, *in.ClientID)
	}
	q := db.write.Rebind(`UPDATE sessions SET ` + strings.Join(sets, ", ") + where + ` RETURNING last_seq`)
	var last int64
	switch err := tx.QueryRowxContext(ctx, q, args...).Scan(&last); {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil, false, nil
	case err != nil:
		return nil, nil, false, err
	}
	in.Seq, in.CreatedAt = last-n, now
	w.Entries[w.InputEntry].Seq, w.ConsumedSeq = in.Seq, in.Seq
	entries := carryEntries(w, rows, &in)
	if err := db.insertMessagesTx(ctx, tx, []messageRow{in}); err != nil {
		return nil, nil, false, err
	}
	input = in.message()
	stored, err = db.dialogRowsTx(ctx, tx, w, rows, entries, last, now)
	return input, stored, err == nil, err
}

// inputRefusedTx tells why turnTx wrote nothing: a message stored with
// the input's client id (ErrInputStored, and that message), no session,
// another node's lease, or a user message the dialog has not taken
// (ErrInputBehind), in that order.
func (db *DB) inputRefusedTx(ctx context.Context, tx execQueryer, w *runtime.DialogWrite, in messageRow) (*runtime.Message, error) {
	if in.ClientID != nil {
		var dup *runtime.Message
		if p := pendingOf(tx); p != nil {
			dup = p.clientID(in.SessionID, *in.ClientID) // stored earlier in this batch
		}
		if dup == nil {
			var err error
			if dup, err = db.findByClientIDTx(ctx, tx, in.SessionID, *in.ClientID); err != nil {
				return nil, err
			}
		}
		if dup != nil {
			return dup, runtime.ErrInputStored
		}
	}
	var s struct {
		Fence  int64 `db:"runner_fence"`
		Behind bool  `db:"behind"`
	}
	q := db.write.Rebind(`SELECT runner_fence, last_user_seq > consumed_seq AS behind FROM sessions WHERE id = ?`)
	switch err := sqlx.GetContext(ctx, tx, &s, q, w.SessionID); {
	case errors.Is(err, sql.ErrNoRows):
		return nil, runtime.Errorf(runtime.KindNotFound, "conversation not found")
	case err != nil:
		return nil, err
	case w.Fence != 0 && s.Fence != w.Fence:
		return nil, runtime.Wrap(runtime.KindConflict, runtime.ErrNotRunner, "another node runs this dialog")
	case s.Behind:
		return nil, runtime.ErrInputBehind
	}
	return nil, fmt.Errorf("schema: the turn of session %s was not stored, for no reason found", w.SessionID)
}
