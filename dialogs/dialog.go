package dialogs

import (
	"context"

	lua "github.com/yuin/gopher-lua"

	"parley/runtime"
)

// dialog is one conversation's script. Step and Close run on the caller's
// goroutine; the script runs on the dialog's own goroutine (loop), and the
// two hand over through turns and results, so at any moment exactly one of
// them is working. That hand-over is what lets the script call the
// DialogHost "only while Step runs".
type dialog struct {
	eng     *Engine
	script  runtime.Script     // the version this dialog runs, every run
	proto   *lua.FunctionProto // script compiled
	session runtime.Session    // a copy: the caller may change its own
	host    runtime.DialogHost

	turns   chan turn   // Step → loop: the next input
	results chan result // loop → Step: how the turn ended
	life    context.Context
	end     context.CancelFunc
	done    chan struct{} // closed when loop has returned

	// Owned by the caller's goroutine.
	started bool
	waiting bool // the script is parked in HEAR
	closed  bool
}

// turn is one Step: its context (for host calls and to stop Lua when the
// caller gives up) and the user message, nil at conversation start.
type turn struct {
	ctx   context.Context
	input *runtime.Message
}

// result is how a turn ended: parked in HEAR (waiting), or the script
// returned (err nil) or failed.
type result struct {
	waiting bool
	err     error
}

var _ runtime.Dialog = (*dialog)(nil)

func newDialog(e *Engine, sc *runtime.Script, proto *lua.FunctionProto, s *runtime.Session, host runtime.DialogHost) *dialog {
	life, end := context.WithCancel(context.Background())
	return &dialog{
		eng: e, script: *sc, proto: proto, session: *s, host: host,
		turns:   make(chan turn),
		results: make(chan result),
		life:    life, end: end,
		done: make(chan struct{}),
	}
}

// Step implements runtime.Dialog: done is false only when the script
// waits in HEAR and there is no error. A nil input while the script
// already waits in HEAR does nothing: there is nothing to hear.
func (d *dialog) Step(ctx context.Context, input *runtime.Message) (done bool, err error) {
	if d.closed {
		return true, runtime.Errorf(runtime.KindUnavailable, "the dialog is closed")
	}
	if input == nil && d.waiting {
		return false, nil
	}
	if !d.started {
		d.started = true
		go d.loop()
	}
	d.turns <- turn{ctx: ctx, input: input}
	select {
	case r := <-d.results:
		d.waiting = r.waiting && r.err == nil
		return !d.waiting, r.err
	case <-d.done: // only if loop died, which it should not
		d.waiting = false
		return true, runtime.Errorf(runtime.KindInternal, "the dialog stopped")
	}
}

// Close stops the script wherever it is (parked in HEAR, looping, in WAIT),
// waits for its goroutine to end and frees its Lua state.
func (d *dialog) Close() {
	if d.closed {
		return
	}
	d.closed = true
	d.end()
	if d.started {
		<-d.done
	}
}

// loop is the dialog's goroutine: it waits for a turn, runs the script from
// the top, and reports how the last turn of that run ended. The turns in
// between are consumed by HEAR inside run.
func (d *dialog) loop() {
	defer close(d.done)
	for {
		select {
		case t := <-d.turns:
			r := d.run(t)
			if d.life.Err() != nil {
				return // closed while parked: nobody waits for r
			}
			d.results <- r
		case <-d.life.Done():
			return
		}
	}
}

// park reports the end of a turn to Step and waits for the next one. It
// returns false when the dialog is closed instead.
func (d *dialog) park(r result) (turn, bool) {
	d.results <- r
	select {
	case t := <-d.turns:
		return t, true
	case <-d.life.Done():
		return turn{}, false
	}
}
