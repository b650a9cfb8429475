package schema

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"

	"github.com/jmoiron/sqlx"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"parley/runtime"
)

// sqlx knows modernc's driver name only as "sqlite3"; teach it "sqlite" so
// Rebind is explicit rather than a no-op by accident.
func init() { sqlx.BindDriver("sqlite", sqlx.QUESTION) }

var sqliteDialect = &dialect{
	name: "sqlite",
	kind: sqliteKind,
	ping: "SELECT count(*) FROM sqlite_master",
	// IMMEDIATE takes the write lock at BEGIN (see writePragmas).
	begin:    "BEGIN IMMEDIATE",
	sqlFalse: "0",
	// A read transaction sees one snapshot of the WAL already.
	snapshot:        &sql.TxOptions{ReadOnly: true},
	migrationsTable: createMigrationsTable("TEXT"),
	jsonArrayAgg:    "json_group_array", // ORDER BY inside: SQLite 3.44
}

// busyTimeoutMS bounds how long a connection waits for another process
// (a second parley, the sqlite3 shell) holding the file lock.
const busyTimeoutMS = "10000"

// openSQLite opens the two pools on the database file cfg.DSN.
//
// Every setting is a _pragma DSN parameter, which modernc applies to each
// new connection, so a connection the pool opens later is configured too.
func (db *DB) openSQLite(ctx context.Context, cfg Config) error {
	path := cfg.DSN
	if err := checkSQLitePath(path); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("schema: create database directory: %w", err)
	}
	db.dialect = sqliteDialect
	syncDataOnly()
	var err error
	// The writer connects first: it switches the file to WAL, which the
	// read-only connections cannot do.
	if db.write, err = openPool(ctx, path, writePragmas(), 1, 1); err != nil {
		return err
	}
	db.addPool(db.write)
	open, idle := cfg.poolSizes(max(4, goruntime.NumCPU()))
	if db.read, err = openPool(ctx, path, readPragmas(), open, idle); err != nil {
		return err
	}
	db.addPool(db.read)
	ckpt, err := openPool(ctx, path, url.Values{"_pragma": {"busy_timeout(" + busyTimeoutMS + ")"}}, 1, 1)
	if err != nil {
		return err
	}
	db.addPool(ckpt)
	db.checkpoints = startCheckpointer(ckpt)
	// The committer shares the single writer with the other writes.
	// SQLite has one writer: no other transaction can abort a batch.
	db.commit = &committer{pool: db.write, begin: db.dialect.begin, retryable: func(error) bool { return false },
		committed: db.checkpoints.committed, beforeBatch: db.checkpoints.beforeBatch, oneByOne: true,
		flush: db.flushPending}
	db.commit.launch()
	return nil
}

// syncDataOnly makes SQLite commit with fdatasync(2) rather than
// fsync(2), where the system has it: the call SQLite's own builds make on
// Linux, but modernc's library is transpiled without the check that picks
// it. fdatasync writes the file's data and the metadata needed to read it
// back (its size) but not its timestamps, so a commit no longer waits for
// the file system's journal to take a new modification time: the same
// durability for less of the fsync every turn waits for (docs/benchmarks.md,
// "Commits with fdatasync"). The setting is process-wide and the same for
// every database this process opens, so it is simply set at each open.
// Where there is no fdatasync (macOS, Windows) the call fails and SQLite
// keeps the sync it has.
func syncDataOnly() {
	_, _ = sqlite.Fdatasync(true)
}

// checkSQLitePath rejects DSNs that the two pools cannot share.
func checkSQLitePath(path string) error {
	switch {
	case path == "":
		return errors.New("schema: sqlite needs a database file path")
	case strings.Contains(path, ":memory:") || strings.HasPrefix(path, "file:"):
		// Each pool would open its own private database.
		return fmt.Errorf("schema: sqlite DSN %q: want a plain file path", path)
	case strings.ContainsAny(path, "?#"):
		return fmt.Errorf("schema: sqlite DSN %q: the path may not contain ? or #", path)
	}
	return nil
}

// writePragmas configures the single writer connection.
func writePragmas() url.Values {
	return url.Values{
		"_pragma": {
			"busy_timeout(" + busyTimeoutMS + ")",
			// WAL lets readers run while the writer commits.
			"journal_mode(WAL)",
			// FULL syncs the WAL on every commit: an acknowledged message
			// survives a power cut (NORMAL may lose the last commits).
			"synchronous(FULL)",
			"foreign_keys(1)",
			// The committer's careful path gives each write a savepoint
			// (committer_deferred.go), and every statement may keep undo
			// copies (the statement journal), which go to a temporary
			// file by default: a write system call per page touched, a
			// fifth of the writer's time under load. They are needed
			// only until the batch commits, and a batch is bounded
			// (maxBatch).
			"temp_store(MEMORY)",
			// Checkpoints run outside the batches (driver_sqlite_checkpoint.go);
			// SQLite's own, in the writer, only as a backstop for when no
			// batch comes to start the WAL over (writes outside the
			// committer alone): at 10,000 pages, about 40 MiB.
			"wal_autocheckpoint(10000)",
		},
		// Take the write lock at BEGIN. A deferred transaction that reads
		// first and then writes can fail with SQLITE_BUSY at once (no busy
		// wait) if another process wrote in between.
		"_txlock": {"immediate"},
	}
}

// readPragmas configures the reader connections. query_only makes a write
// sent to the wrong pool fail loudly instead of racing the writer.
func readPragmas() url.Values {
	return url.Values{"_pragma": {
		"busy_timeout(" + busyTimeoutMS + ")",
		"foreign_keys(1)",
		"query_only(1)",
	}}
}

// openPool opens a pool of at most open connections, idle of them kept
// when idle, and checks that one works.
func openPool(ctx context.Context, path string, params url.Values, open, idle int) (*sqlx.DB, error) {
	conn, err := sqlite.NewConnector(path + "?" + params.Encode())
	if err != nil {
		return nil, fmt.Errorf("schema: open %s: %w", path, err)
	}
	// Each connection keeps its prepared statements (driver_sqlite_stmts.go).
	pool := sqlx.NewDb(sql.OpenDB(stmtConnector{conn}), "sqlite")
	pool.SetMaxOpenConns(open)
	pool.SetMaxIdleConns(idle)
	// Connections live forever: reopening one reruns every pragma.
	pool.SetConnMaxLifetime(0)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("schema: open %s: %w", path, err)
	}
	return pool, nil
}

// sqliteKind translates an error from modernc.org/sqlite to a runtime Kind.
// sql.ErrNoRows and the context errors are the same for every dialect and
// handled by commonKind.
func sqliteKind(err error) runtime.Kind {
	if k, ok := commonKind(err); ok {
		return k
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return runtime.KindConflict
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			// A row points at a parent that is not there (any more).
			return runtime.KindNotFound
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL:
			return runtime.KindUnavailable
		}
	}
	// Errors that lost their code on the way still carry SQLite's text.
	switch msg := err.Error(); {
	case strings.Contains(msg, "UNIQUE constraint failed"):
		return runtime.KindConflict
	case strings.Contains(msg, "FOREIGN KEY constraint failed"):
		return runtime.KindNotFound
	}
	return runtime.KindInternal
}
