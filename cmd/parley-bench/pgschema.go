package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"
)

// A schema of its own for each run on PostgreSQL.
//
// A database that earlier runs have grown (and that no vacuum has
// cleaned, as where autovacuum is off) is not the empty one the next run
// should start from: its plans, its dead rows and its sizes differ from
// run to run. So each spawned server, and the floor, get a new schema in
// -database-url's database, dropped once they are done. The "postgres"
// driver is lib/pq's, registered by package schema, which this one
// imports (the dependency rule keeps lib/pq out of parley-bench).

// freshSchema creates a new schema in dbURL's database and returns dbURL
// with that schema as its search_path, and drop, which drops it.
func freshSchema(ctx context.Context, dbURL string) (string, func() error, error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "", nil, err
	}
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("parley_bench_%d", time.Now().UnixNano())
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		db.Close()
		return "", nil, fmt.Errorf("-database-url: a schema for the run: %w", err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	drop := func() error {
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err := db.ExecContext(ctx, "DROP SCHEMA "+name+" CASCADE")
		return err
	}
	return u.String(), drop, nil
}
