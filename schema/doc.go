// Package schema keeps Parley's data in SQL: it implements runtime.Store on
// sqlx, with SQLite (modernc.org/sqlite, pure Go) as the embedded default.
//
// Where to start:
//   - open.go: Open, Config and the DB type. A DB holds two pools: one
//     connection for every write and transaction, and a pool of read-only
//     connections, so writers queue in Go instead of meeting SQLITE_BUSY.
//   - committer.go: group commit. AppendMessage and CommitDialog queue
//     their work for one goroutine that commits many of them, from many
//     conversations, in one transaction (one fsync), each in a savepoint.
//   - driver_sqlite.go: everything SQLite-specific (DSN pragmas, error
//     translation). A PostgreSQL driver file will sit beside it.
//   - migrate.go and migrations/<dialect>/*.sql: the schema, applied by
//     DB.Migrate (Open never migrates by itself).
//   - messages.go: AppendMessage, the hot path, and the history reads.
//   - dialogs.go, journal.go, scripts.go: the durable dialogs
//     (runtime.DialogStore): CommitDialog, the journal, PendingDialogs and
//     the pinned script versions.
//   - sessions.go, sessions_list.go, sessions_cleanup.go, memory.go,
//     users.go, bots.go: the other Store methods, by table.
//   - tx.go: the transaction helpers; errors.go: driver errors to Kinds.
//   - time.go and json.go: the only column types that need converting.
//
// Portability rules, so that PostgreSQL is a driver file and a migration
// directory away: queries are written once with ? placeholders and go
// through Rebind; ids are generated in Go (UUIDv7 for messages); times are
// UTC with microsecond precision (what PostgreSQL keeps); driver errors
// become runtime Kinds in one function per dialect.
//
// Each public method that needs more than one statement opens the
// transaction itself (inTx, or a committer request) and hands it to small
// private helpers (fooTx).
package schema
