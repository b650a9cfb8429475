package schema

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

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
//
// On PostgreSQL a batch is bound by round trips rather than by the fsync:
// the server already shares one WAL flush among the transactions that
// commit together, and the committer's statements go one after another on
// one connection. So there the committer keeps its connection and the
// statements prepared on it (committer_conn.go), an append is one
// statement (committer_postgres.go), and the appends of a batch are
// one statement for all of them (committer_appends.go), as are its plain
// dialog commits (committer_dialogs.go); should such a statement fail,
// its writes run again one by one, each in its savepoint.

// maxBatch bounds the requests in one transaction, so that one commit
// cannot hold the write lock (and its callers) for long.
const maxBatch = 256

// The savepoint statements. One name is enough: a request's savepoint is
// released before the next one opens. On PostgreSQL each goes in one
// simple query with its neighbour (batchConn.script), so that a write
// costs one round trip besides its own statements: BEGIN opens the first
// savepoint, each request after the first releases the previous one's as
// it opens its own, and COMMIT releases the last. COMMIT alone would
// release it too, but on PostgreSQL a COMMIT in a transaction that an
// unreported error left aborted quietly rolls back instead; the RELEASE
// fails there, and the batch with it.
var (
	openFirst  = "SAVEPOINT w" // after the dialect's BEGIN
	openNext   = []string{"RELEASE w", "SAVEPOINT w"}
	rollbackTo = "ROLLBACK TO w"
)

// writeFunc is the work of one request. tx is the committer's connection
// inside the batch's transaction (and the request's savepoint).
type writeFunc func(ctx context.Context, tx execQueryer) error

// request is one caller's write, waiting for its batch.
type request struct {
	ctx context.Context
	sid string // the conversation written to, announced to other nodes
	fn  writeFunc
	// app, when set, is the append fn makes, as data: with
	// appendMany, the committer may store it together with the appends
	// beside it instead of calling fn (committer_appends.go).
	app *appendWrite
	// dlg, when set, is the dialog commit fn makes, as data: with
	// commitMany, likewise (committer_dialogs.go).
	dlg *dialogWrite
	// flushFirst says fn reads rows that the writes before it in its
	// batch may hold back (committer_deferred.go).
	flushFirst bool
	err        error         // set by the committer before done closes
	done       chan struct{} // closed when the batch is over
}

// committer serialises the message-path writes into batched transactions.
type committer struct {
	pool  *sqlx.DB // a pool of one connection
	begin string   // the dialect's BEGIN
	// keep says the connection stays taken between batches, with its
	// prepared statements (committer_conn.go). Only for a pool of the
	// committer's own (PostgreSQL): on SQLite the other writes need the
	// connection between batches.
	keep bool
	conn *batchConn // the batch's, and with keep the next one's; only the loop touches it
	// retryable reports a failure of a whole batch that running it again
	// may not meet: PostgreSQL aborted it to break a deadlock with
	// another process's batch.
	retryable func(error) bool
	// oneByOne runs the committer's own statements one at a time rather
	// than as one script (batchConn.script).
	oneByOne bool
	// appendMany, when set, stores several appends in one
	// statement (PostgreSQL: one round trip for all of them).
	appendMany appendManyFunc
	// commitMany, when set, stores several plain dialog commits of
	// different conversations in one statement (PostgreSQL).
	commitMany commitManyFunc
	// lockSessions, when set, returns a statement without arguments that
	// locks the given sessions rows, in id order: the order every node's
	// committer takes them in. A merged batch runs it in BEGIN's round
	// trip, so that two batches cannot deadlock however their rounds
	// (units) take the rows after.
	lockSessions func(sids []string) string

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
	// committed, when set, is called after each batch that committed
	// (SQLite: the checkpointer's cue).
	committed func()
	// beforeBatch, when set, runs on the connection before each batch
	// begins (SQLite: a checkpoint, when one is due).
	beforeBatch func(ctx context.Context, conn execQueryer)
	// flush, when set (SQLite), inserts the rows a batch held back:
	// batches first run without savepoints, their rows inserted
	// together at the end (committer_deferred.go).
	flush func(ctx context.Context, tx execQueryer, p *pendingRows) error
	// careful counts the batches that flush's way refused (a write
	// failed) and that ran again the careful way; for tests.
	careful atomic.Int64

	commits, writes, maxBatch atomic.Int64 // see Stats
	batchTime, writeTime      histogram    // see Stats
}

