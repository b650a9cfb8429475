package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// TestMigrationFromVersion12: a database made by the version before
// message rows carried journal entries (migration 0013), with dialogs
// parked mid-run, is migrated on start and its dialogs go on where they
// were. The database is made by this version, then turned into what
// version 12 writes: the entries its messages carry moved into
// dialog_journal rows (where version 12 kept every HEAR and TALK), and
// 0013's columns dropped; the same SQL on both databases.
func TestMigrationFromVersion12(t *testing.T) {
	c := testConfig(t)
	s := mustStart(t, c)
	tok := tokenFor(t, "mig")
	durable, hello := mustDial(t, s, "bot_id=durable", tok)
	start := durable.expectMessage("bot", "start …")
	durable.say("42", "m1")
	durable.expectMessage("user", "42")
	durable.expectMessage("bot", "pick a color") // parked in MENU's HEAR
	echo, echoHello := mustDial(t, s, "bot_id=echo", tok)
	echo.say("one", "m2")
	echo.expectMessage("user", "one")
	echo.expectMessage("bot", "one") // parked in HEAR
	// Every dialog has parked before the server stops: its park is
	// committed (PendingDialogs lists none).
	waitUntil(t, func() bool {
		p, err := s.store.PendingDialogs(context.Background())
		return err == nil && len(p) == 0
	})
	s.Close()

	driver, dsn := "sqlite", filepath.Join(c.Data, "parley.db")
	if c.DatabaseURL != "" {
		driver, dsn = "postgres", c.DatabaseURL
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	var carried int
	if err := db.QueryRow(`SELECT count(*) FROM message_history WHERE run IS NOT NULL`).Scan(&carried); err != nil || carried == 0 {
		t.Fatalf("%d messages carry an entry (%v): nothing to move back", carried, err)
	}
	for _, q := range []string{
		`INSERT INTO dialog_journal (session_id, run, idx, kind, value, found, seq)
		 SELECT session_id, run, idx, CASE WHEN sender = 'user' THEN 'hear' ELSE 'talk' END, COALESCE(entry, content), FALSE,
		        CASE WHEN sender = 'user' THEN seq ELSE 0 END
		 FROM message_history WHERE run IS NOT NULL`,
		`ALTER TABLE message_history DROP COLUMN run`,
		`ALTER TABLE message_history DROP COLUMN idx`,
		`ALTER TABLE message_history DROP COLUMN entry`,
		`ALTER TABLE sessions DROP COLUMN run_base`,
		// 0016's index reads parked: undone too, and run again after 13.
		`DROP INDEX sessions_busy_run`,
		`CREATE INDEX sessions_open_run ON sessions (id) WHERE run_ended = FALSE`,
		`ALTER TABLE sessions DROP COLUMN parked`,
		`DELETE FROM schema_migrations WHERE version IN (13, 16)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	s2 := mustStart(t, c)
	durable, _ = mustDial(t, s2, "session_id="+hello.SessionID, tok)
	durable.say("green", "m3")
	durable.expectMessage("user", "green")
	durable.expectMessage("bot", "saved 42 green")
	durable.say("hi", "m4")
	durable.expectMessage("user", "hi")
	done := durable.expectMessage("bot", "done hi 42 green …")
	if want := "done hi 42 green " + start.Content[len("start "):]; done.Content[:len(want)] != want {
		t.Fatalf("after the migration the dialog said %q, want %q…: its NOW and RANDOM came from the old journal", done.Content, want)
	}
	echo, _ = mustDial(t, s2, "session_id="+echoHello.SessionID, tok)
	echo.say("two", "m5")
	echo.expectMessage("user", "two")
	echo.expectMessage("bot", "two")
}
