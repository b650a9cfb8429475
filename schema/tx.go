package schema

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"
)

// inTx runs fn in a transaction on the writer connection and commits when
// fn returns nil. Every write goes through here.
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
// that need one consistent snapshot across several queries.
func (db *DB) inReadTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.read.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback() // read-only: nothing to commit
	return fn(tx)
}
