package schema

import (
	"context"

	"parley/runtime"
)

// SaveScript stores a script version. Saving a version that is stored
// already does nothing: the version is a hash of the source, so the row
// is the same.
func (db *DB) SaveScript(ctx context.Context, sc *runtime.Script) error {
	if sc.Bot == "" || sc.Version == "" {
		return runtime.Errorf(runtime.KindInvalid, "a script needs a bot and a version")
	}
	q := db.write.Rebind(`INSERT INTO scripts (bot_id, version, source, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (bot_id, version) DO NOTHING`)
	_, err := db.write.ExecContext(ctx, q, sc.Bot, sc.Version, sc.Source, dbTime(db.now()))
	return db.fail(err, "script")
}

// FindScript returns a stored script version, or KindNotFound.
func (db *DB) FindScript(ctx context.Context, bot runtime.BotID, version string) (*runtime.Script, error) {
	var source string
	q := db.write.Rebind(`SELECT source FROM scripts WHERE bot_id = ? AND version = ?`)
	if err := db.read.GetContext(ctx, &source, q, bot, version); err != nil {
		return nil, db.fail(err, "script")
	}
	return &runtime.Script{Bot: bot, Version: version, Source: source}, nil
}
