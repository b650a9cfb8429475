package schema

import (
	"context"
	"strings"

	"parley/runtime"
)

// Floor writes conversation turns to the database the cheapest way its
// schema allows, to measure what the store costs beyond that: parley-bench's
// floor scenario and BenchmarkTurnWrites compare the store with it. The
// server never uses it.
//
// A turn is what the store keeps for one echo turn: the user's message and
// the bot's reply, the session's seqs, and (with journal) the two journal
// entries of the dialog (HEAR, TALK). Batch writes one turn of every
// conversation in one transaction, with one UPDATE for all the sessions and
// multi-row INSERTs: no savepoints, no RETURNING, no client id check, no
// group commit queue. It is a floor of the rows' cost, not of round trips
// (on PostgreSQL a batch is about seven statements, unprepared). The seqs
// are the Floor's own count, so its sessions must not be written by
// anything else.
type Floor struct {
	db      *DB
	ids     []runtime.SessionID
	journal bool
	seq     int64 // last_seq of every session
	update  string
}

// NewFloor creates n sessions to write turns to.
func (db *DB) NewFloor(ctx context.Context, n int, journal bool) (*Floor, error) {
	f := &Floor{db: db, journal: journal}
	for range n {
		s := &runtime.Session{BotID: "echo", UserID: "floor"}
		if err := db.CreateSession(ctx, s); err != nil {
			return nil, err
		}
		f.ids = append(f.ids, s.ID)
	}
	// Right-hand sides read the row as it was: last_user_seq is the first
	// of the two new seqs.
	f.update = db.write.Rebind(`UPDATE sessions SET last_seq = last_seq + 2,
		last_user_seq = last_seq + 1, consumed_seq = last_seq + 1, last_activity = ?
		WHERE id IN (?` + strings.Repeat(", ?", n-1) + `)`)
	return f, nil
}

// Turns is how many turns one Batch writes.
func (f *Floor) Turns() int { return len(f.ids) }

// Batch writes one turn of every session, in one transaction.
func (f *Floor) Batch(ctx context.Context) error {
	db := f.db
	now := dbTime(db.now())
	user, bot := f.seq+1, f.seq+2
	tx, err := db.write.BeginTxx(ctx, nil)
	if err != nil {
		return db.fail(err, "floor")
	}
	defer tx.Rollback()
	args := []any{now}
	rows := make([]messageRow, 0, 2*len(f.ids))
	for _, id := range f.ids {
		args = append(args, id)
		u := newMessageRow(&runtime.Message{SessionID: id, Sender: runtime.SenderUser, Content: "hello, bot"})
		b := newMessageRow(&runtime.Message{SessionID: id, Sender: runtime.SenderBot, Content: "hello, bot"})
		u.Seq, u.CreatedAt, b.Seq, b.CreatedAt = user, now, bot, now
		rows = append(rows, u, b)
	}
	if _, err := tx.ExecContext(ctx, f.update, args...); err != nil {
		return db.fail(err, "floor")
	}
	if err := db.insertMessagesTx(ctx, tx, rows); err != nil {
		return db.fail(err, "floor")
	}
	if f.journal {
		// Entry i of the run is the HEAR of seq i, entry i+1 its TALK.
		err := db.insertRows(ctx, tx, `INSERT INTO dialog_journal (session_id, run, idx, kind, value, found, seq) VALUES`, 7, 2*len(f.ids),
			func(i int) []any {
				id := f.ids[i/2]
				if i%2 == 0 {
					return []any{id, 1, user, runtime.EntryHear, "hello, bot", false, user}
				}
				return []any{id, 1, bot, runtime.EntryTalk, "0123456789abcdef", false, 0}
			})
		if err != nil {
			return db.fail(err, "floor")
		}
	}
	if err := tx.Commit(); err != nil {
		return db.fail(err, "floor")
	}
	f.seq = bot
	return nil
}
