package schema

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/jmoiron/sqlx"

	"parley/runtime"
)

// Group commit.
//
// With synchronous=FULL every COMMIT waits for the WAL to reach the disk
// (an fsync: from a few tens of µs on a local NVMe drive to milliseconds
// on network disks). One transaction per message would cap the server at
// one message per fsync however many conversations it serves. So the
// writes on the message path (AppendMessage, CommitDialog) do not commit
// themselves: they queue a request for the committer, one goroutine that
// takes everything queued, runs it in one transaction and commits once.
//
// Each request runs inside its own SAVEPOINT: one that fails is undone
// alone, its caller gets its error and the rest of the batch commits.
// Callers hear back only after COMMIT returned, so nothing is reported
// stored (and nothing is published) before it is on disk; if COMMIT
// fails, every caller of the batch gets the error.
//
// There is no timer. A write that finds the committer idle commits at
// once; batches form from the writes that arrive while a commit is in
// progress. A lone writer pays no latency, and the busier the server, the
// more writes share each fsync.
//
// The committer takes the single write connection for each batch and
// gives it back after, so the rarer writes that do not go through it
// (sessions, memory outside dialogs, users, bots, scripts, the sweep)
// run on the same connection between batches.

// maxBatch bounds the requests in one transaction, so that one commit
// cannot hold the write lock (and its callers) for long.
const maxBatch = 256

// savepoint is the name of each request's savepoint. One name is enough:
// a request's savepoint is released before the next one starts.
const savepoint = "w"

// writeFunc is the work of one request. tx is the committer's connection
// inside the batch's transaction (and the request's savepoint).
type writeFunc func(ctx context.Context, tx execQueryer) error

// request is one caller's write, waiting for its batch.
type request struct {
	ctx  context.Context
	fn   writeFunc
	err  error         // set by the committer before done closes
	done chan struct{} // closed when the batch is over
}

// committer serialises the message-path writes into batched transactions.
type committer struct {
	pool *sqlx.DB // the write pool (one connection)

	mu     sync.Mutex
	queue  []*request
	closed bool

	wake   chan struct{} // capacity 1: the queue may have work
	exited chan struct{} // closed when the loop has returned

	commits, writes, maxBatch atomic.Int64 // see Stats
}

// Stats are the committer's counters since Open, cheap to read (atomics)
// for metrics. Writes/Commits is the average batch.
type Stats struct {
	Commits  int64 // transactions committed
	Writes   int64 // writes committed (AppendMessage and CommitDialog calls)
	MaxBatch int64 // most writes committed by one transaction
}

// Stats returns the group commit counters.
func (db *DB) Stats() Stats {
	c := db.commit
	if c == nil {
		return Stats{}
	}
	return Stats{Commits: c.commits.Load(), Writes: c.writes.Load(), MaxBatch: c.maxBatch.Load()}
}

func newCommitter(pool *sqlx.DB) *committer {
	c := &committer{pool: pool, wake: make(chan struct{}, 1), exited: make(chan struct{})}
	go c.loop()
	return c
}

// errClosed is what a write gets once Close has begun.
var errClosed = runtime.Errorf(runtime.KindUnavailable, "database unavailable")

// do queues fn and waits until it has committed, failed, or (while it was
// still queued) ctx ended. Once the committer has taken the request, do
// waits for the batch whatever ctx says: the write may be committing, and
// the caller must not learn "failed" about a write that is on disk, nor
// touch what fn uses while it runs.
func (c *committer) do(ctx context.Context, fn writeFunc) error {
	r := &request{ctx: ctx, fn: fn, done: make(chan struct{})}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return errClosed
	}
	c.queue = append(c.queue, r)
	c.mu.Unlock()
	c.signal()

	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
	}
	c.mu.Lock()
	i := slices.Index(c.queue, r)
	if i >= 0 {
		c.queue = slices.Delete(c.queue, i, i+1)
	}
	c.mu.Unlock()
	if i >= 0 {
		return ctx.Err() // never taken: nothing happened
	}
	<-r.done
	return r.err
}

func (c *committer) signal() {
	select {
	case c.wake <- struct{}{}:
	default: // a wake-up is pending already
	}
}

// close stops taking writes, lets the committer finish what is queued,
// and waits for it. Calling it again is harmless.
func (c *committer) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.signal()
	<-c.exited
}

func (c *committer) loop() {
	defer close(c.exited)
	for {
		batch, ok := c.next()
		if !ok {
			return
		}
		err := c.run(batch)
		for _, r := range batch {
			if err != nil && r.err == nil {
				r.err = err
			}
			close(r.done)
		}
	}
}

// next waits for queued requests and takes up to maxBatch of them. It
// reports false when the committer is closed and the queue is empty.
func (c *committer) next() ([]*request, bool) {
	for {
		c.mu.Lock()
		if n := min(len(c.queue), maxBatch); n > 0 {
			// The batch keeps the front of the array; appends go after it.
			batch := c.queue[:n:n]
			c.queue = c.queue[n:]
			c.mu.Unlock()
			return batch, true
		}
		closed := c.closed
		c.mu.Unlock()
		if closed {
			return nil, false
		}
		<-c.wake
	}
}

// run executes batch in one transaction. Each request's own failure is in
// its err; the error returned means the transaction as a whole failed, and
// nothing of the batch is stored.
//
// Statements run under a context that cannot be cancelled: SQLite answers
// an interrupted write inside a transaction by rolling back the whole
// transaction (and modernc then drops the connection), which would take
// the other callers' writes with it. A caller that gave up while queued is
// skipped instead.
func (c *committer) run(batch []*request) error {
	ctx := context.Background()
	conn, err := c.pool.Connx(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	for _, r := range batch {
		if err := runRequest(conn, r); err != nil {
			rollback(conn)
			return err
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		// A COMMIT refused (a deferred constraint, say) leaves the
		// transaction open; the connection must go back clean.
		rollback(conn)
		return err
	}
	c.count(batch)
	return nil
}

// runRequest runs r in its own savepoint and records r's own error in
// r.err. It returns an error only if the transaction itself broke: then a
// ROLLBACK TO fails because SQLite already rolled everything back (as it
// does on a full disk or an I/O error).
func runRequest(tx *sqlx.Conn, r *request) error {
	ctx := context.Background()
	if r.err = r.ctx.Err(); r.err != nil {
		return nil // the caller left while queued
	}
	if _, err := tx.ExecContext(ctx, "SAVEPOINT "+savepoint); err != nil {
		return err
	}
	if r.err = r.fn(context.WithoutCancel(r.ctx), tx); r.err != nil {
		if _, err := tx.ExecContext(ctx, "ROLLBACK TO "+savepoint); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, "RELEASE "+savepoint)
	return err
}

// rollback ends the connection's transaction, if it still has one. The
// error is not worth reporting: the caller reports the one that led here.
func rollback(conn *sqlx.Conn) {
	_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
}

// count records a committed batch in the stats.
func (c *committer) count(batch []*request) {
	var n int64
	for _, r := range batch {
		if r.err == nil {
			n++
		}
	}
	c.commits.Add(1)
	c.writes.Add(n)
	if n > c.maxBatch.Load() { // only the committer goroutine stores it
		c.maxBatch.Store(n)
	}
}
