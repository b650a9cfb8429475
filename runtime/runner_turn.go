package runtime

import (
	"context"
	"errors"
)

// The turns of a durable dialog: starting a run, giving it a message,
// parking it in HEAR, ending it.

// start begins a new run of the bot's current script from its first line
// and runs it to its first HEAR (the greeting). It reports whether the
// run is parked in HEAR (false: it already returned or failed).
func (r *runner) start(ctx context.Context) (parked bool, err error) {
	sc, err := r.c.hub.engine.Script(r.c.session.BotID)
	if err != nil {
		return false, err
	}
	if err := r.c.hub.saveScript(ctx, sc); err != nil {
		return false, err
	}
	if err := r.open(sc); err != nil {
		return false, err
	}
	r.run, r.running, r.index = r.run+1, true, 0
	r.pending.Run = &RunState{Run: r.run, Version: sc.Version}
	done, err := r.dialog.Step(ctx, nil)
	return r.settle(ctx, done, err)
}

// open makes a fresh dialog of script sc.
func (r *runner) open(sc *Script) error {
	r.closeDialog()
	d, err := r.c.hub.engine.NewDialog(r.c.snapshot(), sc, &host{r: r})
	if err != nil {
		return Wrap(KindDialog, err, "the bot is not available")
	}
	r.dialog, r.script = d, sc
	r.c.hub.counters.dialogs.Add(1)
	return nil
}

// give hands a stored user message to the dialog: to the HEAR it is
// parked in, or to a new run's first HEAR when the last run is over.
func (r *runner) give(ctx context.Context, m *Message) error {
	if m.Seq <= r.consumed {
		return nil // taken before (a replayed run, or a duplicate input)
	}
	if !r.running {
		// A run that returns or fails before any HEAR is m's answer all
		// the same: end commits m as taken with the run's last effects.
		r.startFor = m.Seq
		parked, err := r.start(ctx)
		r.startFor = 0
		if err != nil && !IsKind(err, KindDialog) {
			return err // nothing was taken: the next load gives m again
		}
		if !parked {
			r.consumed = m.Seq
			return err
		}
	}
	r.consumed = m.Seq
	r.record(hearEntry(m))
	r.pending.ConsumedSeq = m.Seq
	done, err := r.dialog.Step(ctx, m)
	_, err = r.settle(ctx, done, err)
	return err
}

// skip takes m without the dialog hearing it, because the bot was off in
// the conversation when m was stored: the message is for the people in it.
// Marking it taken (one commit) keeps it from reaching HEAR later, after a
// restart or once the bot is on again.
func (r *runner) skip(ctx context.Context, m *Message) error {
	if m.Seq <= r.consumed {
		return nil
	}
	r.consumed = m.Seq
	r.pending.ConsumedSeq = m.Seq
	if err := r.flush(ctx); err != nil {
		return err
	}
	r.c.heardOrSkipped(m.Seq)
	return nil
}

// settle records where a live Step left the run: parked in HEAR, or over.
func (r *runner) settle(ctx context.Context, done bool, stepErr error) (parked bool, err error) {
	if !done && stepErr == nil {
		r.record(JournalEntry{Kind: EntryPark})
		return true, r.flush(ctx)
	}
	return false, r.end(ctx, stepErr)
}

// end closes the run: its journal is dropped in the same commit as its
// last effects. A failure of the store leaves the run as the journal has
// it; the next input rebuilds it from there.
func (r *runner) end(ctx context.Context, stepErr error) error {
	r.running = false
	if stepErr != nil && !IsKind(stepErr, KindDialog) && !errors.Is(stepErr, errDiverged) {
		r.reset()
		return stepErr // the host failed: nothing more can be written now
	}
	r.pending.Run = &RunState{Run: r.run, Ended: true}
	if r.startFor > r.consumed {
		r.pending.ConsumedSeq = r.startFor
	}
	if err := r.flush(ctx); err != nil {
		r.reset()
		return err // the store's failure, not the script's
	}
	return stepErr
}

// reset forgets everything in memory, so that the next input rebuilds
// the dialog from the store.
func (r *runner) reset() {
	r.dropInput()
	r.closeDialog()
	r.pending, r.events, r.replay = DialogWrite{}, nil, nil
	r.loaded = false
}

func (r *runner) closeDialog() {
	if r.dialog != nil {
		r.dialog.Close()
		r.dialog = nil
		r.c.hub.counters.dialogs.Add(-1)
	}
}
