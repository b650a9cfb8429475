package schema

import (
	"context"
	"database/sql"
	"time"

	"github.com/google/uuid"

	"parley/runtime"
)

// apiKeyColumns lists the api_keys columns in apiKeyRow order.
const apiKeyColumns = `id, user_id, name, role, key_hash, created_at, last_used_at, revoked_at`

// apiKeyRow is an api_keys row as the driver sees it.
type apiKeyRow struct {
	ID         string `db:"id"`
	UserID     string `db:"user_id"`
	Name       string `db:"name"`
	Role       string `db:"role"`
	KeyHash    string `db:"key_hash"`
	CreatedAt  dbTime `db:"created_at"`
	LastUsedAt dbTime `db:"last_used_at"`
	RevokedAt  dbTime `db:"revoked_at"`
}

func (r *apiKeyRow) apiKey() *runtime.APIKey {
	return &runtime.APIKey{
		ID: r.ID, UserID: r.UserID, Name: r.Name, Role: r.Role, KeyHash: r.KeyHash,
		CreatedAt: r.CreatedAt.Time(), LastUsedAt: r.LastUsedAt.Time(), RevokedAt: r.RevokedAt.Time(),
	}
}

// CreateAPIKey inserts k, setting ID (a random UUID) and CreatedAt (now)
// when zero. A key hash already stored is KindConflict.
func (db *DB) CreateAPIKey(ctx context.Context, k *runtime.APIKey) error {
	if k.ID == "" {
		k.ID = uuid.NewString()
	}
	if db.noSuchID(k.ID) {
		return runtime.Errorf(runtime.KindInvalid, "an API key id must be a UUID")
	}
	if k.CreatedAt.IsZero() {
		k.CreatedAt = db.now()
	}
	if k.Role == "" {
		k.Role = runtime.RoleUser
	}
	k.CreatedAt = utcMicro(k.CreatedAt)
	q := db.write.Rebind(`INSERT INTO api_keys (` + apiKeyColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	_, err := db.write.ExecContext(ctx, q, k.ID, k.UserID, k.Name, k.Role, k.KeyHash,
		dbTime(k.CreatedAt), dbTime(k.LastUsedAt), dbTime(k.RevokedAt))
	return db.fail(err, "API key")
}

// FindAPIKeyByHash returns the key with hash, or KindNotFound.
func (db *DB) FindAPIKeyByHash(ctx context.Context, hash string) (*runtime.APIKey, error) {
	var row apiKeyRow
	q := db.write.Rebind(`SELECT ` + apiKeyColumns + ` FROM api_keys WHERE key_hash = ?`)
	if err := db.read.GetContext(ctx, &row, q, hash); err != nil {
		return nil, db.fail(err, "API key")
	}
	return row.apiKey(), nil
}

// ListAPIKeys returns a user's keys, oldest first.
func (db *DB) ListAPIKeys(ctx context.Context, userID string) ([]*runtime.APIKey, error) {
	var rows []apiKeyRow
	q := db.write.Rebind(`SELECT ` + apiKeyColumns + ` FROM api_keys WHERE user_id = ? ORDER BY created_at, id`)
	if err := db.read.SelectContext(ctx, &rows, q, userID); err != nil {
		return nil, db.fail(err, "API key")
	}
	out := make([]*runtime.APIKey, len(rows))
	for i := range rows {
		out[i] = rows[i].apiKey()
	}
	return out, nil
}

// RevokeAPIKey sets revoked_at once; revoking again changes nothing.
func (db *DB) RevokeAPIKey(ctx context.Context, id string) error {
	if db.noSuchID(id) {
		return runtime.Errorf(runtime.KindNotFound, "API key not found")
	}
	// COALESCE keeps the first revocation and still counts the row as
	// matched, so a second revoke is not "not found".
	q := db.write.Rebind(`UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`)
	return db.execOne(ctx, q, dbTime(db.now()), id)
}

// TouchAPIKey records when the key was last used.
func (db *DB) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	if db.noSuchID(id) {
		return runtime.Errorf(runtime.KindNotFound, "API key not found")
	}
	q := db.write.Rebind(`UPDATE api_keys SET last_used_at = ? WHERE id = ?`)
	return db.execOne(ctx, q, dbTime(at), id)
}

// execOne runs a write that must touch exactly one API key row.
func (db *DB) execOne(ctx context.Context, q string, args ...any) error {
	res, err := db.write.ExecContext(ctx, q, args...)
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n == 0 {
			err = sql.ErrNoRows
		}
	}
	return db.fail(err, "API key")
}
