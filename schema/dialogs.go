package schema

import (
	"context"
	"database/sql"
	"errors"
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
	in, err := db.inputRow(w)
	if err != nil {
		return err
	}
	if db.noSuchID(string(w.SessionID)) {
		return runtime.Errorf(runtime.KindNotFound, "conversation not found")
	}
	dw := &dialogWrite{w: w, rows: rows, in: in}
	r := &request{ctx: ctx, sid: string(w.SessionID), fn: func(ctx context.Context, tx execQueryer) error {
		var err error
		if in == nil {
			dw.stored, err = db.commitDialogTx(ctx, tx, w, rows) // sets every row's Seq and CreatedAt anew, so a rerun is safe
			return err
		}
		var ok bool
		if dw.input, dw.stored, ok, err = db.turnTx(ctx, tx, w, *in, rows); ok || err != nil {
			return err
		}
		dw.input, err = db.inputRefusedTx(ctx, tx, w, *in) // nothing was written: why
		return err
	}}
	if plainDialogWrite(w) {
		r.dlg = dw // the committer may store it with others (committer_dialogs.go)
	}
	r.flushFirst = w.Run != nil && w.Run.Ended // the end of a run deletes its journal
	err = db.commit.submit(r)
	if errors.Is(err, runtime.ErrInputStored) {
		*w.Input = *dw.input
		return err
	}
	if err != nil {
		return db.fail(err, "journal entry")
	}
	if in != nil {
		*w.Input = *dw.input
	}
	for i, m := range w.Messages {
		*m = *dw.stored[i]
	}
	return nil
}

