package runtime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"
)

// runner is the durable dialog of one conversation. It belongs to the
// conversation's dialog goroutine: nothing else touches it.
//
// A run is one execution of the script from its first line. Everything
// the run does is journaled (journal.go): in live mode the host performs
// each effect and buffers it with its journal entry in pending; pending is
// committed at the next blocking point (HEAR, WAIT, the end of the run),
// or sooner when it has waited for flushAfter, and only then are its
// messages published. In replay mode the host answers from the journal
// and performs nothing.
type runner struct {
	c      *conv
	dialog Dialog
	script *Script

	loaded   bool          // rehydrated from the store since the conv went live
	run      int64         // the current run; 0 before the first
	running  bool          // the run has neither returned nor failed
	index    int64         // journal entries of this run so far
	consumed int64         // seq of the newest user message taken
	startFor int64         // the message a run is being started for, if any
	retry    time.Duration // backoff of rebuilding after a store failure

	// input is a user message offered to the dialog unstored, from the
	// turn it starts to the commit that stores it or gives its seq to
	// the HEAR entry at pending.Entries[inputEntry] (early.go).
	input      *offer
	inputEntry int

	replay  []JournalEntry // entries still to answer from, in order
	pending DialogWrite    // effects since the last commit
	since   time.Time      // when pending became non-empty
	events  []*Event       // what to publish once pending commits
}

// flushAfter bounds how long a bot message may wait in pending while the
// script computes before reaching its next blocking point.
const flushAfter = 20 * time.Millisecond

// errDiverged is returned to a script whose run no longer matches its
// journal (the script changed, or it is not deterministic).
var errDiverged = errors.New("the script no longer matches its journal")

// replaying reports whether the host answers from the journal.
func (r *runner) replaying() bool { return len(r.replay) > 0 }

// take consumes the next journal entry, which must be of kind.
func (r *runner) take(kind string) (JournalEntry, error) {
	e := r.replay[0]
	if e.Kind != kind {
		return e, divergence(kind, e)
	}
	r.replay = r.replay[1:]
	return e, nil
}

func divergence(want string, got JournalEntry) error {
	return &Error{Kind: KindDialog, Message: "the bot was changed; send a message to start again",
		Err: errors.Join(errDiverged, Errorf(KindInternal, "journal entry %d is %q, the script did %q", got.Index, got.Kind, want))}
}

// record adds a live entry to pending.
func (r *runner) record(e JournalEntry) {
	r.index++
	e.Run, e.Index = r.run, r.index
	if r.empty() {
		r.since = r.c.hub.now()
	}
	r.pending.Entries = append(r.pending.Entries, e)
}

func (r *runner) empty() bool {
	p := &r.pending
	return len(p.Entries) == 0 && len(p.Messages) == 0 && len(p.Uploads) == 0 && len(p.Memory) == 0 &&
		p.Suggestions == nil && p.ConsumedSeq == 0 && p.WakeAt == nil && p.Run == nil
}

// flushIfStale commits pending when it has waited long enough, so that a
// script computing between two TALKs does not hold the first one back.
func (r *runner) flushIfStale(ctx context.Context) error {
	if r.empty() || r.c.hub.now().Sub(r.since) < flushAfter {
		return nil
	}
	return r.flush(ctx)
}

// flush commits pending in one transaction and then publishes its events.
// It holds the conversation's lock like append, so that seq order is
// publish order.
func (r *runner) flush(ctx context.Context) error {
	if r.empty() {
		return nil
	}
	w := r.pending
	w.SessionID, w.Fence = r.c.id, r.c.fence
	c := r.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.deleted {
		if o := r.input; o != nil && !o.settled {
			c.settleLocked(o, false, errDeleted)
		}
		r.input = nil
		return errDeleted
	}
	if err := r.inputLocked(&w); err != nil {
		return err
	}
	err := c.hub.store.CommitDialog(ctx, &w)
	r.committedLocked(ctx, &w, err)
	if err != nil {
		return err
	}
	if len(w.Messages) > 0 {
		c.precedeLocked(ctx, w.Messages[0].Seq)
	}
	c.applyLocked(&w)
	for _, e := range r.events {
		c.publishLocked(e)
	}
	r.pending, r.events = DialogWrite{}, nil
	return nil
}

// textHash identifies what a TALK said, to detect a diverging replay
// without keeping the text twice.
func textHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}
