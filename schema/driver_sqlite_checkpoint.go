package schema

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
)

// Checkpoints on SQLite.
//
// In WAL mode each commit appends the pages it changed to the WAL, and a
// checkpoint copies them back into the database file. SQLite does that by
// itself in the connection that commits once the WAL passes 1,000 pages:
// on the single write connection, that is inside a batch of the committer
// (committer.go), which the conversations of the whole server wait for; it
// was a tenth of the server's CPU in a profile of chat turns. So the write
// connection checkpoints on its own only as a backstop (at 10,000 pages,
// see writePragmas) and a connection of its own does the copying, on its
// own goroutine, beside the writer: a PASSIVE checkpoint takes no lock
// that a writer needs. It runs after commits, at most once per
// checkpointEvery.
//
// Copying is not all: the WAL file must also start over, or it grows
// without end. Only a writer restarts it, as it begins a transaction when
// every frame has been copied, and a busy writer never finds it so: the
// frames of its last batch are always new. So once the WAL passes
// restartFrames, the checkpointer asks the committer to run one PASSIVE
// checkpoint itself, between two batches (beforeBatch): it copies only
// what came since the last background round, and the batch that follows
// starts the WAL over. Writes outside the committer (sessions, users, API
// keys) never reach beforeBatch; should only they come for long, the
// writer's own backstop checkpoint bounds the WAL. Closing the last
// connection checkpoints what is left.

// checkpointEvery bounds how often the checkpointer runs.
const checkpointEvery = 100 * time.Millisecond

// checkpointIdle is how often the checkpointer runs without a cue (a
// variable for the tests).
var checkpointIdle = 5 * time.Second

// restartFrames is the WAL size (in pages) from which the committer is
// asked to let the WAL start over: SQLite's own default for checkpoints.
const restartFrames = 1000

// checkpointer copies the WAL back into the database file in the
// background.
type checkpointer struct {
	pool *sqlx.DB // one connection
	log  *slog.Logger
	poke chan struct{} // capacity 1: a commit happened
	// restart asks the write connection to checkpoint before its next
	// batch, so that the batch starts the WAL over.
	restart atomic.Bool
	stop    chan struct{}
	exited  chan struct{}
	once    sync.Once // close
}

func startCheckpointer(pool *sqlx.DB) *checkpointer {
	c := &checkpointer{
		pool: pool, log: slog.Default(),
		poke: make(chan struct{}, 1), stop: make(chan struct{}), exited: make(chan struct{}),
	}
	go c.loop(checkpointIdle)
	return c
}

// committed tells the checkpointer that the WAL grew. It never blocks.
func (c *checkpointer) committed() {
	select {
	case c.poke <- struct{}{}:
	default:
	}
}

// close stops the loop and waits for it. Calling it again is harmless.
func (c *checkpointer) close() {
	c.once.Do(func() { close(c.stop) })
	<-c.exited
}

func (c *checkpointer) loop(every time.Duration) {
	defer close(c.exited)
	// The writes outside the committer (sessions, memory, users) do not
	// poke; a round now and then copies theirs, and their next
	// transaction starts the WAL over once it is all copied.
	idle := time.NewTicker(every)
	defer idle.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-c.poke:
		case <-idle.C:
		}
		c.checkpoint()
		select { // pace: commits meanwhile are taken by the next round
		case <-c.stop:
			return
		case <-time.After(checkpointEvery):
		}
	}
}

// checkpoint runs one PASSIVE checkpoint. A failure is logged and the
// next commit tries again; the WAL keeps every commit meanwhile.
func (c *checkpointer) checkpoint() {
	var busy, log, done int
	err := c.pool.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &done)
	if err != nil {
		c.log.Warn("sqlite checkpoint failed", "err", err)
		return
	}
	if log >= restartFrames {
		c.restart.Store(true)
	}
}

// beforeBatch runs on the write connection before a batch begins: the
// checkpoint that lets the batch start the WAL over, when it is due. It
// copies what the background round left, the frames of the last batches.
// Should it not finish (the background round holds the checkpoint lock,
// or a reader still needs old frames), it is due again.
func (c *checkpointer) beforeBatch(ctx context.Context, conn execQueryer) {
	if !c.restart.Swap(false) {
		return
	}
	var busy, log, done int
	err := conn.QueryRowxContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &done)
	if err != nil || busy != 0 || done < log {
		c.restart.Store(true)
	}
}
