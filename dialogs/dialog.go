package dialogs

import (
	"context"
	"sync"
	"sync/atomic"

	lua "github.com/yuin/gopher-lua"

	"parley/runtime"
)

// dialog is one conversation's script. Step and Close run on the caller's
// goroutine; a turn's Lua runs on a worker goroutine (runTurn), and
// the two hand over through results (and turns), so at any moment exactly
// one of them is working. That hand-over is what lets the script call the
// DialogHost "only while Step runs".
//
// Between turns a dialog parked in HEAR holds no goroutine: HEAR yields
// the Lua state back to the turn's goroutine, which reports and goes
// back to the workers (yield.go, workers.go). Only a HEAR inside pcall, xpcall, a metamethod or a library
// callback cannot yield (lua.LState.CallDepth): it blocks its goroutine,
// which then lives on and takes the next turns from turns, as every HEAR
// did before.
type dialog struct {
	eng     *Engine
	script  runtime.Script     // the version this dialog runs, every run
	proto   *lua.FunctionProto // script compiled
	session runtime.Session    // a copy: the caller may change its own
	host    runtime.DialogHost

	// th is the run in progress, nil before the first and after each
	// run's end. Whoever runs the turn owns it: the turn's goroutine while
	// Step waits, else the caller (Close).
	th *thread

	turns   chan turn   // Step → a goroutine blocked in HEAR: the next input
	results chan result // the turn's goroutine → Step: how the turn ended
	life    context.Context
	end     context.CancelFunc
	running sync.WaitGroup // the turn's goroutine, if any

	// Owned by the caller's goroutine.
	waiting bool // the script is parked in HEAR
	blocked bool // … on a goroutine, which takes the next turn from turns
	closed  bool
}

// turn is one Step: its context (for host calls and to stop Lua when the
// caller gives up) and the user message, nil at conversation start.
type turn struct {
	ctx   context.Context
	input *runtime.Message
}

// result is how a turn ended: parked in HEAR (waiting), on a blocked
// goroutine or not (blocked), or the script returned (err nil) or failed.
type result struct {
	waiting bool
	blocked bool
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
	t := turn{ctx: ctx, input: input}
	if d.blocked {
		d.turns <- t
	} else {
		d.running.Add(1)
		workers.run(d, t)
	}
	r := <-d.results
	d.blocked = r.blocked
	d.waiting = r.waiting && r.err == nil
	return !d.waiting, r.err
}

// Close stops the script wherever it is (parked in HEAR, looping, in WAIT),
// waits for its goroutine, if it has one, to end and frees its Lua state.
func (d *dialog) Close() {
	if d.closed {
		return
	}
	d.closed = true
	d.end()
	d.running.Wait()
	if d.th != nil { // parked by a yield: nobody else holds the state
		d.th.close()
		d.th = nil
	}
}

// runTurn runs a turn on a worker (workers.go): it starts a run or
// resumes the parked one, and reports how the turn ended. It returns
// there, unless HEAR blocks it (park), and then returns with the turn in
// which its run yields or ends. It counts itself out of busy first: when
// Close or a test has waited for running, the worker is no longer the
// dialog's.
func (d *dialog) runTurn(t turn, busy *atomic.Int64) {
	defer d.running.Done()
	defer busy.Add(-1)
	r := d.play(t)
	if d.life.Err() != nil {
		return // closed while blocked in HEAR: nobody waits for r
	}
	d.results <- r
}

// park reports the end of a turn to Step and waits for the next one, on
// the goroutine of a HEAR that cannot yield. It returns false when the
// dialog is closed instead.
func (d *dialog) park(r result) (turn, bool) {
	r.blocked = true
	d.results <- r
	select {
	case t := <-d.turns:
		return t, true
	case <-d.life.Done():
		return turn{}, false
	}
}
