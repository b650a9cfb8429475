package schema_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/runtime"
	"parley/schema"
	"parley/schema/schematest"
)

func TestOpenErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  schema.Config
		want string
	}{
		{schema.Config{Driver: "postgres", DSN: "postgres://x:port/"}, "postgres DSN"},
		{schema.Config{Driver: "postgres", DSN: "postgres://127.0.0.1:1/x?sslmode=disable&connect_timeout=5"}, "connect to postgres"},
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
	run(t, func(t *testing.T, b backend) {
		db := b.open(t)
		for range 2 {
			if err := db.Migrate(context.Background()); err != nil {
				t.Fatalf("Migrate again: %v", err)
			}
		}
		s := &runtime.Session{BotID: "b", UserID: "u"}
		if err := db.CreateSession(context.Background(), s); err != nil {
			t.Fatalf("store unusable after migrating three times: %v", err)
		}
	})
}

// TestMigrateConcurrently: processes starting at once on a new database
// all migrate it, and each migration is applied once.
func TestMigrateConcurrently(t *testing.T) {
	run(t, func(t *testing.T, b backend) {
		cfg := b.config(t)
		const n = 4
		dbs := make([]*schema.DB, n)
		for i := range dbs {
			db, err := schema.Open(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			dbs[i] = db
		}
		var wg sync.WaitGroup
		for _, db := range dbs {
			wg.Go(func() {
				if err := db.Migrate(context.Background()); err != nil {
					t.Errorf("concurrent Migrate: %v", err)
				}
			})
		}
		wg.Wait()
		s := &runtime.Session{BotID: "b", UserID: "u"}
		if err := dbs[0].CreateSession(context.Background(), s); err != nil {
			t.Fatalf("store unusable after concurrent migrations: %v", err)
		}
	})
}

// TestReopen: what was acknowledged is there after Close and Open, and
// seqs continue where they stopped.
func TestReopen(t *testing.T) {
	run(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		cfg := b.config(t)
		db := mustOpen(t, cfg)
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

		db = mustOpen(t, cfg)
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
	})
}

func TestInvalidJSON(t *testing.T) {
	run(t, func(t *testing.T, b backend) {
		db := b.open(t)
		s := &runtime.Session{BotID: "b", UserID: "u", Metadata: json.RawMessage(`{nope`)}
		err := db.CreateSession(context.Background(), s)
		if !runtime.IsKind(err, runtime.KindInvalid) {
			t.Errorf("CreateSession with bad metadata: %v; want %s", err, runtime.KindInvalid)
		}
	})
}

// TestClosed: a closed store says unavailable, not internal error.
func TestClosed(t *testing.T) {
	run(t, func(t *testing.T, b backend) {
		db := mustOpen(t, b.config(t))
		db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := db.Ping(ctx); !runtime.IsKind(err, runtime.KindUnavailable) {
			t.Errorf("Ping after Close: %v; want %s", err, runtime.KindUnavailable)
		}
		s := &runtime.Session{BotID: "b", UserID: "u"}
		if err := db.CreateSession(ctx, s); !runtime.IsKind(err, runtime.KindUnavailable) {
			t.Errorf("CreateSession after Close: %v; want %s", err, runtime.KindUnavailable)
		}
	})
}

// TestMalformedIDs: an id that is not a UUID names nothing, on every
// backend: lookups say not found (or find nothing), never internal error,
// even where ids are UUID columns that refuse such text. So does a UUID
// in another spelling than the store's, which PostgreSQL would accept.
func TestMalformedIDs(t *testing.T) {
	run(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db := b.open(t)
		s := &runtime.Session{BotID: "b", UserID: "u"}
		if err := db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		m := &runtime.Message{SessionID: s.ID, Sender: runtime.SenderUser, Content: "hi"}
		if _, err := db.AppendMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"nope", "", "'; DROP TABLE sessions; --", strings.ToUpper(string(s.ID)), "{" + string(s.ID) + "}"} {
			sid := runtime.SessionID(id)
			_, err := db.FindSession(ctx, sid)
			wantKind(t, err, runtime.KindNotFound, "FindSession(%q)", id)
			_, err = db.UpdateSession(ctx, sid, runtime.SessionUpdate{Status: new(string)})
			wantKind(t, err, runtime.KindNotFound, "UpdateSession(%q)", id)
			_, err = db.AppendMessage(ctx, &runtime.Message{SessionID: sid, Sender: runtime.SenderUser, Content: "x"})
			wantKind(t, err, runtime.KindNotFound, "AppendMessage(%q)", id)
			err = db.CommitDialog(ctx, &runtime.DialogWrite{SessionID: sid, ConsumedSeq: 1})
			wantKind(t, err, runtime.KindNotFound, "CommitDialog(%q)", id)
			_, err = db.FindMessage(ctx, strings.ReplaceAll(id, string(s.ID), m.ID))
			wantKind(t, err, runtime.KindNotFound, "FindMessage(%q)", id)
			if list, err := db.FindMessages(ctx, runtime.MessageFilter{SessionID: sid}); err != nil || len(list) != 0 {
				t.Errorf("FindMessages(%q) = %d messages, %v; want none", id, len(list), err)
			}
			if list, err := db.Journal(ctx, sid, 1); err != nil || len(list) != 0 {
				t.Errorf("Journal(%q) = %d entries, %v; want none", id, len(list), err)
			}
		}
		if s, err := db.FindSession(ctx, s.ID); err != nil || s.LastSeq != 1 {
			t.Errorf("the real session after all that: %+v, %v", s, err)
		}
	})
}

