package schema

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

// migrations holds one directory per dialect. Files are named
// NNNN_name.sql and applied in order; NNNN is the version recorded in
// schema_migrations. A released file is never edited: changes go in a new
// file, written for every dialect with the same meaning.
//
//go:embed migrations
var migrations embed.FS

// migration is one embedded file.
type migration struct {
	version int
	name    string
	sql     string
}

// createMigrationsTable is the DDL of schema_migrations, with the
// dialect's type for times.
func createMigrationsTable(timeType string) string {
	return `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at ` + timeType + ` NOT NULL
)`
}

// Migrate applies the migrations the database has not seen yet, each in its
// own transaction together with its schema_migrations row, so a migration
// is either wholly applied and recorded or not at all. Running it again, or
// from two processes at once, is safe.
func (db *DB) Migrate(ctx context.Context) error {
	list, err := loadMigrations(db.dialect.name)
	if err != nil {
		return err
	}
	err = db.migrationTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, db.dialect.migrationsTable)
		return err
	})
	if err != nil {
		return fmt.Errorf("schema: create schema_migrations: %w", err)
	}
	for _, m := range list {
		err := db.migrationTx(ctx, func(tx *sqlx.Tx) error { return db.applyTx(ctx, tx, m) })
		if err != nil {
			return fmt.Errorf("schema: migration %s: %w", m.name, err)
		}
	}
	return nil
}

// migrationTx runs fn in a transaction that no other process migrating
// the same database runs beside: SQLite's holds the write lock from
// BEGIN; PostgreSQL's takes the dialect's advisory lock first, as even
// CREATE TABLE IF NOT EXISTS can fail when two sessions run it at once.
func (db *DB) migrationTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		if db.dialect.migrationLock != "" {
			if _, err := tx.ExecContext(ctx, db.dialect.migrationLock); err != nil {
				return err
			}
		}
		return fn(tx)
	})
}

// applyTx applies m unless it is recorded already. The check is inside the
// transaction, which holds the migration lock, so two processes migrating
// at once cannot both apply m.
func (db *DB) applyTx(ctx context.Context, tx *sqlx.Tx, m migration) error {
	var n int
	q := tx.Rebind(`SELECT count(*) FROM schema_migrations WHERE version = ?`)
	if err := tx.GetContext(ctx, &n, q, m.version); err != nil || n > 0 {
		return err
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	q = tx.Rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`)
	_, err := tx.ExecContext(ctx, q, m.version, m.name, dbTime(db.now()))
	return err
}

// loadMigrations reads the dialect's migrations in version order (fs.ReadDir
// sorts by name, and names start with the zero-padded version).
func loadMigrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, fmt.Errorf("schema: no migrations for %s: %w", dialect, err)
	}
	var list []migration
	for _, e := range entries {
		m, err := readMigration(dir, e.Name())
		if err != nil {
			return nil, err
		}
		list = append(list, m)
	}
	return list, nil
}

// readMigration reads one NNNN_name.sql file.
func readMigration(dir, file string) (migration, error) {
	name := strings.TrimSuffix(file, ".sql")
	prefix, _, _ := strings.Cut(name, "_")
	version, err := strconv.Atoi(prefix)
	if err != nil || name == file {
		return migration{}, fmt.Errorf("schema: migration %s: want NNNN_name.sql", file)
	}
	b, err := migrations.ReadFile(path.Join(dir, file))
	if err != nil {
		return migration{}, err
	}
	return migration{version: version, name: name, sql: string(b)}, nil
}
