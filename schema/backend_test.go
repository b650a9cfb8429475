package schema

import (
	"context"
	"path/filepath"
	"testing"

	"parley/schema/schematest"
)

// testBackend is a database the tests inside the package run on: the
// same set-ups as backends in store_test.go (the tests outside it).
type testBackend struct {
	name string
	// config returns the Config of a new, empty database for t; for
	// PostgreSQL, a schema of its own.
	config func(t testing.TB) Config
}

var testBackends = []testBackend{
	{"sqlite", func(t testing.TB) Config {
		return Config{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "parley.db")}
	}},
	{"postgres", func(t testing.TB) Config {
		return Config{Driver: "postgres", DSN: schematest.URL(t)}
	}},
}

// runBackends runs f once per backend, as a subtest. PostgreSQL is
// skipped without PARLEY_TEST_DATABASE_URL, except in CI (schematest).
func runBackends(t *testing.T, f func(t *testing.T, b testBackend)) {
	for _, b := range testBackends {
		t.Run(b.name, func(t *testing.T) {
			if b.name == "postgres" {
				schematest.Require(t)
			}
			f(t, b)
		})
	}
}

// open opens and migrates a new database, closed at cleanup.
func (b testBackend) open(t testing.TB) *DB {
	t.Helper()
	return openConfig(t, b.config(t))
}

// openTest opens and migrates a new SQLite database, closed at cleanup,
// for the tests of what only SQLite has.
func openTest(t testing.TB) *DB {
	t.Helper()
	return testBackends[0].open(t)
}

func openConfig(t testing.TB, cfg Config) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}
