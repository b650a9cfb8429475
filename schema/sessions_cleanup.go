package schema

import (
	"context"
	"database/sql"
	"time"

	"github.com/jmoiron/sqlx"

	"parley/runtime"
)

// memoryDeleteChunk bounds the ids in one IN list, well under every
// dialect's limit on bound parameters.
const memoryDeleteChunk = 500

// DeleteIdleAnonymous deletes the anonymous sessions whose last activity is
// before cutoff, with their messages and members (ON DELETE CASCADE; SQLite
// enforces foreign keys, driver_sqlite.go) and their memory
// (owner "session:<id>", which has no foreign key), in one transaction.
// It returns the deleted ids in no particular order.
//
// The sessions go first and their memory by the ids that came back, so a
// session touched between the two statements (possible outside SQLite's
// single writer) keeps its memory.
func (db *DB) DeleteIdleAnonymous(ctx context.Context, cutoff time.Time) ([]runtime.SessionID, error) {
	var ids []runtime.SessionID
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if ids, err = db.deleteIdleSessionsTx(ctx, tx, cutoff); err != nil {
			return err
		}
		return db.deleteSessionMemoryTx(ctx, tx, ids)
	})
	if err != nil {
		return nil, db.fail(err, "conversation")
	}
	return ids, nil
}

// deleteIdleSessionsTx deletes the idle sessions and returns their ids.
func (db *DB) deleteIdleSessionsTx(ctx context.Context, tx *sqlx.Tx, cutoff time.Time) ([]runtime.SessionID, error) {
	// "anonymous", not "anonymous = ?": it is the WHERE of the partial
	// index sessions_visitor_activity (0015), which the query must repeat
	// for either database to use it.
	q := db.write.Rebind(`DELETE FROM sessions WHERE anonymous AND last_activity < ? RETURNING id`)
	var ids []runtime.SessionID
	err := tx.SelectContext(ctx, &ids, q, dbTime(cutoff))
	return ids, err
}

// deleteSessionMemoryTx deletes the memory owned by the sessions ids.
func (db *DB) deleteSessionMemoryTx(ctx context.Context, tx *sqlx.Tx, ids []runtime.SessionID) error {
	for len(ids) > 0 {
		n := min(len(ids), memoryDeleteChunk)
		owners := make([]string, n)
		for i, id := range ids[:n] {
			owners[i] = sessionOwner(id)
		}
		q, args, err := sqlx.In(`DELETE FROM memory WHERE owner IN (?)`, owners)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.write.Rebind(q), args...); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// sessionOwner is the memory owner of an anonymous session, as the runtime
// builds it (runtime.MemoryScope).
func sessionOwner(id runtime.SessionID) string { return "session:" + string(id) }

// DeleteSession deletes one session with its messages, journal and members
// (ON DELETE CASCADE) and its session-owned memory, in one transaction,
// or returns KindNotFound.
func (db *DB) DeleteSession(ctx context.Context, id runtime.SessionID) error {
	if db.noSuchID(string(id)) {
		return runtime.Errorf(runtime.KindNotFound, "conversation not found")
	}
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, db.write.Rebind(`DELETE FROM sessions WHERE id = ?`), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return orErr(err, sql.ErrNoRows)
		}
		if err := db.deleteSessionMemoryTx(ctx, tx, []runtime.SessionID{id}); err != nil {
			return err
		}
		return db.announceTx(ctx, tx, string(id)) // other nodes close its sockets
	})
	return db.fail(err, "conversation")
}

// announceTx tells the other nodes, when there are any (cluster.go), that
// tx wrote to the conversations sids; they hear it if tx commits.
func (db *DB) announceTx(ctx context.Context, tx *sqlx.Tx, sids ...string) error {
	announce := db.commit.announce.Load()
	if announce == nil {
		return nil
	}
	_, err := tx.ExecContext(ctx, (*announce)(sids))
	return err
}
