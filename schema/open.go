package schema

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"parley/runtime"
)

// Config says which database to open.
type Config struct {
	// Driver is "sqlite" (the default when empty) or "postgres".
	Driver string
	// DSN is the database file path for SQLite (its directory is created)
	// or the connection URL for PostgreSQL.
	DSN string
	// Now is the clock for the times the store sets itself (message
	// CreatedAt, LastActivity, updated_at). Tests inject a fake one.
	// Defaults to time.Now.
	Now func() time.Time
}

// DB is a runtime.Store on SQL. It is safe for concurrent use.
type DB struct {
	// write has exactly one connection and carries every write, so writes
	// are serialised here rather than by SQLite's file lock.
	write *sqlx.DB
	// read serves plain reads; with WAL they run beside the writer.
	read *sqlx.DB
	// commit batches the writes of the message path (committer.go).
	commit *committer

	dialect *dialect
	clock   func() time.Time
}

// dialect is what differs between database engines.
type dialect struct {
	name string
	// kind translates a driver error to a runtime Kind.
	kind func(error) runtime.Kind
	// ping is a cheap query that still touches the database file.
	ping string
}

var _ runtime.Store = (*DB)(nil)

// Open connects to the database described by cfg. It does not migrate;
// call Migrate before using the store.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	db := &DB{clock: cfg.Now}
	if db.clock == nil {
		db.clock = time.Now
	}
	var err error
	switch cfg.Driver {
	case "", "sqlite":
		err = db.openSQLite(ctx, cfg.DSN)
	case "postgres":
		err = errors.New("schema: driver postgres is not supported yet")
	default:
		err = fmt.Errorf("schema: unknown driver %q (want sqlite or postgres)", cfg.Driver)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// now returns the store's clock in UTC, truncated to the microsecond that
// PostgreSQL keeps, so a time handed back to the caller equals the time
// read back later from either dialect.
func (db *DB) now() time.Time {
	return utcMicro(db.clock())
}

// Ping reports whether the database answers; /readyz calls it. The query
// reads stored data, so a file that vanished or broke fails it.
func (db *DB) Ping(ctx context.Context) error {
	var n int
	err := db.read.QueryRowContext(ctx, db.dialect.ping).Scan(&n)
	return db.fail(err, "database")
}

// Close closes both pools. Writes in flight finish first: the committer
// commits what is queued, and database/sql waits for connections in use.
func (db *DB) Close() error {
	if db.commit != nil {
		db.commit.close()
	}
	var errs []error
	for _, p := range []*sqlx.DB{db.read, db.write} {
		if p != nil {
			errs = append(errs, p.Close())
		}
	}
	return errors.Join(errs...)
}
