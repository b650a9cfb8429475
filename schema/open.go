package schema

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
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
	// MaxOpenConns bounds the connections of the pool that serves reads
	// (SQLite) or reads and the writes outside the message path
	// (PostgreSQL). Each store has one more connection beside it: the
	// single writer (SQLite) or the group committer's (PostgreSQL).
	// 0 means the default: max(4, CPUs) for SQLite, 10 for PostgreSQL.
	MaxOpenConns int
	// MaxIdleConns is how many of those stay open when idle; 0 means all
	// of them (MaxOpenConns), so a burst does not reconnect.
	MaxIdleConns int
	// Now is the clock for the times the store sets itself (message
	// CreatedAt, LastActivity, updated_at). Tests inject a fake one.
	// Defaults to time.Now.
	Now func() time.Time
}

// poolSizes returns the open and idle limits of cfg, with def as the
// default number of open connections.
func (cfg Config) poolSizes(def int) (open, idle int) {
	open, idle = cfg.MaxOpenConns, cfg.MaxIdleConns
	if open <= 0 {
		open = def
	}
	if idle <= 0 || idle > open {
		idle = open
	}
	return open, idle
}

// DB is a runtime.Store on SQL. It is safe for concurrent use.
type DB struct {
	// write carries the writes outside the message path. On SQLite it has
	// exactly one connection and carries every write, so writes are
	// serialised here rather than by SQLite's file lock.
	write *sqlx.DB
	// read serves plain reads; with WAL they run beside the writer. On
	// PostgreSQL it is the same pool as write.
	read *sqlx.DB
	// commit batches the writes of the message path (committer.go).
	commit *committer
	// checkpoints copies SQLite's WAL into the database file
	// (driver_sqlite_checkpoint.go); nil on PostgreSQL.
	checkpoints *checkpointer
	// pools lists every distinct pool, for Close.
	pools []*sqlx.DB

	// since is FindSince's statement, kept prepared (since.go).
	since readStmt

	dialect *dialect
	clock   func() time.Time
	dsn     string // PostgreSQL: for the connections outside the pools (cluster.go)
}

// dialect is what differs between database engines. Queries are written
// once, with ? placeholders that sqlx's Rebind turns into the dialect's;
// the few places where the SQL itself must differ read a field here
// rather than keep a copy of a method per dialect.
type dialect struct {
	name string
	// kind translates a driver error to a runtime Kind.
	kind func(error) runtime.Kind
	// ping is a cheap query that still reaches the stored data.
	ping string
	// begin opens the committer's transactions, sent as plain SQL on its
	// connection (committer.go).
	begin string
	// sqlFalse is false as the partial indexes spell it: a query must
	// repeat the index's condition word for word for SQLite to use it.
	sqlFalse string
	// snapshot begins the read-only transactions that must see one
	// snapshot across several queries.
	snapshot *sql.TxOptions
	// migrationLock, when set, runs first in every migration transaction
	// so that processes migrating at once take turns (SQLite needs none:
	// its transactions take the write lock at BEGIN).
	migrationLock string
	// migrationsTable creates schema_migrations.
	migrationsTable string
	// jsonArrayAgg is the aggregate that gathers values into a JSON
	// array, with an ORDER BY of its own (the members of a session).
	jsonArrayAgg string
	// uuidIDs says that session and message ids are UUID columns; see
	// DB.noSuchID.
	uuidIDs bool
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
		err = db.openSQLite(ctx, cfg)
	case "postgres":
		err = db.openPostgres(ctx, cfg)
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

// Close closes the pools. Writes in flight finish first: the committer
// commits what is queued, and database/sql waits for connections in use.
func (db *DB) Close() error {
	if db.commit != nil {
		db.commit.close()
	}
	if db.checkpoints != nil {
		db.checkpoints.close()
	}
	errs := []error{db.since.close()}
	for _, p := range db.pools {
		errs = append(errs, p.Close())
	}
	return errors.Join(errs...)
}

// addPool records p for Close, once however many roles it has.
func (db *DB) addPool(p *sqlx.DB) {
	if !slices.Contains(db.pools, p) {
		db.pools = append(db.pools, p)
	}
}

// noSuchID reports whether id cannot name a session or message row. On
// PostgreSQL those ids are UUID columns, and only the canonical form the
// store writes (lowercase, hyphenated) names a row, as on SQLite, where
// ids compare as text. Anything else is answered here: PostgreSQL would
// refuse the value with an error rather than find nothing.
func (db *DB) noSuchID(id string) bool {
	return db.dialect.uuidIDs && !canonicalUUID(id)
}

// canonicalUUID reports whether s is a UUID in canonical form.
func canonicalUUID(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && u.String() == s
}