// inputRow checks w.Input and turns it into the row to append, or nil
// when w has none.
func (db *DB) inputRow(w *runtime.DialogWrite) (*messageRow, error) {
	m := w.Input
	switch {
	case m == nil:
		return nil, nil
	case m.SessionID != "" && m.SessionID != w.SessionID:
		return nil, runtime.Errorf(runtime.KindInvalid, "the input message belongs to another session")
	case m.Sender != runtime.SenderUser:
		return nil, runtime.Errorf(runtime.KindInvalid, "the input message is not a user message")
	case w.InputEntry < 0 || w.InputEntry >= len(w.Entries) || w.Entries[w.InputEntry].Kind != runtime.EntryHear:
		return nil, runtime.Errorf(runtime.KindInvalid, "the input message's entry is not a hear entry of the write")
	}
	if err := db.checkMessageID(m.ID); err != nil {
		return nil, err
	}
	row := newMessageRow(m)
	row.SessionID = string(w.SessionID)
	return &row, nil
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

// commitDialogTx writes w in three statements whatever it holds (more
// only for long journals): the session row, with the seqs of w's messages
// taken at once; the journal entries, in one insert; the messages, in
// another (and two per upload the messages link). The session goes first,
// so a missing one fails before anything else is tried; the end of a run
// goes last, so that its delete takes the entries of w too.
func (db *DB) commitDialogTx(ctx context.Context, tx execQueryer, w *runtime.DialogWrite, rows []messageRow) ([]*runtime.Message, error) {
	now := dbTime(db.now())
	last, err := db.updateDialogStateTx(ctx, tx, w, len(rows), now)
	if err != nil {
		return nil, err
	}
	return db.dialogRowsTx(ctx, tx, w, rows, carryEntries(w, rows, nil), last, now)
}

// dialogRowsTx writes what w holds besides the sessions row, once that
// row took the seqs of w's messages, the last of which is last: entries
// are those of w that its messages do not carry (carryEntries).
func (db *DB) dialogRowsTx(ctx context.Context, tx execQueryer, w *runtime.DialogWrite, rows []messageRow, entries []runtime.JournalEntry, last int64, now dbTime) ([]*runtime.Message, error) {
	if err := db.insertEntriesTx(ctx, tx, w.SessionID, entries); err != nil {
		return nil, err
	}
	stored := make([]*runtime.Message, len(rows))
	for i := range rows {
		rows[i].Seq = last - int64(len(rows)-1-i)
		rows[i].CreatedAt = now
		stored[i] = rows[i].message()
	}
	if err := db.insertMessagesTx(ctx, tx, rows); err != nil {
		return nil, err
	}
	if err := db.linkUploadsTx(ctx, tx, w.SessionID, w.Uploads); err != nil {
		return nil, err
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

// updateDialogStateTx writes the session fields w changes and takes the
// next n seqs for w's messages, as n appends would (the dialog's messages
// are the bot's: last_user_seq and the suggestions stay as they are,
// unless w sets them). It returns the session's last_seq after, or
// KindNotFound when there is no such session. consumed_seq only grows:
// a late write cannot hand a message back to the dialog.
func (db *DB) updateDialogStateTx(ctx context.Context, tx execQueryer, w *runtime.DialogWrite, n int, now dbTime) (int64, error) {
	sets := []string{"consumed_seq = CASE WHEN ? > consumed_seq THEN ? ELSE consumed_seq END"}
	args := []any{w.ConsumedSeq, w.ConsumedSeq}
	if n > 0 {
		sets, args = append(sets, "last_seq = last_seq + ?", "last_activity = ?"), append(args, n, now)
	}
	if w.Suggestions != nil {
		sets, args = append(sets, "suggestions = ?"), append(args, stringsJSON(*w.Suggestions))
	}
	sets, args = dialogStateSets(w, sets, args)
	where := ` WHERE id = ?`
	args = append(args, w.SessionID)
	if w.Fence != 0 {
		// The lease check of several nodes (0004_cluster.sql): the row
		// lock this UPDATE takes keeps the fence from moving until the
		// batch commits.
		where, args = where+` AND runner_fence = ?`, append(args, w.Fence)
	}
	q := db.write.Rebind(`UPDATE sessions SET ` + strings.Join(sets, ", ") + where + ` RETURNING last_seq`)
	var last int64
	err := tx.QueryRowxContext(ctx, q, args...).Scan(&last)
	switch {
	case errors.Is(err, sql.ErrNoRows) && w.Fence != 0:
		return 0, runtime.Wrap(runtime.KindConflict, runtime.ErrNotRunner, "another node runs this dialog")
	case errors.Is(err, sql.ErrNoRows):
		return 0, runtime.Errorf(runtime.KindNotFound, "conversation not found")
	}
	return last, err
}

// dialogStateSets adds to sets and args what w changes of the dialog's
// state in the sessions row besides the seqs: the WAIT deadline, the run,
// and whether the run's last entry is a park. Right of =, columns are the
// row as it was: a run starts above the messages taken before it
// (run_base, journal_carry.go).
func dialogStateSets(w *runtime.DialogWrite, sets []string, args []any) ([]string, []any) {
	if w.WakeAt != nil {
		sets, args = append(sets, "wake_at = ?"), append(args, dbTime(*w.WakeAt)) // zero: NULL
	}
	switch r := w.Run; {
	case r == nil:
	case r.Ended:
		sets, args = append(sets, "run_ended = ?"), append(args, true)
	default:
		sets = append(sets, "run = ?", "run_ended = ?", "script_version = ?", "run_base = consumed_seq")
		args = append(args, r.Run, false, r.Version)
	}
	switch {
	case w.Run != nil && !w.Run.Ended: // a new run: its entries, if any, are its first
		sets, args = append(sets, "parked = ?"), append(args, lastParked(w.Entries))
	case len(w.Entries) > 0:
		// Only entries of the run the row is on say whether it is parked:
		// Journal puts its last park back from it (parkGaps).
		sets = append(sets, "parked = CASE WHEN run = ? THEN ? ELSE parked END")
		args = append(args, entriesRun(w.Entries), lastParked(w.Entries))
	}
	return sets, args
}

// rowsPerInsert bounds the rows of one multi-row INSERT, far below the
// parameters a statement may have (SQLite: 32,766; PostgreSQL: 65,535).
const rowsPerInsert = 64

// insertRows runs insert (which ends in VALUES) for rows of cols
// columns; args(i) are the values of row i. Each statement takes a power
// of two of rows, up to rowsPerInsert, so that an insert has at most
// seven texts, each prepared once by the statement caches (which would
// otherwise fill with one text per row count).
func (db *DB) insertRows(ctx context.Context, tx sqlx.ExecerContext, insert string, cols, rows int, args func(i int) []any) error {
	one := "(" + strings.Repeat("?, ", cols-1) + "?)"
	for lo := 0; lo < rows; {
		n := rowsPerInsert
		for n > rows-lo {
			n /= 2
		}
		hi := lo + n
		vals := make([]any, 0, (hi-lo)*cols)
		for i := lo; i < hi; i++ {
			vals = append(vals, args(i)...)
		}
		q := db.write.Rebind(insert + " " + strings.Repeat(one+", ", hi-lo-1) + one)
		if _, err := tx.ExecContext(ctx, q, vals...); err != nil {
			return err
		}
		lo = hi
	}
	return nil
}

// insertEntriesTx appends entries to the session's journal. An entry that
// is there already (same run and index) is KindConflict: a journal is
// never rewritten.
func (db *DB) insertEntriesTx(ctx context.Context, tx execQueryer, sid runtime.SessionID, entries []runtime.JournalEntry) error {
	if p := pendingOf(tx); p != nil {
		p.addEntries(sid, entries)
		return nil
	}
	return db.insertRows(ctx, tx, insertEntries, 7, len(entries),
		func(i int) []any {
			e := entries[i]
			return []any{sid, e.Run, e.Index, e.Kind, e.Value, e.Found, e.Seq}
		})
}

// insertEntries inserts journal entries (insertRows adds the rows).
const insertEntries = `INSERT INTO dialog_journal (session_id, run, idx, kind, value, found, seq) VALUES`

// insertMessagesTx inserts rows, whose seqs were taken already, or holds
// them back for the end of the batch (pendingOf).
func (db *DB) insertMessagesTx(ctx context.Context, tx execQueryer, rows []messageRow) error {
	if p := pendingOf(tx); p != nil {
		p.addMessages(rows)
		return nil
	}
	return db.insertRows(ctx, tx, `INSERT INTO message_history (`+messageColumns+`, run, idx, entry) VALUES`, 14, len(rows),
		func(i int) []any {
			r := rows[i]
			return []any{r.ID, r.SessionID, r.Seq, r.Sender, r.Content, r.ClientID, r.Attachments, r.Metadata, r.CreatedAt, r.SenderName,
				r.SenderID, r.Run, r.Idx, r.Entry}
		})
}

// TurnsInOneCommit tells the runtime to store a user message for a parked
// dialog with the dialog's answer (runtime.DialogWrite.Input): one commit
// a turn instead of two, and one new version of the sessions row. On
// SQLite a turn's cost is its commits and the pages they write; on
// PostgreSQL, the row versions and index entries its UPDATEs leave, and
// the round trips, where the committer stores a batch's turns in one
// statement (commitManyPostgres).
func (db *DB) TurnsInOneCommit() bool { return true }
