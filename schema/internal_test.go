package schema

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/jmoiron/sqlx"

	"parley/runtime"
)

func openTest(t testing.TB) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, Config{DSN: filepath.Join(t.TempDir(), "parley.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestPragmas: every connection of each pool has the settings durability
// and integrity rely on, not only the first one.
func TestPragmas(t *testing.T) {
	db := openTest(t)
	want := map[*sqlx.DB]map[string]string{
		db.write: {"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": busyTimeoutMS, "query_only": "0"},
		db.read:  {"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": busyTimeoutMS, "query_only": "1"},
	}
	for pool, pragmas := range want {
		// Hold several connections at once so the pool must open new ones.
		var conns []*sqlx.Conn
		for range pool.Stats().MaxOpenConnections {
			c, err := pool.Connx(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			conns = append(conns, c)
		}
		for i, c := range conns {
			for name, w := range pragmas {
				var got string
				if err := c.GetContext(context.Background(), &got, "PRAGMA "+name); err != nil || got != w {
					t.Errorf("conn %d: PRAGMA %s = %q, %v; want %q", i, name, got, err, w)
				}
			}
		}
	}
}

func TestReadPoolRefusesWrites(t *testing.T) {
	db := openTest(t)
	_, err := db.read.Exec(`INSERT INTO users (id, name, role, created_at, updated_at) VALUES ('x', '', 'user', 'a', 'a')`)
	if err == nil {
		t.Fatal("the read pool accepted a write")
	}
}

func TestMigrationsRecorded(t *testing.T) {
	db := openTest(t)
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	var versions []int
	if err := db.read.Select(&versions, `SELECT version FROM schema_migrations ORDER BY version`); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(versions) != "[1 2]" {
		t.Errorf("schema_migrations = %v; want [1 2], each once", versions)
	}
}

func TestSyncBots(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	sync := func(bots ...*runtime.Bot) {
		t.Helper()
		if err := db.SyncBots(ctx, bots); err != nil {
			t.Fatal(err)
		}
	}
	sync(&runtime.Bot{ID: "a", Name: "A", Default: true}, &runtime.Bot{ID: "b", Name: "B"})
	sync(&runtime.Bot{ID: "b", Name: "B2", Description: "d", Default: true}) // a is gone
	var rows []struct {
		ID, Name, Description string
		IsDefault             bool `db:"is_default"`
	}
	if err := db.read.Select(&rows, `SELECT id, name, description, is_default FROM bots ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(rows); got != "[{a A  false} {b B2 d true}]" {
		t.Errorf("bots = %s; want a kept without default, b renamed and default", got)
	}
}

func TestUpsertUser(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	for _, name := range []string{"Ann", "Anna"} {
		if err := db.UpsertUser(ctx, runtime.Identity{UserID: "u1", Name: name, Role: runtime.RoleAgent}); err != nil {
			t.Fatal(err)
		}
	}
	var got string
	if err := db.read.Get(&got, `SELECT name || '/' || role FROM users WHERE id = 'u1'`); err != nil || got != "Anna/agent" {
		t.Errorf("user = %q, %v; want Anna/agent", got, err)
	}
	if err := db.UpsertUser(ctx, runtime.Identity{}); !runtime.IsKind(err, runtime.KindInvalid) {
		t.Errorf("UpsertUser(no id) = %v; want %s", err, runtime.KindInvalid)
	}
}

// TestErrorKinds: the driver's errors reach callers as runtime Kinds, with
// a message that names the thing and not the SQL.
func TestErrorKinds(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	_, err := db.write.Exec(`INSERT INTO message_history (id, session_id, seq, sender, content, created_at)
		VALUES ('m', 'no-such-session', 1, 'user', 'x', 'now')`)
	if k := sqliteKind(err); k != runtime.KindNotFound {
		t.Errorf("foreign key failure: kind %s (%v); want not_found", k, err)
	}
	s := &runtime.Session{BotID: "b", UserID: "u"}
	if err := db.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	err = db.CreateSession(ctx, s)
	if !runtime.IsKind(err, runtime.KindConflict) || runtime.ErrorMessage(err) != "session already exists" {
		t.Errorf("duplicate session: %v", err)
	}
	if k := sqliteKind(errors.New("something else")); k != runtime.KindInternal {
		t.Errorf("foreign error: kind %s; want internal", k)
	}
}
