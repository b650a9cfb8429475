package schema

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"

	"parley/runtime"
)

// Many appends in one statement.
//
// Half the writes of a busy server are appends (AppendMessage), with a
// client id or without. Where the committer has appendMany
// (PostgreSQL), those of a batch's round (committer.units: one run of
// appends per conversation, whose messages the statement numbers in
// order) are stored by one statement in one savepoint: one round trip
// for all of them instead of two per append. Should that statement fail
// (a message id taken, text PostgreSQL cannot store), it is undone and
// each append of the run runs on its own, in its own savepoint, as any
// write does: the failure stays its writer's alone.

// A batch made of appends alone, with nothing to announce, needs no
// transaction around the statement: on its own it is atomic, so it runs
// in a transaction of its own, one round trip in all instead of three
// (BEGIN, the statement, COMMIT). If it fails, nothing was stored, and
// the batch runs as any other, each write in its savepoint.

// appendWrite is an append as data: the row to store, and what was
// stored.
type appendWrite struct {
	row messageRow // without its Seq and CreatedAt, which the store sets
	// Set by the write: the message stored, or the append's own error
	// (no such session) when appendMany ran it.
	stored  *runtime.Message
	created bool // false: stored is the message stored under the client id before
	err     error
}

// appendManyFunc stores apps in order, in one statement. It returns an
// error when the statement failed, and nothing is stored then; otherwise
// it sets every app's stored or err.
type appendManyFunc func(ctx context.Context, tx execQueryer, apps []*appendWrite) error

// doAppend is do for an append; fn stores app alone, in case the
// committer does not store it with others.
func (c *committer) doAppend(ctx context.Context, app *appendWrite, fn writeFunc) error {
	return c.submit(&request{ctx: ctx, sid: app.row.SessionID, fn: fn, app: app})
}

// runAppends stores the appends of unit (two or more) with appendMany
// (runMerged).
func (c *committer) runAppends(sp *savepoint, unit []*request) error {
	apps := make([]*appendWrite, len(unit))
	for i, r := range unit {
		apps[i] = r.app
	}
	return runMerged(sp, unit,
		func(ctx context.Context, tx execQueryer) error { return c.appendMany(ctx, tx, apps) },
		func(r *request) error { return r.app.err })
}

// onlyAppends reports whether batch can go to runAlone: appends
// alone, and no announcement to make in their transaction.
func (c *committer) onlyAppends(batch []*request) bool {
	if c.announce.Load() != nil {
		return false
	}
	for _, r := range batch {
		if r.app == nil {
			return false
		}
	}
	return true
}

// runAlone stores batch, appends alone, with appendMany in a
// transaction of its own (the statement's). It reports whether it ran the
// batch, which failed as a whole if err is set: the connection broke
// while the statement ran, so that whether it committed is unknown, as
// after a COMMIT that got no answer. It reports false when nothing was
// stored: the server refused the statement, or the connection was broken
// before it ran (ErrBadConn, or ErrConnDone once database/sql has closed
// it; should ErrBadConn be wrong, running the appends again could not
// store one twice, their message ids being unique), or every caller left.
func (c *committer) runAlone(batch []*request) (ran bool, err error) {
	var apps []*appendWrite
	for _, r := range batch {
		if r.err = r.ctx.Err(); r.err == nil {
			apps = append(apps, r.app)
		}
	}
	if len(apps) == 0 {
		return false, nil
	}
	ctx := context.Background()
	conn, err := c.take(ctx)
	if err != nil {
		return true, err
	}
	err = c.appendMany(ctx, conn, apps)
	refused := errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) || valid(conn.Conn)
	c.release(conn) // drops it if it broke
	if err != nil {
		return !refused, err
	}
	for _, r := range batch {
		if r.err == nil {
			r.err = r.app.err
		}
	}
	c.count(batch)
	return true, nil
}
