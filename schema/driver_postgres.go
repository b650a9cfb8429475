package schema

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"

	"parley/runtime"
)

var postgresDialect = &dialect{
	name:     "postgres",
	kind:     postgresKind,
	ping:     "SELECT 1",
	begin:    "BEGIN",
	sqlFalse: "FALSE",
	// READ COMMITTED, the default, takes a snapshot per statement; a list
	// and its total must come from one.
	snapshot: &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead},
	// One lock per schema, so that two installations in one database do
	// not wait for each other. coalesce: with no schema on the search
	// path the function would get NULL and, being strict, lock nothing.
	migrationLock:   `SELECT pg_advisory_xact_lock(hashtext('parley schema_migrations'), hashtext(coalesce(current_schema(), '')))`,
	migrationsTable: createMigrationsTable("TIMESTAMPTZ"),
	uuidIDs:         true,
	jsonArrayAgg:    "json_agg",
}

// defaultPostgresConns is the main pool's size when Config leaves it 0.
const defaultPostgresConns = 10

// openPostgres opens the pools on the database at the URL (or key=value
// string) cfg.DSN: the main pool, which serves reads and the writes
// outside the message path, and the committer's single connection. The
// DSN may carry any PostgreSQL setting, search_path included.
func (db *DB) openPostgres(ctx context.Context, cfg Config) error {
	db.dialect = postgresDialect
	db.dsn = cfg.DSN
	pc, err := pq.NewConfig(cfg.DSN)
	if err != nil {
		return fmt.Errorf("schema: postgres DSN: %w", err)
	}
	// Parse, bind and execute a statement with arguments in one round
	// trip rather than two. Only []byte arguments change meaning (sent
	// as binary), and the store passes none.
	pc.BinaryParameters = true
	if pc.ApplicationName == "" {
		// Names the connections in pg_stat_activity.
		pc.ApplicationName = "parley"
	}
	open, idle := cfg.poolSizes(defaultPostgresConns)
	if db.write, err = openPostgresPool(ctx, pc, open, idle); err != nil {
		return err
	}
	db.read = db.write
	db.addPool(db.write)
	commitPool, err := openPostgresPool(ctx, pc, 1, 1)
	if err != nil {
		return err
	}
	db.addPool(commitPool)
	// The committer keeps its connection, and the statements prepared on
	// it, from one batch to the next: the pool is its own.
	db.commit = (&committer{pool: commitPool, begin: db.dialect.begin, retryable: postgresRetryable,
		keep: true, appendMany: db.appendManyPostgres, commitMany: db.commitManyPostgres,
		lockSessions: lockSessionsPostgres}).launch()
	return nil
}

// openPostgresPool opens a pool of at most open connections, idle of them
// kept when idle, and checks that one works.
func openPostgresPool(ctx context.Context, pc pq.Config, open, idle int) (*sqlx.DB, error) {
	conn, err := pq.NewConnectorConfig(pc)
	if err != nil {
		return nil, fmt.Errorf("schema: postgres DSN: %w", err)
	}
	pool := sqlx.NewDb(sql.OpenDB(conn), "postgres")
	pool.SetMaxOpenConns(open)
	pool.SetMaxIdleConns(idle)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("schema: connect to postgres: %w", err)
	}
	return pool, nil
}

// postgresRetryable reports a transaction PostgreSQL aborted because it
// lost to another one (a deadlock, a serialisation failure): running it
// again may succeed.
func postgresRetryable(err error) bool {
	pe := pq.As(err)
	return pe != nil && (pe.Code == pqerror.TRDeadlockDetected || pe.Code == pqerror.TRSerializationFailure)
}

// postgresKind translates an error from lib/pq to a runtime Kind.
// sql.ErrNoRows and the context errors are the same for every dialect and
// handled by commonKind.
func postgresKind(err error) runtime.Kind {
	if k, ok := commonKind(err); ok {
		return k
	}
	if pe := pq.As(err); pe != nil {
		switch pe.Code {
		case pqerror.UniqueViolation:
			return runtime.KindConflict
		case pqerror.ForeignKeyViolation:
			// A row points at a parent that is not there (any more).
			return runtime.KindNotFound
		case pqerror.InvalidTextRepresentation:
			// The only text PostgreSQL parses for the store is an id
			// into a UUID column (noSuchID catches most before they
			// are sent): a malformed id names no row.
			return runtime.KindNotFound
		case pqerror.CharacterNotInRepertoire, pqerror.UntranslatableCharacter, pqerror.ProgramLimitExceeded:
			// A NUL byte in text, \u0000 in JSONB, a value too large
			// for an index entry: SQLite stores these, PostgreSQL
			// cannot.
			return runtime.KindInvalid
		case pqerror.TRSerializationFailure, pqerror.TRDeadlockDetected, pqerror.LockNotAvailable:
			// Another transaction won; trying again may succeed.
			return runtime.KindUnavailable
		}
		switch pe.Code.Class() {
		case pqerror.ClassConnectionException, pqerror.ClassInsufficientResources, pqerror.ClassOperatorIntervention:
			// The server is restarting, shutting down, full of
			// connections, or cancelled the statement.
			return runtime.KindUnavailable
		}
		return runtime.KindInternal
	}
	var ne net.Error
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &ne) {
		// No connection, or it broke: the database is out of reach.
		return runtime.KindUnavailable
	}
	return runtime.KindInternal
}
