package schema

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// execQueryer is what the write helpers (fooTx) need: a *sqlx.Tx, or the
// committer's connection inside its transaction (a *sqlx.Conn).
type execQueryer interface {
	sqlx.QueryerContext
	sqlx.ExecerContext
}

// inTx runs fn in a transaction of its own on the writer connection and
// commits when fn returns nil. The writes that are not on the message path
// use it; those that are go through the committer (committer.go).
func (db *DB) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.write.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // fn's error is the one worth reporting
		return err
	}
	return tx.Commit()
}

// inReadTx runs fn in a read-only transaction on the reader pool, for reads
// that need one consistent snapshot across several queries (PostgreSQL's
// default isolation takes a new snapshot for each statement).
func (db *DB) inReadTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.read.BeginTxx(ctx, db.dialect.snapshot)
	if err != nil {
		return err
	}
	defer tx.Rollback() // read-only: nothing to commit
	return fn(tx)
}
