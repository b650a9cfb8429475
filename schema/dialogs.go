package schema

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"

	"parley/runtime"
)

// CommitDialog applies w in one transaction; see runtime.DialogStore. It is
// one request to the committer, so it shares its fsync with the other
// writes of the moment, and all of w or nothing of it is stored. The
// messages of w get their ID (when empty), SessionID, Seq and CreatedAt
// only once the transaction has committed.
func (db *DB) CommitDialog(ctx context.Context, w *runtime.DialogWrite) error {
	rows, err := dialogMessageRows(w)
	if err != nil {
		return err
	}
	for _, m := range w.Messages {
		if err := db.checkMessageID(m.ID); err != nil {
			return err
		}
	}
	if db.noSuchID(string(w.SessionID)) {
		return runtime.Errorf(runtime.KindNotFound, "session not found")
	}
	var stored []*runtime.Message
	err = db.commit.do(ctx, string(w.SessionID), func(ctx context.Context, tx execQueryer) error {
		var err error
		stored, err = db.commitDialogTx(ctx, tx, w, rows)
		return err
	})
	if err != nil {
		return db.fail(err, "journal entry")
	}
	for i, m := range w.Messages {
		*m = *stored[i]
	}
	return nil
}

// dialogMessageRows checks the messages of w and turns them into rows.
// They are the dialog's own messages: they belong to w's session and have
// no client id (there is no client to retry them).
func dialogMessageRows(w *runtime.DialogWrite) ([]messageRow, error) {
	rows := make([]messageRow, len(w.Messages))
	for i, m := range w.Messages {
		if m.SessionID != "" && m.SessionID != w.SessionID {
			return nil, runtime.Errorf(runtime.KindInvalid, "a dialog message belongs to another session")
		}
		if m.ClientID != "" {
			return nil, runtime.Errorf(runtime.KindInvalid, "a dialog message has no client id")
		}
		rows[i] = newMessageRow(m)
		rows[i].SessionID = string(w.SessionID)
	}
	return rows, nil
}

// commitDialogTx writes w. The session goes first, so a missing one fails
// before anything else is tried; the end of a run goes last, so that its
// delete takes the entries of w too.
func (db *DB) commitDialogTx(ctx context.Context, tx execQueryer, w *runtime.DialogWrite, rows []messageRow) ([]*runtime.Message, error) {
	if err := db.updateDialogStateTx(ctx, tx, w); err != nil {
		return nil, err
	}
	if err := db.insertEntriesTx(ctx, tx, w.SessionID, w.Entries); err != nil {
		return nil, err
	}
	stored := make([]*runtime.Message, len(rows))
	for i, row := range rows {
		m, _, err := db.appendTx(ctx, tx, row)
		if err != nil {
			return nil, err
		}
		stored[i] = m
	}
	for _, mw := range w.Memory {
		if err := db.setMemoryTx(ctx, tx, mw.Scope, mw.Key, mw.Value); err != nil {
			return nil, err
		}
	}
	if w.Run != nil && w.Run.Ended {
		q := db.write.Rebind(`DELETE FROM dialog_journal WHERE session_id = ? AND run = ?`)
		if _, err := tx.ExecContext(ctx, q, w.SessionID, w.Run.Run); err != nil {
			return nil, err
		}
	}
	return stored, nil
}

// updateDialogStateTx writes the session fields w changes, or
// KindNotFound when there is no such session. consumed_seq only grows:
// a late write cannot hand a message back to the dialog.
func (db *DB) updateDialogStateTx(ctx context.Context, tx sqlx.ExecerContext, w *runtime.DialogWrite) error {
	sets := []string{"consumed_seq = CASE WHEN ? > consumed_seq THEN ? ELSE consumed_seq END"}
	args := []any{w.ConsumedSeq, w.ConsumedSeq}
	if w.Suggestions != nil {
		sets, args = append(sets, "suggestions = ?"), append(args, stringsJSON(*w.Suggestions))
	}
	if w.WakeAt != nil {
		sets, args = append(sets, "wake_at = ?"), append(args, dbTime(*w.WakeAt)) // zero: NULL
	}
	switch r := w.Run; {
	case r == nil:
	case r.Ended:
		sets, args = append(sets, "run_ended = ?"), append(args, true)
	default:
		sets = append(sets, "run = ?", "run_ended = ?", "script_version = ?")
		args = append(args, r.Run, false, r.Version)
	}
	where := ` WHERE id = ?`
	args = append(args, w.SessionID)
	if w.Fence != 0 {
		// The lease check of several nodes (0004_cluster.sql): the row
		// lock this UPDATE takes keeps the fence from moving until the
		// batch commits.
		where, args = where+` AND runner_fence = ?`, append(args, w.Fence)
	}
	q := db.write.Rebind(`UPDATE sessions SET ` + strings.Join(sets, ", ") + where)
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	switch {
	case err != nil:
		return err
	case n == 0 && w.Fence != 0:
		return runtime.Wrap(runtime.KindConflict, runtime.ErrNotRunner, "another node runs this dialog")
	case n == 0:
		return runtime.Errorf(runtime.KindNotFound, "session not found")
	}
	return nil
}

// insertEntriesTx appends entries to the session's journal. An entry that
// is there already (same run and index) is KindConflict: a journal is
// never rewritten.
func (db *DB) insertEntriesTx(ctx context.Context, tx sqlx.ExecerContext, sid runtime.SessionID, entries []runtime.JournalEntry) error {
	q := db.write.Rebind(`INSERT INTO dialog_journal (session_id, run, idx, kind, value, found, seq)
		VALUES (?, ?, ?, ?, ?, ?, ?)`)
	for _, e := range entries {
		if _, err := tx.ExecContext(ctx, q, sid, e.Run, e.Index, e.Kind, e.Value, e.Found, e.Seq); err != nil {
			return err
		}
	}
	return nil
}
