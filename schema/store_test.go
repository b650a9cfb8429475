package schema_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"parley/runtime"
	"parley/runtime/runtimetest"
	"parley/schema"
	"parley/schema/schematest"
)

// backend opens a fresh, migrated database for one test.
type backend struct {
	name string
	// require skips the test (or fails it in CI) when the backend is
	// not available.
	require func(t testing.TB)
	// config returns the Config of a new, empty database for t.
	config func(t testing.TB) schema.Config
}

// backends lists the set-ups every test runs on. PostgreSQL runs when
// PARLEY_TEST_DATABASE_URL is set, each test in a schema of its own; it is
// skipped otherwise, and never skipped in CI (schematest).
var backends = []backend{
	{"sqlite", func(testing.TB) {}, func(t testing.TB) schema.Config {
		return schema.Config{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "parley.db")}
	}},
	{"postgres", func(t testing.TB) { schematest.Require(t) }, func(t testing.TB) schema.Config {
		return schema.Config{Driver: "postgres", DSN: schematest.URL(t)}
	}},
}

// open opens and migrates a new database of b, with a ticking clock,
// closed at cleanup.
func (b backend) open(t testing.TB) *schema.DB {
	t.Helper()
	cfg := b.config(t)
	cfg.Now = tickingClock()
	db := mustOpen(t, cfg)
	t.Cleanup(func() { db.Close() })
	return db
}

// run runs f once per backend, as a subtest (net/http's clientserver_test
// shape).
func run(t *testing.T, f func(t *testing.T, b backend)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			b.require(t)
			f(t, b)
		})
	}
}

func TestStore(t *testing.T) {
	run(t, func(t *testing.T, b backend) {
		runtimetest.StoreSuite(t, func(t *testing.T) runtime.Store { return b.open(t) })
	})
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
