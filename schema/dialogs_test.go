package schema

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"parley/runtime"
)

// TestPendingDialogsPlan: PendingDialogs reads the partial indexes and
// probes the journal by key; it never walks all sessions or the journal.
func TestPendingDialogsPlan(t *testing.T) {
	db := openTest(t)
	var plan []struct {
		ID, Parent, NotUsed int
		Detail              string
	}
	if err := db.read.Select(&plan, `EXPLAIN QUERY PLAN `+pendingQuery); err != nil {
		t.Fatal(err)
	}
	var used []string
	for _, p := range plan {
		d := p.Detail
		if strings.HasPrefix(d, "SCAN") || strings.HasPrefix(d, "SEARCH") {
			used = append(used, d)
		}
		if strings.HasPrefix(d, "SCAN") && !strings.Contains(d, "USING INDEX sessions_") ||
			strings.HasPrefix(d, "SEARCH j") && !strings.Contains(d, "(session_id=? AND run=?)") {
			t.Errorf("PendingDialogs plan: %q", d)
		}
	}
	for _, index := range []string{"sessions_unconsumed", "sessions_wake", "sessions_open_run"} {
		if !strings.Contains(strings.Join(used, "\n"), index) {
			t.Errorf("PendingDialogs does not use %s; plan:\n%s", index, strings.Join(used, "\n"))
		}
	}
}

// TestMigrateDurableDialogs: sessions from before 0002 count their user
// messages as taken, so the upgrade does not replay old conversations.
func TestMigrateDurableDialogs(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, Config{DSN: filepath.Join(t.TempDir(), "parley.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	list, err := loadMigrations("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.Exec(createMigrationsTable); err != nil {
		t.Fatal(err)
	}
	if err := db.inTx(ctx, func(tx *sqlx.Tx) error { return db.applyTx(ctx, tx, list[0]) }); err != nil {
		t.Fatal(err)
	}
	const at = "2024-01-02T03:04:05.000000Z"
	_, err = db.write.Exec(`INSERT INTO sessions (id, bot_id, user_id, created_at, last_activity, last_seq)
		VALUES ('old', 'b', 'u', ?1, ?1, 3), ('empty', 'b', 'u', ?1, ?1, 0);
		INSERT INTO message_history (id, session_id, seq, sender, content, created_at) VALUES
		('m1', 'old', 1, 'user', 'hi', ?1), ('m2', 'old', 2, 'user', 'there', ?1), ('m3', 'old', 3, 'bot', 'hello', ?1)`, at)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[runtime.SessionID]int64{"old": 2, "empty": 0} {
		s, err := db.FindSession(ctx, id)
		if err != nil || s.LastUserSeq != want || s.ConsumedSeq != want || s.Run != 0 || s.RunEnded {
			t.Errorf("session %s after 0002: %+v, %v; want last_user_seq = consumed_seq = %d", id, s, err, want)
		}
	}
	if p, err := db.PendingDialogs(ctx); err != nil || len(p) != 0 {
		t.Errorf("PendingDialogs after the upgrade = %v, %v; want none", p, err)
	}
}
