package schema

import (
	"context"
	"database/sql/driver"
	"fmt"
	"reflect"
	"strings"
)

// Prepared statements on SQLite.
//
// modernc's connection prepares every statement it is given afresh, runs
// it and throws it away; parsing and planning was about a sixth of the
// server's CPU in a profile of chat turns (docs/benchmarks.md), nearly all
// of it on the single write connection that every batch goes through. A
// prepared statement kept by database/sql belongs to one pool, or to one
// sql.Conn until it is given back, and the committer gives its connection
// back after every batch. So the cache sits one level down, in the driver
// connection: each connection keeps the statements it ran, by their text,
// and runs them again bound to new arguments. SQLite re-prepares a kept
// statement itself when the schema changes (a migration), so a stale one
// cannot run.
//
// What is not kept: text with a ";" (it may be several statements, which
// modernc prepares one by one anyway), and a statement that is still being
// read (its rows open) when its text comes again: the second run gets a
// statement of its own, as without the cache.

// maxConnStmts bounds the statements one connection keeps. The store's
// queries are a few dozen; some are built from data (a list of ids, the
// fields a call changes), and the bound keeps those from growing the cache
// without end: the statement used least recently goes.
const maxConnStmts = 128

// stmtConnector makes connections that keep their statements.
type stmtConnector struct{ inner driver.Connector }

func (c stmtConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return newStmtConn(dc)
}

func (c stmtConnector) Driver() driver.Driver { return c.inner.Driver() }

// conn is what the cache needs of the driver's connection: everything
// database/sql would otherwise find by type assertion, so that wrapping
// it hides nothing.
type conn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// stmtConn is a driver connection with its statement cache. database/sql
// uses a connection from one goroutine at a time, so it needs no lock.
type stmtConn struct {
	conn
	stmts map[string]*keptStmt
	clock uint64 // counts uses, for least recently used
}

// keptStmt is a statement of the cache.
type keptStmt struct {
	st   driver.Stmt
	used uint64 // the connection's clock at its last use
	busy bool   // its rows are open
}

func newStmtConn(dc driver.Conn) (driver.Conn, error) {
	c, ok := dc.(conn)
	if !ok {
		dc.Close()
		return nil, fmt.Errorf("schema: sqlite connection %T lacks an interface the statement cache needs", dc)
	}
	return &stmtConn{conn: c, stmts: map[string]*keptStmt{}}, nil
}

// stmt returns the kept statement for query, preparing it on first use,
// or nil when query is to run unprepared.
func (c *stmtConn) stmt(ctx context.Context, query string) (*keptStmt, error) {
	c.clock++
	if ks := c.stmts[query]; ks != nil {
		if ks.busy {
			return nil, nil
		}
		ks.used = c.clock
		return ks, nil
	}
	if strings.Contains(query, ";") {
		return nil, nil
	}
	st, err := c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if len(c.stmts) >= maxConnStmts {
		c.evict()
	}
	ks := &keptStmt{st: st, used: c.clock}
	c.stmts[query] = ks
	return ks, nil
}

// evict closes the statement used least recently, among those not busy.
func (c *stmtConn) evict() {
	var oldest string
	var min uint64
	for q, ks := range c.stmts {
		if !ks.busy && (oldest == "" || ks.used < min) {
			oldest, min = q, ks.used
		}
	}
	if oldest != "" {
		c.stmts[oldest].st.Close()
		delete(c.stmts, oldest)
	}
}

func (c *stmtConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	ks, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if ks == nil {
		return c.conn.ExecContext(ctx, query, args)
	}
	return ks.st.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *stmtConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	ks, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if ks == nil {
		return c.conn.QueryContext(ctx, query, args)
	}
	rows, err := ks.st.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	cr, ok := rows.(columnRows)
	if !ok { // not modernc's rows: newStmtConn's check should have caught it
		rows.Close()
		return nil, fmt.Errorf("schema: sqlite rows %T lack the column types", rows)
	}
	ks.busy = true
	return &keptRows{rows: cr, ks: ks}, nil
}

// Close finalizes the kept statements before the connection, which would
// otherwise linger (sqlite3_close_v2 waits for them) after database/sql
// has forgotten it.
func (c *stmtConn) Close() error {
	for q, ks := range c.stmts {
		ks.st.Close()
		delete(c.stmts, q)
	}
	return c.conn.Close()
}

// columnRows is what database/sql finds on modernc's rows.
type columnRows interface {
	driver.Rows
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypeNullable
	driver.RowsColumnTypePrecisionScale
	driver.RowsColumnTypeScanType
}

// keptRows are the rows of a kept statement, which is free again once
// they are closed.
type keptRows struct {
	rows columnRows
	ks   *keptStmt
}

func (r *keptRows) Columns() []string              { return r.rows.Columns() }
func (r *keptRows) Next(dest []driver.Value) error { return r.rows.Next(dest) }

func (r *keptRows) Close() error {
	err := r.rows.Close()
	r.ks.busy = false
	return err
}

func (r *keptRows) ColumnTypeDatabaseTypeName(i int) string {
	return r.rows.ColumnTypeDatabaseTypeName(i)
}
func (r *keptRows) ColumnTypeLength(i int) (int64, bool)  { return r.rows.ColumnTypeLength(i) }
func (r *keptRows) ColumnTypeNullable(i int) (bool, bool) { return r.rows.ColumnTypeNullable(i) }
func (r *keptRows) ColumnTypeScanType(i int) reflect.Type { return r.rows.ColumnTypeScanType(i) }
func (r *keptRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	return r.rows.ColumnTypePrecisionScale(i)
}
