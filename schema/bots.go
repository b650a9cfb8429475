package schema

import (
	"context"

	"github.com/jmoiron/sqlx"

	"parley/runtime"
)

// SyncBots records the loaded bots, in one transaction. Bots missing from
// bots keep their rows (their conversations still name them) but lose the
// default flag, so the table has exactly the default the engine has.
// It is not part of runtime.Store: cmd calls it after loading the bots.
func (db *DB) SyncBots(ctx context.Context, bots []*runtime.Bot) error {
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, db.write.Rebind(`UPDATE bots SET is_default = ?`), false); err != nil {
			return err
		}
		for _, b := range bots {
			if err := db.upsertBotTx(ctx, tx, b); err != nil {
				return err
			}
		}
		return nil
	})
	return db.fail(err, "bot")
}

func (db *DB) upsertBotTx(ctx context.Context, tx *sqlx.Tx, b *runtime.Bot) error {
	q := db.write.Rebind(`INSERT INTO bots (id, name, description, is_default, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
		is_default = excluded.is_default, updated_at = excluded.updated_at`)
	_, err := tx.ExecContext(ctx, q, b.ID, b.Name, b.Description, b.Default, dbTime(db.now()))
	return err
}
