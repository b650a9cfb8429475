package schema_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/runtime"
	"parley/schema"
)

func TestOpenErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  schema.Config
		want string
	}{
		{schema.Config{Driver: "postgres", DSN: "postgres://x"}, "not supported yet"},
		{schema.Config{Driver: "mysql", DSN: "x"}, "unknown driver"},
		{schema.Config{Driver: "sqlite"}, "file path"},
		{schema.Config{DSN: ":memory:"}, "plain file path"},
		{schema.Config{DSN: "file:x.db?mode=memory"}, "plain file path"},
	} {
		db, err := schema.Open(context.Background(), tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%+v) = %v; want an error saying %q", tc.cfg, err, tc.want)
		}
		if db != nil {
			db.Close()
		}
	}
}

// TestOpenCreatesDirectory: the data directory need not exist yet, and the
// empty Driver means SQLite.
func TestOpenCreatesDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "parley.db")
	db := mustOpen(t, schema.Config{DSN: path})
	defer db.Close()
	if err := db.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func TestMigrateTwice(t *testing.T) {
	db := openSQLite(t, filepath.Join(t.TempDir(), "parley.db"))
	for range 2 {
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatalf("Migrate again: %v", err)
		}
	}
	s := &runtime.Session{BotID: "b", UserID: "u"}
	if err := db.CreateSession(context.Background(), s); err != nil {
		t.Fatalf("store unusable after migrating three times: %v", err)
	}
}

// TestReopen: what was acknowledged is there after Close and Open, and
// seqs continue where they stopped.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "parley.db")
	db := mustOpen(t, schema.Config{DSN: path})
	s := &runtime.Session{BotID: "b", UserID: "u", Metadata: json.RawMessage(`{"a":1}`)}
	m := &runtime.Message{SessionID: s.ID, Sender: runtime.SenderUser, Content: "hi", ClientID: "c1"}
	scope := runtime.MemoryScope{BotID: "b", Owner: "user:u"}
	if err := db.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	m.SessionID = s.ID
	if _, err := db.AppendMessage(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := db.SetMemory(ctx, scope, "k", `"v"`); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	db = mustOpen(t, schema.Config{DSN: path})
	defer db.Close()
	got, err := db.FindMessage(ctx, m.ID)
	if err != nil || got.Content != "hi" || got.Seq != 1 || !got.CreatedAt.Equal(m.CreatedAt) {
		t.Errorf("message after reopen = %+v, %v; want %+v", got, err, m)
	}
	if v, ok, err := db.GetMemory(ctx, scope, "k"); err != nil || !ok || v != `"v"` {
		t.Errorf("memory after reopen = %q, %v, %v", v, ok, err)
	}
	next := &runtime.Message{SessionID: s.ID, Sender: runtime.SenderBot, Content: "again"}
	if _, err := db.AppendMessage(ctx, next); err != nil || next.Seq != 2 {
		t.Errorf("append after reopen: seq %d, %v; want 2", next.Seq, err)
	}
}

func TestInvalidJSON(t *testing.T) {
	db := openSQLite(t, filepath.Join(t.TempDir(), "parley.db"))
	s := &runtime.Session{BotID: "b", UserID: "u", Metadata: json.RawMessage(`{nope`)}
	err := db.CreateSession(context.Background(), s)
	if !runtime.IsKind(err, runtime.KindInvalid) {
		t.Errorf("CreateSession with bad metadata: %v; want %s", err, runtime.KindInvalid)
	}
}

// TestClosed: a closed store says unavailable, not internal error.
func TestClosed(t *testing.T) {
	db := mustOpen(t, schema.Config{DSN: filepath.Join(t.TempDir(), "parley.db")})
	db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := db.Ping(ctx); !runtime.IsKind(err, runtime.KindUnavailable) {
		t.Errorf("Ping after Close: %v; want %s", err, runtime.KindUnavailable)
	}
}
