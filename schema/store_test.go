package schema_test

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"parley/runtime"
	"parley/runtime/runtimetest"
	"parley/schema"
)

// backend opens a fresh, migrated database for one test.
type backend struct {
	name string
	env  string // when set, the backend runs only if this variable is set
	open func(t testing.TB) *schema.DB
}

// backends lists the set-ups every test runs on. PostgreSQL (issue 6)
// joins with its driver: {"postgres", "PARLEY_TEST_DATABASE_URL", open…},
// skipped without the variable and never skipped in CI.
var backends = []backend{
	{"sqlite", "", func(t testing.TB) *schema.DB { return openSQLite(t, filepath.Join(t.TempDir(), "parley.db")) }},
}

// run runs f once per backend, as a subtest (net/http's clientserver_test
// shape).
func run(t *testing.T, f func(t *testing.T, open func(t testing.TB) *schema.DB)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			if b.env != "" && os.Getenv(b.env) == "" {
				t.Skip(b.env + " not set")
			}
			f(t, b.open)
		})
	}
}

func TestStore(t *testing.T) {
	run(t, func(t *testing.T, open func(t testing.TB) *schema.DB) {
		runtimetest.StoreSuite(t, func(t *testing.T) runtime.Store { return open(t) })
	})
}

// openSQLite opens and migrates the database at path, closed at cleanup.
func openSQLite(t testing.TB, path string) *schema.DB {
	t.Helper()
	db := mustOpen(t, schema.Config{Driver: "sqlite", DSN: path, Now: tickingClock()})
	t.Cleanup(func() { db.Close() })
	return db
}

func mustOpen(t testing.TB, cfg schema.Config) *schema.DB {
	t.Helper()
	ctx := context.Background()
	db, err := schema.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		t.Fatalf("Migrate: %v", err)
	}
	return db
}

// tickingClock moves one millisecond per call from now on, so stored times
// are distinct (the suite's time filters need that) and still realistic.
func tickingClock() func() time.Time {
	var n atomic.Int64
	base := time.Now()
	return func() time.Time { return base.Add(time.Duration(n.Add(1)) * time.Millisecond) }
}
