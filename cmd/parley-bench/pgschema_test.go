package main

import (
	"context"
	"database/sql"
	"net/url"
	"testing"

	"parley/schema/schematest"
)

// TestFreshSchema: a run on PostgreSQL gets a schema of its own, named by
// the URL it is given, and drop removes it with what it holds.
func TestFreshSchema(t *testing.T) {
	base := schematest.Require(t)
	ctx := context.Background()
	dbURL, drop, err := freshSchema(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	name := u.Query().Get("search_path")
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var where string
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (x int)`); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `SELECT table_schema FROM information_schema.tables WHERE table_name = 't' AND table_schema = current_schema()`).Scan(&where); err != nil || where != name || name == "" {
		t.Fatalf("the table went to schema %q (%v); want the run's, %q", where, err, name)
	}
	if err := drop(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.schemata WHERE schema_name = $1`, name).Scan(&n); err != nil || n != 0 {
		t.Fatalf("schema %s still there after drop (%d, %v)", name, n, err)
	}
}
