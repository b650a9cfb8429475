package schema

import (
	"context"

	"parley/runtime"
)

// MemoryEntry is one key a bot keeps of a user, with its JSON value.
type MemoryEntry struct {
	Key   string `db:"key"`
	Value string `db:"value"`
}

// ListMemory returns every key of scope with its value, sorted by key:
// all that a bot remembers of one user (parley chat's /memory). Dialogs
// read one key at a time (GetMemory); this is for people looking in.
func (db *DB) ListMemory(ctx context.Context, scope runtime.MemoryScope) ([]MemoryEntry, error) {
	var rows []MemoryEntry
	q := db.write.Rebind(`SELECT key, value FROM memory WHERE owner = ? AND bot_id = ? ORDER BY key`)
	if err := db.read.SelectContext(ctx, &rows, q, scope.Owner, scope.BotID); err != nil {
		return nil, db.fail(err, "memory")
	}
	return rows, nil
}
