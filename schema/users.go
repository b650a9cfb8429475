package schema

import (
	"context"

	"github.com/jmoiron/sqlx"

	"parley/runtime"
)

// UpsertUser records a user's latest name and role. created_at keeps the
// first sighting; updated_at moves on every call.
func (db *DB) UpsertUser(ctx context.Context, id runtime.Identity) error {
	if id.UserID == "" {
		return runtime.Errorf(runtime.KindInvalid, "user id is empty")
	}
	role := id.Role
	if role == "" {
		role = runtime.RoleUser
	}
	now := dbTime(db.now())
	q := db.write.Rebind(`INSERT INTO users (id, name, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role,
		updated_at = excluded.updated_at`)
	_, err := db.write.ExecContext(ctx, q, id.UserID, id.Name, role, now, now)
	return db.fail(err, "user")
}

var _ runtime.UserDirectory = (*DB)(nil)

// FindUsers reads the users among ids that exist.
func (db *DB) FindUsers(ctx context.Context, ids []string) ([]runtime.Identity, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	q, args, err := sqlx.In(`SELECT id, name, role FROM users WHERE id IN (?)`, ids)
	if err != nil {
		return nil, db.fail(err, "user")
	}
	var rows []struct {
		ID   string `db:"id"`
		Name string `db:"name"`
		Role string `db:"role"`
	}
	if err := db.read.SelectContext(ctx, &rows, db.read.Rebind(q), args...); err != nil {
		return nil, db.fail(err, "user")
	}
	out := make([]runtime.Identity, len(rows))
	for i, r := range rows {
		out[i] = runtime.Identity{UserID: r.ID, Name: r.Name, Role: r.Role}
	}
	return out, nil
}
