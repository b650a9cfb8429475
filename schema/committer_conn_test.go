package schema

import (
	"context"
	"testing"
	"time"

	"parley/schema/schematest"
)

// TestCommitterPreparesAgain: on PostgreSQL the committer's connection
// runs a query with arguments unprepared once, then as a statement
// prepared for it, which it prepares again (a new plan for the tables as
// they are now) once it is twice as old as the last time, and no more
// often than that; the statement it replaces is freed on the server.
func TestCommitterPreparesAgain(t *testing.T) {
	schematest.Require(t)
	db := testBackends[1].open(t)
	ctx := context.Background()
	conn, err := db.commit.pool.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bc := newBatchConn(conn, true)
	defer func() {
		for _, ps := range bc.stmts {
			ps.st.Close()
		}
		conn.Close()
	}()
	const q = `SELECT count(*) FROM sessions WHERE id = $1`
	run := func() {
		t.Helper()
		var n int
		if err := bc.QueryRowxContext(ctx, q, "00000000-0000-0000-0000-000000000000").Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	prepared := func() int {
		t.Helper()
		var n int
		if err := conn.QueryRowxContext(ctx, `SELECT count(*) FROM pg_prepared_statements`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	run()
	if bc.stmts[q] != nil {
		t.Fatal("prepared at its first run; want it run unprepared first")
	}
	run()
	first := bc.stmts[q]
	if first == nil || first.age != replanFirst || prepared() != 1 {
		t.Fatalf("after the second run: %+v, %d prepared on the server; want one, to be prepared again after %v", first, prepared(), replanFirst)
	}
	run()
	if bc.stmts[q] != first {
		t.Fatal("prepared again before its time")
	}
	first.replan = time.Now().Add(-time.Millisecond) // its time has come
	run()
	again := bc.stmts[q]
	if again == first || again.st == first.st || again.age != 2*replanFirst {
		t.Fatalf("after its time: %+v (was %+v); want a new statement, prepared again after %v", again, first, 2*replanFirst)
	}
	if n := prepared(); n != 1 {
		t.Errorf("%d statements prepared on the server; want 1: the old one freed", n)
	}
	again.age = replanEvery
	again.replan = time.Now().Add(-time.Millisecond)
	run()
	if got := bc.stmts[q].age; got != replanEvery {
		t.Errorf("age after %v: %v; want at most %v", replanEvery, got, replanEvery)
	}
}
