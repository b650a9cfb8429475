package schema

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// The committer's connection.
//
// On SQLite the committer takes the single write connection for each
// batch and gives it back after. On PostgreSQL its pool is its own, and it
// keeps the connection from one batch to the next (committer.keep), so
// that the statements of the message path are prepared once for the
// connection's lifetime: each run then skips the server's parse and plan,
// which for the many-appends statement costs more than running it. The
// statements die with the connection; a broken one is dropped with them
// (start, release), and the next connection prepares them again.

// start takes the connection, begins the batch's transaction, runs lock
// (when not empty; committer.lockSessions) and, with savepoint, opens the
// first savepoint, in one round trip. A connection that broke while it sat idle
// (PostgreSQL restarted, or an administrator or a proxy closed it) fails
// at BEGIN, before anything was done: it is dropped, and the batch begins
// once more on a new one rather than fail every write in it.
func (c *committer) start(ctx context.Context, lock string, savepoint bool) (*batchConn, error) {
	script := []string{c.begin}
	if lock != "" {
		script = append(script, lock)
	}
	if savepoint {
		script = append(script, openFirst)
	}
	for attempt := 0; ; attempt++ {
		conn, err := c.take(ctx)
		if err != nil {
			return nil, err
		}
		if c.beforeBatch != nil {
			c.beforeBatch(ctx, conn)
		}
		if err = conn.script(ctx, script...); err == nil {
			return conn, nil
		}
		broken := errors.Is(err, driver.ErrBadConn) || !valid(conn.Conn)
		if !broken {
			rollback(conn) // BEGIN may have run before what failed
		}
		c.drop() // the pool discards a broken connection
		if !broken || attempt > 0 {
			return nil, err
		}
	}
}

// take returns the connection kept from the last batch, or one from the
// pool.
func (c *committer) take(ctx context.Context) (*batchConn, error) {
	if c.conn == nil {
		conn, err := c.pool.Connx(ctx)
		if err != nil {
			return nil, err
		}
		c.conn = newBatchConn(conn, c.keep)
		c.conn.oneByOne = c.oneByOne
	}
	return c.conn, nil
}

// release ends conn's batch: it keeps conn for the next one, or gives it
// back to the pool when c does not keep it or it broke.
func (c *committer) release(conn *batchConn) {
	if !c.keep || !valid(conn.Conn) {
		c.drop()
	}
}

// drop gives the connection back to the pool, which discards it if it is
// broken. Its statements are closed first, so that they do not outlive
// the cache that knows them.
func (c *committer) drop() {
	if c.conn == nil {
		return
	}
	for _, ps := range c.conn.stmts {
		ps.st.Close() // fails at once on a broken connection; nothing to do then
	}
	c.conn.Close()
	c.conn = nil
}

// valid asks the driver whether conn can still be used. database/sql
// closes a Conn itself when the driver reports it broken (ErrBadConn):
// Raw fails then.
func valid(conn *sqlx.Conn) bool {
	ok := true
	err := conn.Raw(func(dc any) error {
		if v, is := dc.(driver.Validator); is {
			ok = v.IsValid()
		}
		return nil
	})
	return err == nil && ok
}

// maxStmts bounds the statements prepared on one connection. The message
// path has a handful; the bound only keeps a caller that builds its SQL
// from data from filling the server's memory.
const maxStmts = 64

// batchConn is the committer's connection as its writeFuncs see it. With
// a cache (stmts not nil), a query with arguments runs as a prepared
// statement from its second run on, once a first run, unprepared, has
// shown that it parses: preparing a statement that does not would abort
// the batch's transaction with an error the caller may have nowhere to
// get (QueryRowx reports errors at Scan). Queries without arguments go as
// they are, in the simple protocol, which also takes several statements
// at once.
type batchConn struct {
	*sqlx.Conn
	stmts map[string]*preparedStmt // nil: no cache (SQLite)
	ran   map[string]bool          // queries that ran once, unprepared
	// oneByOne says that script runs its statements one at a time
	// (SQLite, whose driver keeps single statements prepared but parses
	// a script anew each time; there are no round trips to save).
	oneByOne bool
	// pending, when set, holds back the rows of the write running
	// (committer_deferred.go).
	pending *pendingRows
}

