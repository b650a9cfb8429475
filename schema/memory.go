package schema

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jmoiron/sqlx"

	"parley/runtime"
)

// GetMemory returns the value of key in scope and whether it is set.
func (db *DB) GetMemory(ctx context.Context, scope runtime.MemoryScope, key string) (string, bool, error) {
	var value string
	q := db.write.Rebind(`SELECT value FROM memory WHERE owner = ? AND bot_id = ? AND key = ?`)
	err := db.read.GetContext(ctx, &value, q, scope.Owner, scope.BotID, key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil // unset is an answer, not an error
	}
	if err != nil {
		return "", false, db.fail(err, "memory")
	}
	return value, true, nil
}

// SetMemory stores value under key in scope; "" deletes the key.
func (db *DB) SetMemory(ctx context.Context, scope runtime.MemoryScope, key, value string) error {
	return db.fail(db.setMemoryTx(ctx, db.write, scope, key, value), "memory")
}

// setMemoryTx is SetMemory on e (the pool, or a transaction: CommitDialog
// applies its SETs with it). The upsert (ON CONFLICT … DO UPDATE) has the
// same text in SQLite and PostgreSQL.
func (db *DB) setMemoryTx(ctx context.Context, e sqlx.ExecerContext, scope runtime.MemoryScope, key, value string) error {
	if value == "" {
		q := db.write.Rebind(`DELETE FROM memory WHERE owner = ? AND bot_id = ? AND key = ?`)
		_, err := e.ExecContext(ctx, q, scope.Owner, scope.BotID, key)
		return err
	}
	q := db.write.Rebind(`INSERT INTO memory (owner, bot_id, key, value, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (owner, bot_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`)
	_, err := e.ExecContext(ctx, q, scope.Owner, scope.BotID, key, value, dbTime(db.now()))
	return err
}
