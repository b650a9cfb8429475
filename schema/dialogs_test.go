package schema

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"parley/runtime"
	"parley/schema/schematest"
)

// TestPendingDialogsPlan: PendingDialogs reads the partial indexes; it
// never walks all sessions or the journal (since 0013 the sessions row
// says whether its run is parked, and the journal is not read at all).
func TestPendingDialogsPlan(t *testing.T) {
	db := openTest(t)
	var plan []struct {
		ID, Parent, NotUsed int
		Detail              string
	}
	if err := db.read.Select(&plan, `EXPLAIN QUERY PLAN `+db.pendingQuery()); err != nil {
		t.Fatal(err)
	}
	var used []string
	for _, p := range plan {
		d := p.Detail
		if strings.HasPrefix(d, "SCAN") || strings.HasPrefix(d, "SEARCH") {
			used = append(used, d)
		}
		if strings.HasPrefix(d, "SCAN") && !strings.Contains(d, "USING INDEX sessions_") ||
			strings.Contains(d, "dialog_journal") || strings.Contains(d, "message_history") {
			t.Errorf("PendingDialogs plan: %q", d)
		}
	}
	for _, index := range []string{"sessions_unconsumed", "sessions_wake", "sessions_busy_run"} {
		if !strings.Contains(strings.Join(used, "\n"), index) {
			t.Errorf("PendingDialogs does not use %s; plan:\n%s", index, strings.Join(used, "\n"))
		}
	}
}

// TestPendingDialogsPlanPostgres: on PostgreSQL too, PendingDialogs can
// read the three partial indexes; with sequential scans made expensive,
// the plan uses them, which it cannot if the query's conditions do not
// match theirs.
func TestPendingDialogsPlanPostgres(t *testing.T) {
	schematest.Require(t)
	db := testBackends[1].open(t)
	ctx := context.Background()
	tx, err := db.read.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`SET LOCAL enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	var lines []string
	if err := tx.Select(&lines, `EXPLAIN `+db.pendingQuery()); err != nil {
		t.Fatal(err)
	}
	plan := strings.Join(lines, "\n")
	for _, index := range []string{"sessions_unconsumed", "sessions_wake", "sessions_busy_run"} {
		if !strings.Contains(plan, index) {
			t.Errorf("PendingDialogs does not use %s; plan:\n%s", index, plan)
		}
	}
	if strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "dialog_journal") {
		t.Errorf("PendingDialogs scans a table; plan:\n%s", plan)
	}
}

// TestMigrateDurableDialogs: sessions from before 0002 count their user
// messages as taken, so the upgrade does not replay old conversations.
func TestMigrateDurableDialogs(t *testing.T) {
	runBackends(t, func(t *testing.T, b testBackend) {
		ctx := context.Background()
		db, err := Open(ctx, b.config(t))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		list, err := loadMigrations(db.dialect.name)
		if err != nil {
			t.Fatal(err)
		}
		err = db.migrationTx(ctx, func(tx *sqlx.Tx) error {
			if _, err := tx.Exec(db.dialect.migrationsTable); err != nil {
				return err
			}
			return db.applyTx(ctx, tx, list[0])
		})
		if err != nil {
			t.Fatal(err)
		}
		at := dbTime(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
		old, empty := uuid.NewString(), uuid.NewString()
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.write.Exec(db.write.Rebind(q), args...); err != nil {
				t.Fatal(err)
			}
		}
		const session = `INSERT INTO sessions (id, bot_id, user_id, created_at, last_activity, last_seq) VALUES (?, 'b', 'u', ?, ?, ?)`
		exec(session, old, at, at, 3)
		exec(session, empty, at, at, 0)
		for i, sender := range []string{"user", "user", "bot"} {
			exec(`INSERT INTO message_history (id, session_id, seq, sender, content, created_at) VALUES (?, ?, ?, ?, 'hi', ?)`,
				uuid.NewString(), old, i+1, sender, at)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for id, want := range map[string]int64{old: 2, empty: 0} {
			s, err := db.FindSession(ctx, runtime.SessionID(id))
			if err != nil || s.LastUserSeq != want || s.ConsumedSeq != want || s.Run != 0 || s.RunEnded {
				t.Errorf("session %s after 0002: %+v, %v; want last_user_seq = consumed_seq = %d", id, s, err, want)
			}
		}
		if p, err := db.PendingDialogs(ctx); err != nil || len(p) != 0 {
			t.Errorf("PendingDialogs after the upgrade = %v, %v; want none", p, err)
		}
	})
}

// TestDialogWriteInChunks: a dialog write with more journal entries and
// messages than one INSERT takes (rowsPerInsert) stores all of them, in
// order, with gapless seqs, in statements of a few sizes only.
func TestDialogWriteInChunks(t *testing.T) {
	runBackends(t, func(t *testing.T, b testBackend) {
		db := b.open(t)
		ctx := context.Background()
		sid := mustSession(t, db)
		const entries, messages = 2*rowsPerInsert + 37, rowsPerInsert + 5
		w := &runtime.DialogWrite{SessionID: sid, Run: &runtime.RunState{Run: 1, Version: "v"}}
		for i := range entries {
			w.Entries = append(w.Entries, runtime.JournalEntry{Run: 1, Index: int64(i + 1), Kind: runtime.EntryTalk, Value: fmt.Sprint(i)})
		}
		for i := range messages {
			w.Messages = append(w.Messages, &runtime.Message{Sender: runtime.SenderBot, Content: fmt.Sprint("m", i)})
		}
		if err := db.CommitDialog(ctx, w); err != nil {
			t.Fatal(err)
		}
		j, err := db.Journal(ctx, sid, 1)
		if err != nil || len(j) != entries {
			t.Fatalf("journal: %d entries, %v; want %d", len(j), err, entries)
		}
		for i, e := range j {
			if e.Index != int64(i+1) || e.Value != fmt.Sprint(i) {
				t.Fatalf("entry %d: %+v", i, e)
			}
		}
		msgs, err := db.FindMessages(ctx, runtime.MessageFilter{SessionID: sid, Limit: 1000})
		if err != nil || len(msgs) != messages {
			t.Fatalf("%d messages, %v; want %d", len(msgs), err, messages)
		}
		for i, m := range msgs {
			if m.Seq != int64(i+1) || m.Content != fmt.Sprint("m", i) || w.Messages[i].Seq != m.Seq || w.Messages[i].ID != m.ID {
				t.Fatalf("message %d: stored %+v, returned %+v", i, m, w.Messages[i])
			}
		}
	})
}