// script runs stmts, which take no arguments, in order: as one query, in
// one round trip, or one by one.
func (bc *batchConn) script(ctx context.Context, stmts ...string) error {
	if !bc.oneByOne {
		_, err := bc.Conn.ExecContext(ctx, strings.Join(stmts, "; "))
		return err
	}
	for _, st := range stmts {
		if _, err := bc.Conn.ExecContext(ctx, st); err != nil {
			return err
		}
	}
	return nil
}

func newBatchConn(conn *sqlx.Conn, cache bool) *batchConn {
	bc := &batchConn{Conn: conn}
	if cache {
		bc.stmts, bc.ran = map[string]*preparedStmt{}, map[string]bool{}
	}
	return bc
}

// A prepared statement's plan is as good as the table sizes it was made
// for. PostgreSQL plans a prepared statement for its first runs, then
// keeps one generic plan, made from the sizes of that moment, until an
// ANALYZE (autovacuum's, say) changes the tables' statistics. On a new
// database the tables are tiny then, and the plan scans sessions whole
// rather than look rows up by id: fine for a few rows, not once there are
// many, or many dead versions of a few (every turn leaves some). Where
// autovacuum is off, or before its first ANALYZE, nothing would ever
// replace that plan. So a statement is prepared again once it is twice
// as old as when it was last prepared (after 1 s, 2 s, 4 s, … at most
// every replanEvery): a handful of plans over a database's growth.
const (
	replanFirst = time.Second
	replanEvery = 10 * time.Minute
)

// preparedStmt is a statement of the cache and when to prepare it again.
type preparedStmt struct {
	st     *sqlx.Stmt
	replan time.Time     // prepare again after this
	age    time.Duration // how long until then, doubled each time
}

// stmt returns the prepared statement for query, or nil when query is to
// run unprepared.
func (bc *batchConn) stmt(ctx context.Context, query string, args []any) *sqlx.Stmt {
	if bc.stmts == nil || len(args) == 0 {
		return nil
	}
	ps := bc.stmts[query]
	switch {
	case ps == nil && !bc.ran[query]:
		return nil
	case ps != nil && time.Now().Before(ps.replan):
		return ps.st
	case ps != nil:
		ps.st.Close() // a failure leaves a statement the server frees with the connection
		delete(bc.stmts, query)
	}
	st, err := bc.Conn.PreparexContext(ctx, query)
	if err != nil {
		// It parsed before: something changed since (a migration), or
		// the connection broke. The unprepared run that follows reports
		// the error.
		delete(bc.ran, query)
		return nil
	}
	age := replanFirst
	if ps != nil {
		age = min(2*ps.age, replanEvery)
	}
	bc.stmts[query] = &preparedStmt{st: st, replan: time.Now().Add(age), age: age}
	return st
}

// done records an unprepared run of query that did not fail.
func (bc *batchConn) done(query string, args []any, err error) {
	if err == nil && bc.ran != nil && len(args) > 0 && len(bc.ran) < maxStmts {
		bc.ran[query] = true
	}
}

func (bc *batchConn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := bc.stmt(ctx, query, args); st != nil {
		return st.ExecContext(ctx, args...)
	}
	res, err := bc.Conn.ExecContext(ctx, query, args...)
	bc.done(query, args, err)
	return res, err
}

func (bc *batchConn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := bc.stmt(ctx, query, args); st != nil {
		return st.QueryContext(ctx, args...)
	}
	rows, err := bc.Conn.QueryContext(ctx, query, args...)
	bc.done(query, args, err)
	return rows, err
}

func (bc *batchConn) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	if st := bc.stmt(ctx, query, args); st != nil {
		return st.QueryxContext(ctx, args...)
	}
	rows, err := bc.Conn.QueryxContext(ctx, query, args...)
	bc.done(query, args, err)
	return rows, err
}

func (bc *batchConn) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	if st := bc.stmt(ctx, query, args); st != nil {
		return st.QueryRowxContext(ctx, args...)
	}
	row := bc.Conn.QueryRowxContext(ctx, query, args...)
	bc.done(query, args, row.Err())
	return row
}
