package schema

import (
	"context"

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
