package schema

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	goruntime "runtime"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"parley/runtime"
)

// TestPragmas: every connection of each pool has the settings durability
// and integrity rely on, not only the first one.
func TestPragmas(t *testing.T) {
	db := openTest(t)
	want := map[*sqlx.DB]map[string]string{
		db.write: {"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": busyTimeoutMS, "query_only": "0",
			"temp_store": "2", "wal_autocheckpoint": "10000"},
		db.read: {"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": busyTimeoutMS, "query_only": "1"},
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
	runBackends(t, func(t *testing.T, b testBackend) {
		db := b.open(t)
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		var versions []int
		if err := db.read.Select(&versions, `SELECT version FROM schema_migrations ORDER BY version`); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(versions) != "[1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17]" {
			t.Errorf("schema_migrations = %v; want [1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17], each once", versions)
		}
	})
}

func TestSyncBots(t *testing.T) {
	runBackends(t, func(t *testing.T, b testBackend) {
		db := b.open(t)
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
	})
}

func TestUpsertUser(t *testing.T) {
	runBackends(t, func(t *testing.T, b testBackend) {
		db := b.open(t)
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
	})
}

// TestErrorKinds: the driver's errors reach callers as runtime Kinds, with
// a message that names the thing and not the SQL.
func TestErrorKinds(t *testing.T) {
	runBackends(t, func(t *testing.T, b testBackend) {
		db := b.open(t)
		ctx := context.Background()
		_, err := db.write.Exec(db.write.Rebind(`INSERT INTO message_history (id, session_id, seq, sender, content, created_at)
			VALUES (?, ?, 1, 'user', 'x', ?)`), uuid.NewString(), uuid.NewString(), dbTime(time.Now()))
		if k := db.dialect.kind(err); k != runtime.KindNotFound {
			t.Errorf("foreign key failure: kind %s (%v); want not_found", k, err)
		}
		s := &runtime.Session{BotID: "b", UserID: "u"}
		if err := db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		err = db.CreateSession(ctx, s)
		if !runtime.IsKind(err, runtime.KindConflict) || runtime.ErrorMessage(err) != "conversation already exists" {
			t.Errorf("duplicate session: %v", err)
		}
		if k := db.dialect.kind(errors.New("something else")); k != runtime.KindInternal {
			t.Errorf("foreign error: kind %s; want internal", k)
		}
	})
}

// TestPostgresKind: PostgreSQL's error codes and lost connections, which
// a test database does not produce on demand.
func TestPostgresKind(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want runtime.Kind
	}{
		{&pq.Error{Code: "23505"}, runtime.KindConflict},
		{&pq.Error{Code: "23503"}, runtime.KindNotFound},
		{&pq.Error{Code: "22P02"}, runtime.KindNotFound},
		{&pq.Error{Code: "22021"}, runtime.KindInvalid},
		{&pq.Error{Code: "22P05"}, runtime.KindInvalid},
		{&pq.Error{Code: "54000"}, runtime.KindInvalid},
		{&pq.Error{Code: "40P01"}, runtime.KindUnavailable},
		{&pq.Error{Code: "40001"}, runtime.KindUnavailable},
		{&pq.Error{Code: "08006"}, runtime.KindUnavailable},
		{&pq.Error{Code: "57P01"}, runtime.KindUnavailable},
		{&pq.Error{Code: "57P03"}, runtime.KindUnavailable},
		{&pq.Error{Code: "53300"}, runtime.KindUnavailable},
		{&pq.Error{Code: "42P01"}, runtime.KindInternal},
		{fmt.Errorf("exec: %w", &pq.Error{Code: "23505"}), runtime.KindConflict},
		{driver.ErrBadConn, runtime.KindUnavailable},
		{io.ErrUnexpectedEOF, runtime.KindUnavailable},
		{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, runtime.KindUnavailable},
		{sql.ErrNoRows, runtime.KindNotFound},
		{context.DeadlineExceeded, runtime.KindUnavailable},
		{errors.New("something else"), runtime.KindInternal},
	} {
		if got := postgresKind(tc.err); got != tc.want {
			t.Errorf("postgresKind(%v) = %s; want %s", tc.err, got, tc.want)
		}
	}
}

// TestPoolSizes: Config's pool sizes reach the pools, and 0 means the
// dialect's default; the committer keeps one connection of its own.
func TestPoolSizes(t *testing.T) {
	runBackends(t, func(t *testing.T, b testBackend) {
		def := max(4, goruntime.NumCPU())
		if b.name == "postgres" {
			def = defaultPostgresConns
		}
		for _, tc := range []struct{ open, want int }{{0, def}, {3, 3}} {
			cfg := b.config(t)
			cfg.MaxOpenConns = tc.open
			db := openConfig(t, cfg)
			if got := db.read.Stats().MaxOpenConnections; got != tc.want {
				t.Errorf("MaxOpenConns %d: pool of %d; want %d", tc.open, got, tc.want)
			}
			if got := db.commit.pool.Stats().MaxOpenConnections; got != 1 {
				t.Errorf("the committer's pool has %d connections; want 1", got)
			}
		}
	})
	for _, tc := range []struct{ open, idle, wantOpen, wantIdle int }{
		{0, 0, 10, 10}, {5, 0, 5, 5}, {5, 2, 5, 2}, {5, 9, 5, 5}, {-1, -1, 10, 10},
	} {
		open, idle := Config{MaxOpenConns: tc.open, MaxIdleConns: tc.idle}.poolSizes(10)
		if open != tc.wantOpen || idle != tc.wantIdle {
			t.Errorf("poolSizes(%d, %d) = %d, %d; want %d, %d", tc.open, tc.idle, open, idle, tc.wantOpen, tc.wantIdle)
		}
	}
}

// TestHistogram: observations land in the first bucket that holds them,
// and counts are cumulative, as Prometheus wants.
func TestHistogram(t *testing.T) {
	var h histogram
	for _, d := range []time.Duration{50 * time.Microsecond, 100 * time.Microsecond, 3 * time.Millisecond, time.Hour} {
		h.observe(d)
	}
	s := h.snapshot()
	want := map[float64]uint64{0.0001: 2, 0.00025: 2, 0.0025: 2, 0.005: 3, 2.5: 3}
	for i, b := range s.Bounds {
		if w, ok := want[b]; ok && s.Counts[i] != w {
			t.Errorf("le=%v: %d, want %d", b, s.Counts[i], w)
		}
	}
	if s.Count != 4 || s.Sum < 3600 || s.Sum > 3600.01 {
		t.Errorf("count %d sum %v; want 4 and just over 3600", s.Count, s.Sum)
	}
}