// TestNotStorable: what SQLite keeps but PostgreSQL refuses (a NUL byte
// in text, \u0000 in JSONB) is an invalid request there, not an internal
// error, and leaves no gap in the seqs.
func TestNotStorable(t *testing.T) {
	run(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db := b.open(t)
		s := &runtime.Session{BotID: "b", UserID: "u"}
		if err := db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		m := &runtime.Message{SessionID: s.ID, Sender: runtime.SenderUser, Content: "a\x00b"}
		_, err := db.AppendMessage(ctx, m)
		if err != nil && !runtime.IsKind(err, runtime.KindInvalid) {
			t.Errorf("AppendMessage with a NUL byte: %v; want success or %s", err, runtime.KindInvalid)
		}
		if b.name == "postgres" && err == nil {
			t.Error("PostgreSQL stored a NUL byte in text")
		}
		next := &runtime.Message{SessionID: s.ID, Sender: runtime.SenderUser, Content: "fine"}
		if _, err := db.AppendMessage(ctx, next); err != nil {
			t.Fatalf("append after the refused one: %v", err)
		}
		if err == nil && next.Seq != 2 || err != nil && next.Seq != 1 {
			t.Errorf("next seq %d after a %v append; want no gap", next.Seq, err)
		}
		meta := &runtime.Message{SessionID: s.ID, Sender: runtime.SenderUser, Content: "x",
			Metadata: json.RawMessage(`{"a":"\u0000"}`)}
		_, err = db.AppendMessage(ctx, meta)
		if err != nil && !runtime.IsKind(err, runtime.KindInvalid) || b.name == "postgres" && err == nil {
			t.Errorf("AppendMessage with \\u0000 in its metadata: %v; want success, or %s on PostgreSQL", err, runtime.KindInvalid)
		}
	})
}

// TestStoresShareDatabase: two stores on one database, as two processes
// would be, appending to the same conversations at once. Seqs stay
// gapless and unique, and a client id sent through both is stored once,
// with neither caller told of an error: nothing relies on a lock held in
// one process.
func TestStoresShareDatabase(t *testing.T) {
	run(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		cfg := b.config(t)
		dbs := []*schema.DB{mustOpen(t, cfg), mustOpen(t, cfg)}
		for _, db := range dbs {
			defer db.Close()
		}
		s := &runtime.Session{BotID: "b", UserID: "u"}
		if err := dbs[0].CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		const writers, each = 8, 25
		var wg sync.WaitGroup
		var mu sync.Mutex
		seqs := map[int64]string{}
		for w := range writers {
			db := dbs[w%2]
			wg.Go(func() {
				for i := range each {
					// Writers w and w+1 share their client ids, and
					// use different stores.
					m := &runtime.Message{SessionID: s.ID, Sender: runtime.SenderUser,
						Content: fmt.Sprint("m", w/2, "-", i), ClientID: fmt.Sprint("c", w/2, "-", i)}
					if _, err := db.AppendMessage(ctx, m); err != nil {
						t.Errorf("writer %d: %v", w, err)
						return
					}
					mu.Lock()
					if prev, ok := seqs[m.Seq]; ok && prev != m.ClientID {
						t.Errorf("seq %d given to %s and %s", m.Seq, prev, m.ClientID)
					}
					seqs[m.Seq] = m.ClientID
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		msgs, err := dbs[1].FindMessages(ctx, runtime.MessageFilter{SessionID: s.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != writers/2*each {
			t.Errorf("%d messages stored; want %d, one per client id", len(msgs), writers/2*each)
		}
		for i, m := range msgs {
			if m.Seq != int64(i+1) {
				t.Fatalf("message %d has seq %d: not gapless", i, m.Seq)
			}
		}
	})
}

func wantKind(t *testing.T, err error, k runtime.Kind, format string, args ...any) {
	t.Helper()
	if !runtime.IsKind(err, k) {
		t.Errorf("%s: %v; want %s", fmt.Sprintf(format, args...), err, k)
	}
}

// TestPostgresReconnect: connections the server dropped while they were
// idle (a restart, an administrator) are replaced without a request
// failing, and the store carries on.
func TestPostgresReconnect(t *testing.T) {
	base := schematest.Require(t)
	ctx := context.Background()
	u, err := url.Parse(schematest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprint("parley_reconnect_", time.Now().UnixNano())
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	db := mustOpen(t, schema.Config{Driver: "postgres", DSN: u.String()})
	defer db.Close()
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()

	s := &runtime.Session{BotID: "b", UserID: "u"}
	if err := db.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	appendOne := func() error {
		m := &runtime.Message{SessionID: s.ID, Sender: runtime.SenderUser, Content: "hi"}
		_, err := db.AppendMessage(ctx, m)
		if err == nil {
			seqs = append(seqs, m.Seq)
		}
		return err
	}
	if err := appendOne(); err != nil {
		t.Fatal(err)
	}
	var killed int
	err = admin.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, name).Scan(&killed)
	if err != nil || killed < 2 {
		t.Fatalf("terminated %d connections, %v; want the pool's and the committer's", killed, err)
	}
	for range 3 {
		if err := appendOne(); err != nil {
			t.Errorf("append after the connections were dropped: %v", err)
		}
		if _, err := db.FindSession(ctx, s.ID); err != nil {
			t.Errorf("read after the connections were dropped: %v", err)
		}
	}
	for i, seq := range seqs {
		if seq != int64(i+1) {
			t.Errorf("seqs %v: not gapless", seqs)
			break
		}
	}
	if err := db.Ping(ctx); err != nil {
		t.Errorf("Ping after reconnecting: %v", err)
	}
}
