package schema

import (
	"context"

	"github.com/jmoiron/sqlx"

	"parley/runtime"
)

// ListSupport returns one page of the support queue, least recent
// activity first (ties by id), each with its newest message, and the
// number that match f; like ListSessions, both from one snapshot. The
// index sessions_support_queue (migration 0009) serves the filter and
// the order.
func (db *DB) ListSupport(ctx context.Context, f runtime.SupportFilter) ([]*runtime.SessionSummary, int, error) {
	var list []*runtime.SessionSummary
	var total int
	where, args := supportWhere(f)
	err := db.inReadTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		order := where + ` ORDER BY s.last_activity, s.id`
		if list, err = db.summariesTx(ctx, tx, order, args, f.Limit, f.Offset); err != nil {
			return err
		}
		return tx.GetContext(ctx, &total, db.write.Rebind(`SELECT count(*) FROM sessions s`+where), args...)
	})
	if err != nil {
		return nil, 0, db.fail(err, "conversation")
	}
	return list, total, nil
}

// supportWhere is the WHERE clause of f. A visitor's (anonymous)
// conversation is in the queue only once the desk has had it: handed over
// or assigned; every other one is open, and there are many.
func supportWhere(f runtime.SupportFilter) (string, []any) {
	where, args := ` WHERE s.support_status = ? AND (NOT s.anonymous OR s.waiting_since IS NOT NULL OR s.assigned_agent <> '')`, []any{f.SupportStatus}
	switch {
	case f.Unassigned:
		where += ` AND s.assigned_agent = ''`
	case f.Agent != "":
		where, args = where+` AND s.assigned_agent = ?`, append(args, f.Agent)
	}
	return where, args
}
