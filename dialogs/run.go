package dialogs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"parley/runtime"
)

// thread is one run of a bot's script, from its first line until it
// returns or fails, over as many turns as it takes (yield.go). Each run gets a fresh Lua
// state, so nothing but memory (SET/GET) survives from one run to the next,
// exactly as when a dialog is rebuilt after a restart.
type thread struct {
	d      *dialog
	L      *lua.LState
	names  *namer
	turn   turn             // the turn in progress
	input  *runtime.Message // for the next HEAR: the turn's message; nil once heard
	wants  hearOpts         // what the HEAR the run yielded in accepts
	heard  *runtime.Message // the message HEAR took last (ATTACHMENTS)
	typing bool             // the typing indicator is shown
	calls  int              // DialogHost calls this turn (maxTurnCalls)

	// ctx is the context of host calls (a hostContext): the turn's values
	// and deadline, done when the run is stopped.
	ctx context.Context

	// run is Lua's context (L.SetContext). Cancelling it stops the script at
	// its next instruction; the cause says why (see outcome).
	run    context.Context
	stop   context.CancelCauseFunc
	budget *budget
	mem    *memory
	unhook func() bool // detaches run from the turn's context
}

// Causes of a stopped run besides the budget and Close.
type (
	hostFailure  struct{ err error } // a DialogHost call failed
	turnCanceled struct{ err error } // the caller's Step context ended
)

func (h hostFailure) Error() string  { return "the conversation failed: " + h.err.Error() }
func (c turnCanceled) Error() string { return "the turn was cancelled: " + c.err.Error() }

// endTyping hides the typing indicator when a run ends, unless the run
// was stopped by Close, the caller or the host (which must not be called
// again). A script error or an exhausted budget still hides it.
func (th *thread) endTyping() error {
	if !th.typing || th.d.life.Err() != nil {
		return nil
	}
	var hf hostFailure
	var tc turnCanceled
	if cause := context.Cause(th.run); errors.As(cause, &hf) || errors.As(cause, &tc) {
		return nil
	}
	th.typing = false
	return th.d.host.Typing(th.turn.ctx, false)
}

func (d *dialog) newThread(t turn) *thread {
	run, stop := context.WithCancelCause(d.life)
	th := &thread{d: d, input: t.input, run: run, stop: stop, names: newNamer()}
	th.mem = newMemory(th, d.eng.cfg.MemoryBudget)
	th.budget = newBudget(d.eng.cfg.TurnTimeout, func() { stop(budgetError(d.eng.cfg.TurnTimeout)) }, &th.mem.lua)
	th.L = newState()
	// L is resumed by a parent (yield.go), not called: a Call or PCall
	// into it from Go (pcall, metamethods) must not take it for the main
	// state, which gopher-lua does when G.MainThread is nil (callR).
	th.L.G.MainThread, th.L.G.CurrentThread = th.L, nil
	th.watch()
	installAPI(th.L, th)
	watch.add(th.mem)
	th.begin(t)
	return th
}

func budgetError(limit time.Duration) error {
	return fmt.Errorf("%w: the turn ran Lua for more than %v", ErrTimeBudget, limit)
}

// begin starts a turn: a fresh time budget and call count, and Lua stops
// if the caller cancels the Step.
func (th *thread) begin(t turn) {
	th.turn = t
	th.calls = 0
	if t.input != nil {
		th.mem.beginTurn(len(t.input.Content))
	}
	th.ctx = hostContext{turn: t.ctx, run: th.run}
	th.unhook = context.AfterFunc(t.ctx, func() { th.stop(turnCanceled{context.Cause(t.ctx)}) })
	th.budget.renew()
}

// finish ends a turn before the script waits in HEAR; a run over its
// memory budget is stopped here (memory.endTurn).
func (th *thread) finish() {
	th.budget.pause()
	th.mem.endTurn()
	th.release()
}

// release detaches the run from the turn's context, which is no longer
// consulted. If that context ended just now, the run is stopped here, so
// that its cause is set before anyone checks, not during the next turn.
func (th *thread) release() {
	if th.unhook != nil && !th.unhook() {
		th.stop(turnCanceled{context.Cause(th.turn.ctx)})
	}
	th.unhook = nil
}

