// Package schematest gives tests a PostgreSQL database of their own: a
// fresh schema in the database PARLEY_TEST_DATABASE_URL names, dropped
// when the test ends. The schema and cmd/parley tests both use it, so
// they agree on when PostgreSQL tests run: whenever the variable is set;
// skipped when it is not, except under PARLEY_CI=1, where a missing
// database fails the test instead.
package schematest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"
)

// EnvURL names the variable holding the test database's URL, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const EnvURL = "PARLEY_TEST_DATABASE_URL"

// prefix starts the name of every schema made here, followed by its
// creation time (Unix seconds) and a random part.
const prefix = "parley_test_"

// staleAfter is when a schema left behind by a test run that died is
// dropped by a later run.
const staleAfter = 6 * time.Hour

// Require skips t when PostgreSQL tests cannot run (fails it under
// PARLEY_CI=1) and returns the database URL otherwise.
func Require(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		if os.Getenv("PARLEY_CI") != "" {
			t.Fatalf("%s is not set, and PARLEY_CI forbids skipping the PostgreSQL tests", EnvURL)
		}
		t.Skipf("PostgreSQL tests skipped: %s is not set (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", EnvURL)
	}
	return base
}

// URL creates an empty schema in the test database and returns a URL
// whose connections use it (search_path), for t alone. The schema is
// dropped, with everything in it, when t and its subtests are done. It
// skips or fails t as Require does.
func URL(t testing.TB) string {
	t.Helper()
	base := Require(t)
	admin := adminDB(t, base)
	name := newName()
	if _, err := admin.Exec("CREATE SCHEMA " + pq.QuoteIdentifier(name)); err != nil {
		t.Fatalf("create test schema in %s: %v", redact(base), err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + pq.QuoteIdentifier(name) + " CASCADE"); err != nil {
			t.Errorf("drop test schema %s: %v", name, err)
		}
	})
	u, err := withSearchPath(base, name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

var (
	adminOnce sync.Once
	admin     *sql.DB
	adminErr  error
)

// adminDB is one small pool on the test database for creating and
// dropping schemas, shared by the whole test binary. The first call also
// drops the schemas of runs that died before their cleanup.
func adminDB(t testing.TB, base string) *sql.DB {
	t.Helper()
	adminOnce.Do(func() {
		db, err := sql.Open("postgres", base)
		if err == nil {
			db.SetMaxOpenConns(2)
			err = db.Ping()
		}
		if err != nil {
			adminErr = fmt.Errorf("connect to %s (%s): %w", redact(base), EnvURL, err)
			return
		}
		admin = db
		dropStale(db)
	})
	if adminErr != nil {
		t.Fatal(adminErr)
	}
	return admin
}

// dropStale drops the test schemas older than staleAfter. Errors do not
// matter: another test binary may be dropping the same ones.
func dropStale(db *sql.DB) {
	rows, err := db.Query(`SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)`, prefix)
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) != nil {
			continue
		}
		stamp, _, _ := strings.Cut(strings.TrimPrefix(name, prefix), "_")
		if sec, err := strconv.ParseInt(stamp, 10, 64); err == nil && time.Since(time.Unix(sec, 0)) > staleAfter {
			stale = append(stale, name)
		}
	}
	rows.Close()
	for _, name := range stale {
		db.Exec("DROP SCHEMA IF EXISTS " + pq.QuoteIdentifier(name) + " CASCADE")
	}
}

func newName() string {
	var b [6]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s%d_%s", prefix, time.Now().Unix(), hex.EncodeToString(b[:]))
}

// withSearchPath adds search_path=schema to a postgres:// URL or a
// key=value connection string; lib/pq sends it as a run-time parameter.
func withSearchPath(base, schema string) (string, error) {
	if !strings.HasPrefix(base, "postgres://") && !strings.HasPrefix(base, "postgresql://") {
		return base + " search_path=" + schema, nil
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("%s: %w", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// redact hides a password in a URL for messages.
func redact(base string) string {
	if u, err := url.Parse(base); err == nil && u.User != nil {
		return u.Redacted()
	}
	return EnvURL
}
