// Package schema keeps Parley's data in SQL: it implements runtime.Store on
// sqlx, with SQLite (modernc.org/sqlite, pure Go) as the embedded default
// and PostgreSQL (github.com/lib/pq) for deployments that outgrow one file.
//
// Where to start:
//   - open.go: Open, Config, the DB type and the dialect struct (what
//     differs between engines). On SQLite a DB holds two pools: one
//     connection for every write and transaction, and a pool of read-only
//     connections, so writers queue in Go instead of meeting SQLITE_BUSY.
//     On PostgreSQL it holds one pool and the committer's own connection.
//   - committer.go: group commit. AppendMessage and CommitDialog queue
//     their work for one goroutine that commits many of them, from many
//     conversations, in one transaction (one fsync), each in a savepoint.
//     committer_conn.go keeps the connection (and, on PostgreSQL, its
//     prepared statements, prepared again as the tables grow);
//     committer_postgres.go and committer_appends.go store one append, or
//     a run of appends, in one statement, and committer_dialogs.go a
//     batch's dialog commits, turns with their user messages included. On
//     SQLite a batch runs first without savepoints, its rows inserted
//     together at its end (committer_deferred.go). A turn updates its
//     session once (dialogs_turn.go).
//   - cluster.go: several nodes on one PostgreSQL database — dialog leases
//     with fencing, the heartbeat, NOTIFY wake-ups, shared /ws tickets and
//     cross-node locks (runtime.Cluster).
//   - driver_sqlite.go and driver_postgres.go: everything specific to one
//     engine (connection settings, pools, error translation, the dialect).
//     On SQLite, driver_sqlite_stmts.go keeps each connection's prepared
//     statements and driver_sqlite_checkpoint.go copies the WAL into the
//     database file beside the writer, not inside its batches.
//   - histogram.go: the batch and write latencies /metrics reports.
//   - migrate.go and migrations/<dialect>/*.sql: the schema, applied by
//     DB.Migrate (Open never migrates by itself).
//   - messages.go: AppendMessage, the hot path, and the history reads.
//   - dialogs.go, journal.go, scripts.go: the durable dialogs
//     (runtime.DialogStore): CommitDialog, the journal, PendingDialogs and
//     the pinned script versions. journal_carry.go: the entries that are
//     message rows, and the parks that are no rows at all.
//   - sessions.go, sessions_list.go, sessions_cleanup.go, memory.go,
//     users.go, bots.go: the other Store methods, by table. A session's
//     members (session_members) are read with it, in the same row.
//   - tx.go: the transaction helpers; errors.go: driver errors to Kinds.
//   - time.go and json.go: the only column types that need converting.
//
// Portability rules, so that each engine is a driver file and a migration
// directory: queries are written once with ? placeholders and go through
// Rebind; where the SQL must differ, a dialect field holds the difference
// (BEGIN, the literal false, the snapshot isolation, the migration lock);
// ids are generated in Go (UUIDv7 for messages), and ids PostgreSQL's UUID
// columns could not hold are answered in Go (noSuchID); times are UTC with
// microsecond precision (what PostgreSQL keeps); driver errors become
// runtime Kinds in one function per dialect. The schematest package gives
// tests a PostgreSQL schema of their own.
//
// Each public method that needs more than one statement opens the
// transaction itself (inTx, or a committer request) and hands it to small
// private helpers (fooTx).
package schema
