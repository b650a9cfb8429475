package schema

import (
	"context"
	"database/sql/driver"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jmoiron/sqlx"

	"parley/runtime"
)

// Group commit.
//
// With synchronous=FULL (SQLite) or synchronous_commit=on (PostgreSQL)
// every COMMIT waits for the WAL to reach the disk (an fsync: from a few
// tens of µs on a local NVMe drive to milliseconds on network disks). One transaction per message would cap the server at
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
// On SQLite the committer takes the single write connection for each
// batch and gives it back after, so the rarer writes that do not go
// through it (sessions, memory outside dialogs, users, bots, scripts, the
// sweep) run on the same connection between batches. On PostgreSQL it has
// a pool of one connection of its own and the rarer writes use the main
// pool beside it: the message path of a process is still one writer, one
// batch at a time. Nothing relies on that for correctness, though: seqs
// come from the session row (UPDATE … RETURNING last_seq), whose row lock
// orders appends to one conversation from any number of processes.

// maxBatch bounds the requests in one transaction, so that one commit
// cannot hold the write lock (and its callers) for long.
const maxBatch = 256

// The savepoint statements. One name is enough: a request's savepoint is
// released before the next one opens. Each goes in one simple query with
// its neighbour, so that a write costs one round trip besides its own
// statements: BEGIN opens the first savepoint, each request after the
// first releases the previous one's as it opens its own, and COMMIT
// releases the last. COMMIT alone would release it too, but on PostgreSQL
// a COMMIT in a transaction that an unreported error left aborted quietly
// rolls back instead; the RELEASE fails there, and the batch with it.
const (
	openFirst    = "; SAVEPOINT w" // after the dialect's BEGIN
	openNext     = "RELEASE w; SAVEPOINT w"
	rollbackTo   = "ROLLBACK TO w"
	releaseFinal = "RELEASE w; COMMIT"
)

// writeFunc is the work of one request. tx is the committer's connection
// inside the batch's transaction (and the request's savepoint).
type writeFunc func(ctx context.Context, tx execQueryer) error

// request is one caller's write, waiting for its batch.
type request struct {
	ctx  context.Context
	sid  string // the conversation written to, announced to other nodes
	fn   writeFunc
	err  error         // set by the committer before done closes
	done chan struct{} // closed when the batch is over
}

// committer serialises the message-path writes into batched transactions.
type committer struct {
	pool  *sqlx.DB // a pool of one connection
	begin string   // the dialect's BEGIN
	// retryable reports a failure of a whole batch that running it again
	// may not meet: PostgreSQL aborted it to break a deadlock with
	// another process's batch.
	retryable func(error) bool

	mu     sync.Mutex
	queue  []*request
	closed bool

	wake   chan struct{} // capacity 1: the queue may have work
	exited chan struct{} // closed when the loop has returned

	// announce, when set (PostgreSQL with several nodes, cluster.go),
	// returns the statements that tell the other nodes which
	// conversations a batch wrote to; they run in the batch's
	// transaction, so they are delivered if and only if it commits.
	announce atomic.Pointer[func(sids []string) string]

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

func newCommitter(pool *sqlx.DB, begin string, retryable func(error) bool) *committer {
	c := &committer{pool: pool, begin: begin, retryable: retryable, wake: make(chan struct{}, 1), exited: make(chan struct{})}
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
func (c *committer) do(ctx context.Context, sid string, fn writeFunc) error {
	r := &request{ctx: ctx, sid: sid, fn: fn, done: make(chan struct{})}
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
		for try := 1; err != nil && try < 3 && c.retryable(err); try++ {
			for _, r := range batch {
				r.err = nil // nothing of the batch was stored
			}
			err = c.run(batch)
		}
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
	// Row locks are taken in conversation order, as every node's
	// committer takes them, so that two processes' batches touching the
	// same conversations cannot deadlock on their sessions rows. Stable:
	// one conversation's writes keep their order.
	slices.SortStableFunc(batch, func(a, b *request) int { return strings.Compare(a.sid, b.sid) })
	conn, err := c.start(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	fresh := true // the open savepoint has not been used yet
	for _, r := range batch {
		if r.err = r.ctx.Err(); r.err != nil {
			continue // the caller left while queued
		}
		if !fresh {
			if _, err := conn.ExecContext(ctx, openNext); err != nil {
				rollback(conn)
				return err
			}
		}
		fresh = false
		if err := runRequest(conn, r); err != nil {
			rollback(conn)
			return err
		}
	}
	if _, err := conn.ExecContext(ctx, c.final(batch)); err != nil {
		// A COMMIT refused (a deferred constraint, say) leaves the
		// transaction open; the connection must go back clean.
		rollback(conn)
		return err
	}
	c.count(batch)
	return nil
}

// final is the statement that ends a batch: releaseFinal, with the
// announcement of the conversations written to before the COMMIT.
func (c *committer) final(batch []*request) string {
	announce := c.announce.Load()
	if announce == nil {
		return releaseFinal
	}
	var sids []string
	for _, r := range batch {
		if r.err == nil && r.sid != "" && !slices.Contains(sids, r.sid) {
			sids = append(sids, r.sid)
		}
	}
	if len(sids) == 0 {
		return releaseFinal
	}
	return "RELEASE w; " + (*announce)(sids) + "COMMIT"
}

// start takes the connection, begins the batch's transaction and opens
// the first savepoint. A connection that broke while it sat idle
// (PostgreSQL restarted, or an administrator or a proxy closed it) fails
// at BEGIN, before anything was done: it is dropped, and the batch begins
// once more on a new one rather than fail every write in it.
func (c *committer) start(ctx context.Context) (*sqlx.Conn, error) {
	for attempt := 0; ; attempt++ {
		conn, err := c.pool.Connx(ctx)
		if err != nil {
			return nil, err
		}
		if _, err = conn.ExecContext(ctx, c.begin+openFirst); err == nil {
			return conn, nil
		}
		broken := errors.Is(err, driver.ErrBadConn) || !valid(conn)
		conn.Close() // the pool discards a broken connection
		if !broken || attempt > 0 {
			return nil, err
		}
	}
}

// valid asks the driver whether conn can still be used.
func valid(conn *sqlx.Conn) bool {
	ok := true
	_ = conn.Raw(func(dc any) error {
		if v, is := dc.(driver.Validator); is {
			ok = v.IsValid()
		}
		return nil
	})
	return ok
}

// runRequest runs r in the savepoint just opened and records r's own
// error in r.err. It returns an error only if the transaction itself
// broke: then a ROLLBACK TO fails because SQLite already rolled everything
// back (as it does on a full disk or an I/O error), or the connection to
// PostgreSQL is gone.
//
// On PostgreSQL a failed statement leaves the transaction unusable until
// ROLLBACK TO, so a writeFunc must return the first database error it
// meets rather than carry on; should one swallow it, the next RELEASE
// fails and so does the batch, which is never committed half done.
func runRequest(tx *sqlx.Conn, r *request) error {
	if r.err = r.fn(context.WithoutCancel(r.ctx), tx); r.err != nil {
		// ROLLBACK TO keeps the savepoint open, to be released next.
		if _, err := tx.ExecContext(context.Background(), rollbackTo); err != nil {
			return err
		}
	}
	return nil
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
