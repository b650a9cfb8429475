package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"parley/schema"
)

// floor: how close Parley's turns come to the least its database can do
// for them. In one run: N sockets in closed loop on Parley and on the bare
// echo server (as turns), then the store's floor (schema.Floor): the rows
// of a turn of N conversations (two messages, the session's seqs, and with
// the journal the dialog's two entries) written straight to the database
// from this process, N turns per transaction, with no server in the way.
// It is what the rows themselves cost one writer that commits a turn's
// rows together and does nothing per write, with the machine to itself:
// a server that stores the same rows, beside its sockets and dialogs,
// cannot expect to do better than floor / bare echo.
//
// The database is a new schema of -database-url's PostgreSQL (pgschema.go),
// or a new SQLite file with the server's settings.

func runFloor(ctx context.Context, e *env) (*report, error) {
	n := e.n(64)
	if err := e.checkFiles(2 * n); err != nil {
		return nil, err
	}
	r := e.newReport("floor", map[string]any{"n": n})
	p, err := e.turnsOn(ctx, e.parley, n, 0)
	if err != nil {
		return nil, err
	}
	b, err := e.turnsOn(ctx, e.bare, n, 0)
	if err != nil {
		return nil, err
	}
	db, closeDB, err := e.floorDB(ctx)
	if err != nil {
		return nil, err
	}
	defer closeDB()
	bare := b[0].rate()
	r.pair("turns/s", "turns/s", p[0].rate(), bare)
	for _, journal := range []bool{true, false} {
		rate, err := e.floorRate(ctx, db, n, journal)
		if err != nil {
			return nil, err
		}
		name := "store floor turns/s"
		if !journal {
			name = "store floor without journal turns/s"
		}
		r.pair(name, "turns/s", rate, bare)
	}
	return r, nil
}

// floorDB opens and migrates the floor's database.
func (e *env) floorDB(ctx context.Context) (*schema.DB, func(), error) {
	cfg := schema.Config{Driver: "postgres", DSN: e.o.DatabaseURL}
	cleanup := func() {}
	if cfg.DSN != "" {
		dbURL, drop, err := freshSchema(ctx, cfg.DSN) // pgschema.go
		if err != nil {
			return nil, nil, err
		}
		cfg.DSN, cleanup = dbURL, func() { drop() }
	}
	if cfg.DSN == "" {
		dir, err := os.MkdirTemp("", "parley-bench-floor")
		if err != nil {
			return nil, nil, err
		}
		cfg = schema.Config{Driver: "sqlite", DSN: filepath.Join(dir, "floor.db")}
		cleanup = func() { os.RemoveAll(dir) }
	}
	db, err := schema.Open(ctx, cfg)
	if err == nil {
		err = db.Migrate(ctx)
	}
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("floor: %w", err)
	}
	return db, func() { db.Close(); cleanup() }, nil
}

// floorRate writes floor batches of n conversations for -duration (or
// -turns turns) and returns the turns written per second.
func (e *env) floorRate(ctx context.Context, db *schema.DB, n int, journal bool) (float64, error) {
	f, err := db.NewFloor(ctx, n, journal)
	if err != nil {
		return 0, fmt.Errorf("floor: %w", err)
	}
	start := time.Now()
	turns := 0
	for time.Since(start) < e.o.Duration && (e.o.Turns == 0 || turns < e.o.Turns) {
		if err := f.Batch(ctx); err != nil {
			return 0, fmt.Errorf("floor: %w", err)
		}
		turns += f.Turns()
	}
	return perSecond(turns, time.Since(start)), nil
}
