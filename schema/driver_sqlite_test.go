package schema

import (
	"context"
	"fmt"
	"os"
	goruntime "runtime"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"modernc.org/sqlite"

	"parley/runtime"
)

// keptStmts returns the statements the connection c keeps.
func keptStmts(t *testing.T, c *sqlx.Conn) map[string]*keptStmt {
	t.Helper()
	var kept map[string]*keptStmt
	err := c.Raw(func(dc any) error {
		sc, ok := dc.(*stmtConn)
		if !ok {
			return fmt.Errorf("driver connection is %T, not a *stmtConn", dc)
		}
		kept = sc.stmts
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return kept
}

// TestStatementCache: a connection prepares a statement once and runs it
// again with other arguments; a statement still being read is not reset
// under its reader; scripts are not kept; the cache stays bounded; and a
// kept statement follows a change of the schema.
func TestStatementCache(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	c, err := db.write.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, `CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT)`); err != nil {
		t.Fatal(err)
	}
	const insert = `INSERT INTO kv (k, v) VALUES (?, ?)`
	for k := range 10 {
		if _, err := c.ExecContext(ctx, insert, k, fmt.Sprint("v", k)); err != nil {
			t.Fatal(err)
		}
	}
	kept := keptStmts(t, c)
	ks := kept[insert]
	if ks == nil {
		t.Fatalf("the insert is not kept; kept: %d statements", len(kept))
	}
	if _, err := c.ExecContext(ctx, insert, 10, "v10"); err != nil {
		t.Fatal(err)
	}
	if keptStmts(t, c)[insert] != ks {
		t.Fatal("the insert was prepared again")
	}

	// The same query inside its own loop: the inner run must not reset
	// the outer one's statement.
	const get = `SELECT k, v FROM kv WHERE k >= ? ORDER BY k`
	rows, err := c.QueryxContext(ctx, get, 0)
	if err != nil {
		t.Fatal(err)
	}
	var outer []int
	for rows.Next() {
		var k int
		var v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		outer = append(outer, k)
		if len(outer) > 11 {
			t.Fatalf("outer query read %v: it started over", outer)
		}
		var inner int
		if err := c.QueryRowxContext(ctx, get, k).Scan(&inner, &v); err != nil || inner != k || v != fmt.Sprint("v", k) {
			t.Fatalf("inner query for %d: %d %q %v", k, inner, v, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if len(outer) != 11 || outer[10] != 10 {
		t.Fatalf("outer query read %v, want 0..10", outer)
	}
	if ks := keptStmts(t, c)[get]; ks == nil || ks.busy {
		t.Fatalf("the query is not kept, or still marked busy after its rows closed: %+v", ks)
	}

	// A script is not kept (modernc prepares its statements one by one).
	const script = `SAVEPOINT s; RELEASE s`
	if _, err := c.ExecContext(ctx, script); err != nil {
		t.Fatal(err)
	}
	if keptStmts(t, c)[script] != nil {
		t.Fatal("a script was kept")
	}

	// Bounded: queries built from data do not grow the cache without end.
	for i := range 2 * maxConnStmts {
		var n int
		if err := c.QueryRowxContext(ctx, fmt.Sprintf(`SELECT count(*) + %d FROM kv WHERE k < ?`, i), 5).Scan(&n); err != nil || n != 5+i {
			t.Fatalf("query %d: %d, %v", i, n, err)
		}
	}
	if n := len(keptStmts(t, c)); n > maxConnStmts {
		t.Fatalf("%d statements kept, bound is %d", n, maxConnStmts)
	}

	// A new column: the kept statement sees the table as it is now.
	const all = `SELECT * FROM kv WHERE k = ?`
	var k int
	var v string
	if err := c.QueryRowxContext(ctx, all, 3).Scan(&k, &v); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExecContext(ctx, `ALTER TABLE kv ADD COLUMN w TEXT NOT NULL DEFAULT 'new'`); err != nil {
		t.Fatal(err)
	}
	var w string
	if err := c.QueryRowxContext(ctx, all, 3).Scan(&k, &v, &w); err != nil || w != "new" {
		t.Fatalf("after ALTER TABLE: %q, %v", w, err)
	}
}

// TestWALStaysBounded: with checkpoints outside the batches, the WAL
// still starts over under a steady stream of writes instead of growing
// with everything ever written, and the writes reach the database file.
func TestWALStaysBounded(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	var path string
	if err := db.read.GetContext(ctx, &path, `SELECT file FROM pragma_database_list WHERE name = 'main'`); err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 4000
	sessions := make([]runtime.SessionID, writers)
	for i := range sessions {
		sessions[i] = mustSession(t, db)
	}
	walMax := int64(0)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, s := range sessions {
		wg.Go(func() {
			for i := range each {
				// About a page of text per message, so that the test
				// writes many times restartFrames pages in all.
				m := userMessage(s, fmt.Sprintf("%04d %4000s", i, "x"))
				if _, err := db.AppendMessage(ctx, m); err != nil {
					t.Error(err)
					return
				}
				if i%50 == 0 {
					if fi, err := os.Stat(path + "-wal"); err == nil {
						mu.Lock()
						walMax = max(walMax, fi.Size())
						mu.Unlock()
					}
				}
			}
		})
	}
	wg.Wait()
	written := int64(writers * each * 4096) // at least: a page per message
	t.Logf("wrote about %d MiB; the WAL peaked at %d MiB", written>>20, walMax>>20)
	// Without starting over, the WAL holds everything up to the writer's
	// backstop checkpoint (writePragmas: 10,000 pages, 40 MiB), which the
	// test writes three times over; with, a few times restartFrames
	// pages: how many depends on how fast the writer is between two
	// checkpoint rounds (10 to 30 MiB on the machines seen).
	const backstop = 10000 * 4096
	if bound := int64(backstop * 9 / 10); walMax > bound || written < 3*backstop {
		t.Fatalf("the WAL reached %d bytes (bound %d) after about %d written: it does not start over before the backstop", walMax, bound, written)
	}
	db.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() < written {
		t.Fatalf("the database file holds %d bytes after %d were written", fi.Size(), written)
	}
}

// TestCheckpointWithoutCommitter: writes that do not go through the
// committer (here: new sessions) still reach the database file, by the
// checkpointer's idle round.
func TestCheckpointWithoutCommitter(t *testing.T) {
	defer func(d time.Duration) { checkpointIdle = d }(checkpointIdle)
	checkpointIdle = 50 * time.Millisecond
	db := openTest(t)
	var path string
	if err := db.read.Get(&path, `SELECT file FROM pragma_database_list WHERE name = 'main'`); err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	for range 300 {
		mustSession(t, db)
	}
	waitFor(t, "the sessions in the database file", func() bool {
		fi, err := os.Stat(path)
		return err == nil && fi.Size() > before.Size()
	})
}

// TestCommitsWithFdatasync: opening a SQLite database switches SQLite's
// commits to fdatasync(2), where the system has it (driver_sqlite.go,
// syncDataOnly).
func TestCommitsWithFdatasync(t *testing.T) {
	if goruntime.GOOS != "linux" {
		t.Skip("fdatasync is checked on Linux")
	}
	openTest(t)
	if !sqlite.FdatasyncEnabled() {
		t.Fatal("SQLite commits with fsync(2) after Open; want fdatasync(2)")
	}
}
