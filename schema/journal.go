package schema

import (
	"context"

	"parley/runtime"
)

// journalRow is a dialog_journal row as the driver sees it.
type journalRow struct {
	Run   int64  `db:"run"`
	Index int64  `db:"idx"`
	Kind  string `db:"kind"`
	Value string `db:"value"`
	Found bool   `db:"found"`
	Seq   int64  `db:"seq"`
}

// Journal returns the entries of one run of a conversation in index
// order; none (not an error) when the run has no journal, ended or never
// existed.
func (db *DB) Journal(ctx context.Context, sid runtime.SessionID, run int64) ([]runtime.JournalEntry, error) {
	if db.noSuchID(string(sid)) {
		return []runtime.JournalEntry{}, nil
	}
	// The run's rows of dialog_journal, and the entries its messages
	// carry (journal_carry.go), which lie above the session's run_base
	// in seq: a user message's is the HEAR that took it (its content,
	// its seq), a bot message's the TALK that said it. Its parks are no
	// rows; the last row of the statement, after every index, says
	// whether the run is parked, read in the same snapshot as the rest.
	var rows []journalRow
	q := db.write.Rebind(`SELECT run, idx, kind, value, found, seq FROM dialog_journal
		WHERE session_id = ? AND run = ?
		UNION ALL
		SELECT run, idx, CASE WHEN sender = 'user' THEN '` + runtime.EntryHear + `' ELSE '` + runtime.EntryTalk + `' END,
			COALESCE(entry, content), ` + db.dialect.sqlFalse + `, CASE WHEN sender = 'user' THEN seq ELSE 0 END
		FROM message_history
		WHERE session_id = ? AND seq > (SELECT run_base FROM sessions WHERE id = ?) AND run = ?
		UNION ALL
		SELECT run, ` + parkedIdx + `, '` + parkedKind + `', '', parked, 0 FROM sessions WHERE id = ? AND run = ?
		ORDER BY idx`)
	if err := db.read.SelectContext(ctx, &rows, q, sid, run, sid, sid, run, sid, run); err != nil {
		return nil, db.fail(err, "journal")
	}
	parked := false
	if n := len(rows); n > 0 && rows[n-1].Kind == parkedKind {
		parked, rows = rows[n-1].Found, rows[:n-1]
	}
	list := make([]runtime.JournalEntry, len(rows))
	for i, r := range rows {
		list[i] = runtime.JournalEntry{Run: r.Run, Index: r.Index, Kind: r.Kind, Value: r.Value, Found: r.Found, Seq: r.Seq}
	}
	return parkGaps(run, list, parked), nil
}

// parkedKind and parkedIdx mark Journal's row of the sessions row: its
// found is parked, and its idx sorts it after every entry.
const (
	parkedKind = "parked:"
	parkedIdx  = "9223372036854775807"
)

// pendingQuery finds the conversations PendingDialogs reports, one SELECT
// per condition so that each reads its own partial index (0002, 0016): a
// user message not taken yet; a WAIT deadline; a run that has started
// (run >= 1: at run 0 nothing has begun), has not ended, and whose last
// journal entry is not a park (parked, which every write with entries
// sets: 0013_message_entries.sql). The last index holds only the runs
// neither ended nor parked (sessions_busy_run), not every open run: a bot
// that loops for ever never ends its run.
//
// UNION ALL, not UNION: deduplicating in SQL makes SQLite walk every
// session in id order instead of the small partial indexes; a session
// that meets two conditions is deduplicated in Go. run_ended = false and
// parked = false are spelt as the index spells them.
func (db *DB) pendingQuery() string {
	return `
SELECT id, wake_at FROM sessions WHERE last_user_seq > consumed_seq
UNION ALL
SELECT id, wake_at FROM sessions WHERE wake_at IS NOT NULL
UNION ALL
SELECT id, wake_at FROM sessions WHERE run_ended = ` + db.dialect.sqlFalse + ` AND run >= 1 AND parked = ` + db.dialect.sqlFalse
}

// pendingRow is a row of pendingQuery.
type pendingRow struct {
	ID     string `db:"id"`
	WakeAt dbTime `db:"wake_at"`
}

// PendingDialogs lists the conversations whose dialog has work to do
// without a new message, in no particular order; see runtime.DialogStore.
func (db *DB) PendingDialogs(ctx context.Context) ([]runtime.PendingDialog, error) {
	var rows []pendingRow
	if err := db.read.SelectContext(ctx, &rows, db.pendingQuery()); err != nil {
		return nil, db.fail(err, "conversation")
	}
	list := make([]runtime.PendingDialog, 0, len(rows))
	seen := make(map[string]bool, len(rows))
	for _, r := range rows {
		if !seen[r.ID] {
			seen[r.ID] = true
			list = append(list, runtime.PendingDialog{SessionID: runtime.SessionID(r.ID), WakeAt: r.WakeAt.Time()})
		}
	}
	return list, nil
}