// Stats are the committer's counters since Open, cheap to read (atomics)
// for metrics. Writes/Commits is the average batch.
type Stats struct {
	Commits  int64 // transactions committed
	Writes   int64 // writes committed (AppendMessage and CommitDialog calls)
	MaxBatch int64 // most writes committed by one transaction
	// BatchSeconds times each batch, committed or not: taking the
	// connection, BEGIN to the end of COMMIT (the fsync included), and
	// the runs again after a deadlock (PostgreSQL).
	BatchSeconds Histogram
	// WriteSeconds times each write that a batch took, as its caller
	// waits for it: queued behind the batch in progress, then its own.
	WriteSeconds Histogram
}

// Stats returns the group commit counters.
func (db *DB) Stats() Stats {
	c := db.commit
	if c == nil {
		var h histogram
		return Stats{BatchSeconds: h.snapshot(), WriteSeconds: h.snapshot()}
	}
	return Stats{Commits: c.commits.Load(), Writes: c.writes.Load(), MaxBatch: c.maxBatch.Load(),
		BatchSeconds: c.batchTime.snapshot(), WriteSeconds: c.writeTime.snapshot()}
}

// launch starts c's loop; c holds the settings, the rest is set here.
func (c *committer) launch() *committer {
	c.wake, c.exited = make(chan struct{}, 1), make(chan struct{})
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
	return c.submit(&request{ctx: ctx, sid: sid, fn: fn})
}

// submit is do for a request the caller made.
func (c *committer) submit(r *request) error {
	ctx := r.ctx
	r.done = make(chan struct{})
	queued := time.Now()
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
		c.writeTime.observe(time.Since(queued))
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
	c.writeTime.observe(time.Since(queued))
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
			c.drop()
			return
		}
		start := time.Now()
		err := c.run(batch)
		for try := 1; err != nil && try < 3 && c.retryable(err); try++ {
			for _, r := range batch {
				r.err = nil // nothing of the batch was stored
			}
			err = c.run(batch)
		}
		c.batchTime.observe(time.Since(start))
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

// run executes batch in one transaction: each write in its savepoint, or
// (units) a round's appends in one statement and its plain dialog commits
// in another, and a batch of appends alone in that statement's own
// transaction (committer_appends.go). Each request's
// own failure is in its err; the error returned means the transaction as
// a whole failed, and nothing of the batch is stored.
//
// Statements run under a context that cannot be cancelled: SQLite answers
// an interrupted write inside a transaction by rolling back the whole
// transaction (and modernc then drops the connection), which would take
// the other callers' writes with it. A caller that gave up while queued is
// skipped instead.
func (c *committer) run(batch []*request) error {
	ctx := context.Background()
	// By conversation, stably: a conversation's writes keep their order.
	// Row locks are taken in this order, as every node's committer takes
	// them (a merged batch all at once: lockSessions), so that two
	// processes' batches cannot deadlock on their sessions rows.
	slices.SortStableFunc(batch, func(a, b *request) int { return strings.Compare(a.sid, b.sid) })
	if c.flush != nil {
		if ran, err := c.runDeferred(batch); ran {
			return err
		}
		for _, r := range batch {
			r.err = nil // nothing of the batch was stored
		}
	}
	merge := c.appendMany != nil
	if merge && c.onlyAppends(batch) {
		if ran, err := c.runAlone(batch); ran {
			return err
		}
		merge = false // refused: each write on its own, in its savepoint
	}
	// A merged batch of one unit needs no locks first: its one
	// statement locks its rows in id order itself (appendMany,
	// commitMany), as a batch of turns is.
	units := c.units(batch, merge)
	var lock string
	if sids := batchSessions(batch); merge && c.lockSessions != nil && len(sids) > 1 && len(units) > 1 {
		lock = c.lockSessions(sids)
	}
	conn, err := c.start(ctx, lock, true)
	if err != nil {
		return err
	}
	defer c.release(conn)
	sp := &savepoint{conn: conn}
	for _, unit := range units {
		if err := c.runUnit(sp, unit); err != nil {
			rollback(conn)
			return err
		}
	}
	if err := conn.script(ctx, c.final(batch)...); err != nil {
		// A COMMIT refused (a deferred constraint, say) leaves the
		// transaction open; the connection must go back clean.
		rollback(conn)
		return err
	}
	c.count(batch)
	return nil
}

// final is the statements that end a batch: RELEASE and COMMIT, with
// the announcement of the conversations written to before the COMMIT.
func (c *committer) final(batch []*request) []string {
	releaseFinal := []string{"RELEASE w", "COMMIT"}
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
	return []string{"RELEASE w", (*announce)(sids) + "COMMIT"}
}

