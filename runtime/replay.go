package runtime

import (
	"context"
	"errors"
)

// load brings the runner up to date with the store when its conversation
// goes live (after a restart, an eviction or a failure): a run in
// progress is rebuilt by replaying its journal, then the user messages
// stored but not yet taken are given to it in order.
func (r *runner) load(ctx context.Context) error {
	s, err := r.c.hub.store.FindSession(ctx, r.c.id)
	if err != nil {
		return err
	}
	r.run, r.running, r.consumed, r.index = s.Run, s.Run > 0 && !s.RunEnded, s.ConsumedSeq, 0
	r.loaded = true
	if r.running {
		if err := r.rebuild(ctx, s); err != nil {
			return err
		}
	}
	return r.backlog(ctx, s.ConsumedSeq, s.LastSeq)
}

// rebuild replays the current run. A run whose script version is gone or
// whose script no longer matches the journal is ended rather than
// continued from garbage; the user's next message starts a new run.
func (r *runner) rebuild(ctx context.Context, s *Session) error {
	entries, err := r.c.hub.store.Journal(ctx, s.ID, s.Run)
	if err != nil {
		return err
	}
	sc, err := r.c.hub.script(ctx, s.BotID, s.ScriptVersion)
	if err == nil {
		err = r.open(sc)
	}
	if err != nil && (IsKind(err, KindDialog) || IsKind(err, KindNotFound)) {
		err = errors.Join(errDiverged, err) // its version is gone or broken
	}
	if err == nil {
		r.replay = entries
		r.c.hub.counters.replays.Add(1)
		err = r.replayRun(ctx)
	}
	// A script error in the live rest of the turn was settled like any
	// other; only a run that cannot be continued starts over here.
	if errors.Is(err, errDiverged) {
		r.c.logger().Error("cannot continue the dialog from its journal; starting over", "run", s.Run, "version", s.ScriptVersion, "err", err)
		r.replay = nil
		r.c.publish(ErrorEvent(r.c.id, divergenceError(err), ""))
		return r.end(ctx, nil)
	}
	return err
}

// replayRun steps the script through its journal: from the top, then
// with each message the journal says a HEAR took. Where the journal ends
// the dialog is live again.
func (r *runner) replayRun(ctx context.Context) error {
	if n := len(r.replay); n > 0 {
		r.index = r.replay[n-1].Index
	}
	parkedLast := false
	done, err := r.dialog.Step(ctx, nil)
	for err == nil && !done && len(r.replay) > 0 {
		e := r.replay[0]
		parkedLast = e.Kind == EntryPark
		switch e.Kind {
		case EntryPark:
			r.replay = r.replay[1:]
		case EntryHear:
			var m *Message
			if m, err = heardMessage(r.c.id, e); err != nil {
				return err
			}
			r.replay = r.replay[1:]
			done, err = r.dialog.Step(ctx, m)
		default:
			return divergence("hear", e)
		}
	}
	switch {
	case err != nil:
		return err
	case len(r.replay) > 0:
		return divergence("the end of the run", r.replay[0])
	}
	if !done && parkedLast {
		return nil // parked in HEAR, as the journal left it
	}
	// Live from here: the rest of the turn the crash interrupted.
	_, err = r.settle(ctx, done, nil)
	return err
}

// backlog gives the dialog the user messages stored after seq, up to
// last: those stored before the load read the session (each one stored
// since is queued for the dialog goroutine as it is stored, or handed over
// by catchUp with several nodes). A message stored while the bot was off
// is taken unheard (conv.unheard).
func (r *runner) backlog(ctx context.Context, seq, last int64) error {
	for seq < last {
		msgs, err := r.c.hub.store.FindMessages(ctx, MessageFilter{SessionID: r.c.id, AfterSeq: seq, BeforeSeq: last + 1, Limit: 100})
		if err != nil || len(msgs) == 0 {
			return err
		}
		for _, m := range msgs {
			seq = m.Seq
			if m.Sender != SenderUser {
				continue
			}
			if r.c.unheard(m.Seq) {
				if err := r.skip(ctx, m); err != nil {
					return err
				}
				continue
			}
			if err := r.give(ctx, m); err != nil {
				if !IsKind(err, KindDialog) {
					return err
				}
				r.c.stepFailed(err) // the bot's failure: tell the conversation, go on
			}
		}
	}
	return nil
}

func divergenceError(err error) error {
	if errors.Is(err, errDiverged) {
		return err
	}
	return &Error{Kind: KindDialog, Message: "the bot was changed; send a message to start again", Err: err}
}