func (th *thread) close() {
	th.budget.pause()
	th.release()
	th.stop(context.Canceled)
	watch.remove(th.mem)
	th.L.Close()
}

// fail stops the run because the conversation itself failed; the script is
// not to blame and cannot catch it (pcall sees the error, but the next
// instruction stops again).
func (th *thread) fail(err error) {
	th.stop(hostFailure{err})
	th.L.RaiseError("%v", hostFailure{err})
}

// outcome classifies how PCall ended. Only a fault of the script becomes a
// ScriptError; Close, a cancelled Step and a failing host pass through.
func (th *thread) outcome(err error) result {
	if err == nil {
		return result{}
	}
	cause := context.Cause(th.run)
	var hf hostFailure
	var tc turnCanceled
	switch {
	case th.d.life.Err() != nil:
		return result{err: runtime.Errorf(runtime.KindUnavailable, "the dialog is closed")}
	case errors.As(cause, &hf):
		return result{err: hf.err}
	case errors.As(cause, &tc):
		return result{err: tc.err}
	}
	se := scriptErrorOf(th.d.script.Bot, err)
	if errors.Is(cause, ErrTimeBudget) || errors.Is(cause, ErrMemoryBudget) {
		se.Err = cause
	}
	se.Err = clipError(se.Err)
	th.d.logFailure(se)
	return result{err: dialogError(se)}
}

func (d *dialog) logFailure(se *ScriptError) {
	d.eng.cfg.Logger.Error("bot script failed",
		"bot", se.Bot, "version", d.script.Version, "session", d.session.ID,
		"file", se.File, "line", se.Line, "err", se.Err)
}

// hostContext is the context of host calls: it has the values and the
// deadline of the turn's context, and is done when the run is stopped,
// which the end of the turn's context does too (begin's AfterFunc), as do
// Close, the time budget and a failed host call. So a WAIT or a slow
// commit ends at Close, and no context is made per turn.
type hostContext struct {
	turn context.Context
	run  context.Context
}

func (c hostContext) Deadline() (time.Time, bool) { return c.turn.Deadline() }
func (c hostContext) Done() <-chan struct{}       { return c.run.Done() }
func (c hostContext) Err() error                  { return c.run.Err() }
func (c hostContext) Value(key any) any           { return c.turn.Value(key) }

// watch makes the run's context L's (keywords and pattern matches find
// their run in it: threadOf, runOf) and gives L its instruction hook
// (memory.hook): the memory budget's clock, and the check that stops the
// script once the run is stopped (the time or memory budget, Close, a
// cancelled Step). Pattern matches, which run within one instruction,
// check stopped instead (patterns.go).
func (th *thread) watch() {
	c := &luaContext{run: th.run, done: th.run.Done(), mem: th.mem}
	c.check = c.stopped
	th.L.SetContext(c)
	th.L.SetInstructionHook(th.mem.hook(c.done, c.raise))
}

// luaContext is the LState's context: run's, whose Err is run's cause
// rather than a bare "context canceled". gopher-lua does not look at it
// while the hook is set (watch).
type luaContext struct {
	run   context.Context
	done  <-chan struct{}
	mem   *memory
	check func() error // stopped, made once
}

func (c *luaContext) Deadline() (time.Time, bool) { return c.run.Deadline() }
func (c *luaContext) Value(key any) any           { return c.run.Value(key) }
func (c *luaContext) Done() <-chan struct{}       { return c.done }

func (c *luaContext) Err() error {
	if c.run.Err() == nil {
		return nil
	}
	return context.Cause(c.run)
}

// raise raises a stopped run's cause ("Lua time budget exceeded…") in L,
// as the VM raised a context's error. The hook calls it before each
// instruction once the run is stopped, so pcall cannot swallow it.
func (c *luaContext) raise(L *lua.LState) {
	L.RaiseError("%s", context.Cause(c.run).Error())
}

// maxErrorText bounds the message of a ScriptError: error(s) with a huge
// s would otherwise go whole into the log.
const maxErrorText = 4 << 10

func clipError(err error) error {
	msg := err.Error()
	if len(msg) <= maxErrorText {
		return err
	}
	return fmt.Errorf("%s… (%d bytes)", strings.ToValidUTF8(msg[:maxErrorText], ""), len(msg))
}
