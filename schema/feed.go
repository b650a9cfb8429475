package schema

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jmoiron/sqlx"

	"parley/runtime"
)

// The feed (0011_feed.sql): one row per event of any conversation, read
// in id order by GET /api/events. The triggers write the rows of
// messages and of conversations created or changed; this file reads them,
// writes the read receipts, and sweeps the old ones.
//
// Order. A client resumes from an id and must never miss a row that
// commits later with a lower id. On SQLite there is one writer, so ids
// commit in order. On PostgreSQL a transaction's rows wait in
// feed_pending and are numbered as it commits, under a lock held to the
// end of the commit (0011_feed.sql), so ids commit in order there too.

// feedInsertTable is where a transaction writes its feed rows.
func (db *DB) feedInsertTable() string {
	if db.dialect == postgresDialect {
		return "feed_pending" // numbered at commit
	}
	return "feed_events"
}

// feedRow is a feed_events row as the driver sees it.
type feedRow struct {
	ID        int64    `db:"id"`
	SessionID string   `db:"session_id"`
	Kind      string   `db:"kind"`
	Seq       int64    `db:"seq"`
	Payload   jsonText `db:"payload"`
	CreatedAt dbTime   `db:"created_at"`
}

// feedPayload is what payload holds, by kind.
type feedPayload struct {
	runtime.FeedConversation
	Reader string `json:"reader,omitempty"`
}

func (r *feedRow) row() (*runtime.FeedRow, error) {
	out := &runtime.FeedRow{ID: r.ID, SessionID: runtime.SessionID(r.SessionID),
		Kind: runtime.FeedKind(r.Kind), Seq: r.Seq, CreatedAt: r.CreatedAt.Time()}
	if len(r.Payload) == 0 {
		return out, nil
	}
	var p feedPayload
	if err := json.Unmarshal(r.Payload, &p); err != nil {
		return nil, err
	}
	out.Reader = p.Reader
	if out.Kind == runtime.FeedCreated || out.Kind == runtime.FeedUpdated {
		c := p.FeedConversation
		out.Conversation = &c
	}
	return out, nil
}

// FeedAfter returns up to limit rows with id > after, in id order.
func (db *DB) FeedAfter(ctx context.Context, after int64, limit int) ([]*runtime.FeedRow, error) {
	q := db.read.Rebind(`SELECT id, session_id, kind, seq, payload, created_at FROM feed_events
		WHERE id > ? ORDER BY id LIMIT ?`)
	var rows []feedRow
	if err := db.read.SelectContext(ctx, &rows, q, after, limit); err != nil {
		return nil, db.fail(err, "feed")
	}
	out := make([]*runtime.FeedRow, 0, len(rows))
	for i := range rows {
		r, err := rows[i].row()
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// FeedBounds returns the highest id stored (0 when none) and the horizon,
// the highest id the sweep deleted.
func (db *DB) FeedBounds(ctx context.Context) (head, horizon int64, err error) {
	err = db.read.QueryRowxContext(ctx, `SELECT
		(SELECT coalesce(max(id), 0) FROM feed_events), (SELECT id FROM feed_horizon)`).Scan(&head, &horizon)
	if err != nil {
		return 0, 0, db.fail(err, "feed")
	}
	return max(head, horizon), horizon, nil
}

// AppendFeed stores a read receipt of someone who is not the owner (the
// owner's is written with their read mark: SessionUpdate.ReadBy).
func (db *DB) AppendFeed(ctx context.Context, r *runtime.FeedRow) error {
	return db.fail(db.inTx(ctx, func(tx *sqlx.Tx) error {
		return db.appendFeedTx(ctx, tx, r)
	}), "feed")
}

func (db *DB) appendFeedTx(ctx context.Context, tx *sqlx.Tx, r *runtime.FeedRow) error {
	payload, err := json.Marshal(feedPayload{Reader: r.Reader})
	if err != nil {
		return err
	}
	q := db.write.Rebind(`INSERT INTO ` + db.feedInsertTable() + ` (session_id, kind, seq, payload, created_at) VALUES (?, ?, ?, ?, ?)`)
	_, err = tx.ExecContext(ctx, q, r.SessionID, r.Kind, r.Seq, string(payload), dbTime(db.now()))
	return err
}

// SweepFeed deletes the rows created before cutoff and moves the horizon
// past them, in one transaction; it returns how many it deleted.
func (db *DB) SweepFeed(ctx context.Context, cutoff time.Time) (int64, error) {
	var n int64
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var last *int64
		// Ids are in commit order, so the old rows are the first ones: walk
		// them from the oldest (no index on created_at), a bounded number
		// per sweep, never the newest row (SQLite's next id is above it).
		q := db.write.Rebind(`SELECT max(id) FROM (SELECT id, created_at FROM feed_events
			WHERE id < (SELECT max(id) FROM feed_events) ORDER BY id LIMIT 100000) old WHERE created_at < ?`)
		if err := tx.QueryRowxContext(ctx, q, dbTime(cutoff)).Scan(&last); err != nil || last == nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.write.Rebind(`DELETE FROM feed_events WHERE id <= ?`), *last)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		_, err = tx.ExecContext(ctx, db.write.Rebind(`UPDATE feed_horizon SET id = ? WHERE id < ?`), *last, *last)
		return err
	})
	return n, db.fail(err, "feed")
}
