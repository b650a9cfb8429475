package schema

import (
	"context"

	"parley/runtime"
)

// A batch without savepoints, its rows inserted together (SQLite).
//
// On SQLite a statement costs little next to the rows it writes, but a
// batch run the careful way (committer.run) pays for more than its rows:
// two savepoint statements per write, and one INSERT for each write's
// messages and another for its journal entries, each a statement of one
// or two rows. Writes almost never fail, so the committer first runs a
// batch the optimistic way (runDeferred):
//
//   - no savepoints: BEGIN, the writes, COMMIT;
//   - the writes update their sessions rows as they run (the seqs come
//     from there), but their message rows and journal entries wait in a
//     pendingRows, and go in at the end in multi-row INSERTs: a few
//     statements for the whole batch.
//
// Should any write fail, or the INSERTs at the end, the transaction is
// rolled back, nothing of the batch is stored, and the batch runs again
// the careful way, where each write's failure is its own. A write's
// function may run twice for that reason; it already may on PostgreSQL
// (a deadlock, a merged statement refused), and each sets what it
// reports anew.
//
// What a write reads must not be among the rows held back. Two cases:
//   - an append with a client id looks for a message stored under it:
//     it looks in pendingRows first (appendTx), so that a retry that
//     meets its first try in one batch is found;
//   - the end of a run deletes the run's journal: such a write
//     (request.flushFirst) has the rows held back inserted before it
//     runs, and holds back nothing of its own.

// pendingRows are the rows a batch holds back until its end.
type pendingRows struct {
	messages []messageRow
	entries  []pendingEntry
	// byClientID finds the messages held back by their session and
	// client id: the index of their row in messages.
	byClientID map[[2]string]int
}

type pendingEntry struct {
	sid runtime.SessionID
	e   runtime.JournalEntry
}

// pendingOf returns the rows tx holds back, or nil when its writes go in
// as they come.
func pendingOf(tx execQueryer) *pendingRows {
	if bc, ok := tx.(*batchConn); ok {
		return bc.pending
	}
	return nil
}

func (p *pendingRows) addMessages(rows []messageRow) {
	for _, r := range rows {
		if r.ClientID != nil {
			if p.byClientID == nil {
				p.byClientID = map[[2]string]int{}
			}
			p.byClientID[[2]string{r.SessionID, *r.ClientID}] = len(p.messages)
		}
		p.messages = append(p.messages, r)
	}
}

func (p *pendingRows) addEntries(sid runtime.SessionID, entries []runtime.JournalEntry) {
	for _, e := range entries {
		p.entries = append(p.entries, pendingEntry{sid, e})
	}
}

// clientID returns the message held back under session and clientID, or nil.
func (p *pendingRows) clientID(session, clientID string) *runtime.Message {
	if i, ok := p.byClientID[[2]string{session, clientID}]; ok {
		return p.messages[i].message() // a retry: rare, so built only now
	}
	return nil
}

// flushPending inserts the rows p holds back, in as few statements as
// insertRows makes, and empties p. tx must not hold rows back itself.
func (db *DB) flushPending(ctx context.Context, tx execQueryer, p *pendingRows) error {
	if err := db.insertMessagesTx(ctx, tx, p.messages); err != nil {
		return err
	}
	err := db.insertRows(ctx, tx, insertEntries, 7, len(p.entries), func(i int) []any {
		pe := p.entries[i]
		return []any{pe.sid, pe.e.Run, pe.e.Index, pe.e.Kind, pe.e.Value, pe.e.Found, pe.e.Seq}
	})
	*p = pendingRows{messages: p.messages[:0], entries: p.entries[:0]}
	return err
}

// runDeferred runs batch the optimistic way (above). It reports whether
// it ran the batch, which failed as a whole if err is set (the COMMIT
// failed). It reports false when nothing was stored: a write or the
// INSERTs at the end failed, or every caller left; then run runs the
// batch the careful way.
func (c *committer) runDeferred(batch []*request) (ran bool, err error) {
	var live []*request
	for _, r := range batch {
		if r.err = r.ctx.Err(); r.err == nil {
			live = append(live, r)
		}
	}
	if len(live) == 0 {
		return false, nil
	}
	ctx := context.Background()
	conn, err := c.start(ctx, "", false)
	if err != nil {
		return true, err
	}
	defer c.release(conn)
	p := &pendingRows{}
	refused := func() (bool, error) {
		conn.pending = nil
		rollback(conn)
		c.careful.Add(1)
		return false, nil
	}
	flush := func() error {
		conn.pending = nil
		return c.flush(ctx, conn, p)
	}
	for _, r := range live {
		if r.flushFirst {
			if err := flush(); err != nil {
				return refused()
			}
		} else {
			conn.pending = p
		}
		if err := r.fn(context.WithoutCancel(r.ctx), conn); err != nil {
			return refused()
		}
	}
	if err := flush(); err != nil {
		return refused()
	}
	if err := conn.script(ctx, "COMMIT"); err != nil {
		rollback(conn)
		return true, err
	}
	c.count(batch)
	return true, nil
}