// units splits batch into the units that run one after another, each in
// one savepoint: one write, or, with merge, appends or plain dialog
// commits that one statement stores together. A write whose caller left
// while queued is skipped, with the caller's error.
//
// Without merge the units are the writes in batch order. With merge they
// go by rounds: the first write of each conversation, then the second,
// and so on, so that a conversation's writes keep their order (it is
// their seqs' order); appends in a row count as one write, as
// appendMany numbers a conversation's messages in order. Within a round
// the conversations are all different and their order does not matter;
// the appends of the round are one unit, its plain dialog commits
// another, and the rest run alone. Rounds take sessions rows out of id
// order, so a merged batch locks them all first (committer.lockSessions).
func (c *committer) units(batch []*request, merge bool) [][]*request {
	var live []*request
	for _, r := range batch {
		if r.err = r.ctx.Err(); r.err == nil {
			live = append(live, r)
		}
	}
	var units [][]*request
	if !merge {
		for _, r := range live {
			units = append(units, []*request{r})
		}
		return units
	}
	type place struct {
		round int
		app   bool // the round holds a run of the conversation's appends
	}
	at := make(map[string]place, len(live))
	var rounds [][]*request
	for _, r := range live {
		p, seen := at[r.sid]
		switch {
		case !seen:
			p = place{0, r.app != nil}
		case !p.app || r.app == nil: // appends in a row share a round
			p = place{p.round + 1, r.app != nil}
		}
		at[r.sid] = p
		if p.round == len(rounds) {
			rounds = append(rounds, nil)
		}
		rounds[p.round] = append(rounds[p.round], r)
	}
	for _, rs := range rounds {
		var apps, dlgs []*request
		for _, r := range rs {
			switch {
			case r.app != nil:
				apps = append(apps, r)
			case r.dlg != nil && c.commitMany != nil:
				dlgs = append(dlgs, r)
			default:
				units = append(units, []*request{r})
			}
		}
		for _, group := range [][]*request{apps, dlgs} {
			if len(group) > 0 {
				units = append(units, group)
			}
		}
	}
	return units
}

// batchSessions returns the conversations batch writes to, in order;
// batch is sorted by conversation.
func batchSessions(batch []*request) []string {
	var sids []string
	for _, r := range batch {
		if r.sid != "" && (len(sids) == 0 || sids[len(sids)-1] != r.sid) {
			sids = append(sids, r.sid)
		}
	}
	return sids
}

// runUnit runs a unit of units. It returns an error only if the
// transaction itself broke (see runRequest).
func (c *committer) runUnit(sp *savepoint, unit []*request) error {
	switch {
	case len(unit) > 1 && unit[0].app != nil:
		return c.runAppends(sp, unit)
	case len(unit) > 1:
		return c.runDialogs(sp, unit)
	}
	return runRequest(sp, unit[0])
}

// savepoint is the batch's one savepoint: BEGIN opened it for the first
// write, and each write after releases it and opens it anew.
type savepoint struct {
	conn *batchConn
	used bool // a write has run since it was opened
}

// open readies the savepoint for the next write.
func (sp *savepoint) open() error {
	if sp.used {
		if err := sp.conn.script(context.Background(), openNext...); err != nil {
			return err
		}
	}
	sp.used = true
	return nil
}

// undo rolls back what ran since the savepoint opened; it stays open.
func (sp *savepoint) undo() error {
	_, err := sp.conn.ExecContext(context.Background(), rollbackTo)
	return err
}

// runRequest runs r in a savepoint of its own and records r's own error
// in r.err. It returns an error only if the transaction itself broke: then
// a savepoint statement fails because SQLite already rolled everything
// back (as it does on a full disk or an I/O error), or the connection to
// PostgreSQL is gone.
//
// On PostgreSQL a failed statement leaves the transaction unusable until
// ROLLBACK TO, so a writeFunc must return the first database error it
// meets rather than carry on; should one swallow it, the next RELEASE
// fails and so does the batch, which is never committed half done.
func runRequest(sp *savepoint, r *request) error {
	if err := sp.open(); err != nil {
		return err
	}
	if r.err = r.fn(context.WithoutCancel(r.ctx), sp.conn); r.err != nil {
		// The savepoint stays open, to be released next.
		return sp.undo()
	}
	return nil
}

// rollback ends the connection's transaction, if it still has one. The
// error is not worth reporting: the caller reports the one that led here.
func rollback(conn *batchConn) {
	_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
}

// count records a committed batch: in the stats, and to the committed
// hook. Every way a batch commits (run, runAlone) ends here.
func (c *committer) count(batch []*request) {
	if c.committed != nil {
		c.committed()
	}
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
