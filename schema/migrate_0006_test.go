package schema

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"parley/runtime"
)

// TestMigration0006: a database with messages at version 5 keeps every
// message (ids, seqs, client ids, order) through 0006, a client id still
// stores once, and the bot's messages (no client id) are no longer in the
// client id index.
func TestMigration0006(t *testing.T) {
	runBackends(t, func(t *testing.T, b testBackend) {
		ctx := context.Background()
		db, err := Open(ctx, b.config(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		migrateTo(t, db, 5)
		// The rows are written as version 5 has them: the store's own
		// methods write the columns of the newest version.
		sid := oldSession(t, db)
		var before []*runtime.Message
		for i := range 6 {
			m := userMessage(sid, fmt.Sprint("user ", i))
			if i%2 == 1 {
				m.Sender, m.Content = runtime.SenderBot, fmt.Sprint("bot ", i)
			} else {
				m.ClientID = fmt.Sprint("c", i)
			}
			oldMessage(t, db, m, int64(i+1))
			before = append(before, m)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		after, err := db.FindMessages(ctx, runtime.MessageFilter{SessionID: sid})
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(before) {
			t.Fatalf("%d messages after the migration, %d before", len(after), len(before))
		}
		for i, m := range after {
			w := before[i]
			if m.ID != w.ID || m.Seq != w.Seq || m.ClientID != w.ClientID || m.Content != w.Content || m.Sender != w.Sender {
				t.Errorf("message %d: %+v after, %+v before", i, m, w)
			}
		}
		again := userMessage(sid, "retried")
		again.ClientID = "c2"
		created, err := db.AppendMessage(ctx, again)
		if err != nil || created || again.ID != before[2].ID {
			t.Fatalf("a client id stored again: created %v, %v, got %s want %s", created, err, again.ID, before[2].ID)
		}
		_, err = db.write.ExecContext(ctx, db.write.Rebind(`INSERT INTO message_history
			(id, session_id, seq, sender, content, client_id, attachments, metadata, created_at) VALUES (?, ?, 99, 'user', 'dup', 'c0', NULL, NULL, ?)`), newMessageRow(&runtime.Message{}).ID, sid, dbTime(db.now()))
		if err == nil || db.dialect.kind(err) != runtime.KindConflict {
			t.Fatalf("a second row with client id c0: %v; want a unique violation", err)
		}
		var partial int
		q := `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'message_history_client' AND sql LIKE '%WHERE client_id IS NOT NULL%'`
		if db.dialect == postgresDialect {
			// Not pg_indexes: it spells out every index of the database,
			// and one that another test's schema drops meanwhile fails
			// the query ("could not open relation with OID", seen in
			// CI). This reads the predicate of this schema's index alone.
			q = `WITH idx AS MATERIALIZED (
				SELECT i.indpred, i.indrelid FROM pg_index i
				JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE n.nspname = current_schema() AND c.relname = 'message_history_client')
			SELECT count(*) FROM idx WHERE pg_get_expr(indpred, indrelid) = '(client_id IS NOT NULL)'`
		}
		if err := db.read.GetContext(ctx, &partial, q); err != nil || partial != 1 {
			t.Fatalf("the partial client id index: %d, %v", partial, err)
		}
	})
}

// oldSession inserts a session with the columns of 0001 alone, as a
// database from before the later migrations has it.
func oldSession(t *testing.T, db *DB) runtime.SessionID {
	t.Helper()
	sid := runtime.SessionID(uuid.NewString())
	now := dbTime(db.now())
	q := db.write.Rebind(`INSERT INTO sessions (id, bot_id, user_id, created_at, last_activity) VALUES (?, 'b', 'u', ?, ?)`)
	if _, err := db.write.ExecContext(context.Background(), q, sid, now, now); err != nil {
		t.Fatal(err)
	}
	return sid
}

// oldMessage stores m, with seq, with the columns of 0001 alone, and sets
// m's ID, Seq and CreatedAt as the store would.
func oldMessage(t *testing.T, db *DB, m *runtime.Message, seq int64) {
	t.Helper()
	row := newMessageRow(m)
	row.Seq, row.CreatedAt = seq, dbTime(db.now())
	ctx := context.Background()
	q := db.write.Rebind(`INSERT INTO message_history (id, session_id, seq, sender, content, client_id, attachments, metadata, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	_, err := db.write.ExecContext(ctx, q, row.ID, row.SessionID, row.Seq, row.Sender, row.Content, row.ClientID, row.Attachments, row.Metadata, row.CreatedAt)
	if err != nil {
		t.Fatal(err)
	}
	q = db.write.Rebind(`UPDATE sessions SET last_seq = ? WHERE id = ?`)
	if _, err := db.write.ExecContext(ctx, q, seq, m.SessionID); err != nil {
		t.Fatal(err)
	}
	*m = *row.message()
}

// migrateTo applies the migrations up to version, as Migrate does.
func migrateTo(t *testing.T, db *DB, version int) {
	t.Helper()
	ctx := context.Background()
	list, err := loadMigrations(db.dialect.name)
	if err != nil {
		t.Fatal(err)
	}
	err = db.migrationTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, db.dialect.migrationsTable)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list[:version] {
		if err := db.migrationTx(ctx, func(tx *sqlx.Tx) error { return db.applyTx(ctx, tx, m) }); err != nil {
			t.Fatal(err)
		}
	}
}
