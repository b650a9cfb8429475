package dialogs

import (
	"fmt"
	"sync"

	lua "github.com/yuin/gopher-lua"
)

// A run does not keep a goroutine while it waits for the user. Its state
// is resumed, in gopher-lua's sense, by a parent state (LState.Resume)
// instead of called, so that HEAR can yield: the VM leaves the Lua frames
// where they are and Resume returns to the turn's goroutine, which
// reports the turn and ends. The next turn gives its message to that
// HEAR (answer) and resumes the state with the answer as HEAR's result.
//
// A yield can only leave Lua frames that the turn's Resume runs. pcall,
// xpcall, metamethods, table.sort's comparator and gsub's function call
// Lua from Go, on the Go stack, which a yield cannot unwind (the Go call
// would go on as if the Lua frames had returned): there CallDepth is not
// 0 and HEAR blocks its goroutine instead (dialog.park), as before.
// Such a run keeps a goroutine until it next yields or ends.

// play runs turn t on the turn's goroutine: a run from the top, or the
// parked run's HEAR given t's message.
func (d *dialog) play(t turn) result {
	if d.th == nil {
		d.th = d.newThread(t)
		return d.th.resume(d.th.L.NewFunctionFromProto(d.proto))
	}
	return d.th.answer(t)
}

// answer gives turn t's message (Step passes no nil one here: a nil
// input while waiting does nothing) to the HEAR the run yielded in. HEAR's
// Go part runs again, called through PCall on the parked state, so that
// it checks the answer, says the retry text and raises errors (a failing
// host) with the state's frames in place, at HEAR's line, as when it
// first ran. An answer that fits resumes the script; one that does not
// leaves it parked.
func (th *thread) answer(t turn) result {
	th.begin(t)
	th.input = t.input
	L := th.L
	top := L.GetTop()
	L.Push(answerFunction)
	if err := vmSafe(func() error { return L.PCall(0, lua.MultRet, nil) }); err != nil {
		return th.end(err)
	}
	if L.GetTop() == top {
		return result{waiting: true} // HEAR asked again (listen)
	}
	v := L.Get(top + 1)
	L.SetTop(top)
	return th.resume(nil, v)
}

// answerFunction calls listen for the HEAR the run yielded in. It keeps
// nothing per state, so one serves all (like the keywords, sandbox.go).
var answerFunction = func() *lua.LFunction {
	fn := shared.NewFunction(func(L *lua.LState) int {
		th := threadOf(L)
		return th.listen(L, th.wants, true)
	})
	fn.Env = sharedEnv
	return fn
}()

// resume runs the run's state from where it yielded, with args as the
// results of that HEAR, or fn from its start, until it yields again,
// returns or fails.
func (th *thread) resume(fn *lua.LFunction, args ...lua.LValue) result {
	parent := parents.Get().(*lua.LState)
	parent.G = th.L.G
	var st lua.ResumeState
	err := vmSafe(func() (err error) {
		st, err, _ = parent.Resume(th.L, fn, args...)
		return err
	})
	th.L.G.CurrentThread = nil // the parent, which goes back to the pool
	parent.G = nil
	if err == nil && len(parent.DataStack()) <= parentRegistry {
		parents.Put(parent) // not one a failure left or return values grew
	}
	if st == lua.ResumeYield && err == nil {
		return result{waiting: true}
	}
	return th.end(err)
}

// parents are the states that resume runs. A parent only receives what
// the run yields (nothing) or returns, and holds nothing between two
// resumes, so the turns of all dialogs share a few.
var parents = sync.Pool{New: func() any {
	return lua.NewState(lua.Options{
		SkipOpenLibs:        true,
		CallStackSize:       1,
		MinimizeStackMemory: true,
		RegistrySize:        parentRegistry,
		RegistryMaxSize:     registryMaxSize,
		RegistryGrowStep:    registryGrow,
	})
}}

const parentRegistry = 128 // gopher-lua's least

// end ends the run with err (nil: the script returned): it classifies
// err, hides the typing indicator and frees the state.
func (th *thread) end(err error) result {
	th.budget.pause()
	r := th.outcome(err)
	if herr := th.endTyping(); herr != nil {
		r.err = herr // the host failed: that is what the caller must know
	}
	th.close()
	th.d.th = nil
	return r
}

// vmSafe runs f, a call into the VM. gopher-lua can panic past its own
// recovery: an error raised in the middle of a tail call (the data stack
// overflowing under `return f(x, ...)`) makes its traceback index a
// position -1. Such a panic ends the run like a script error instead of
// the process.
func vmSafe(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("the Lua VM failed: %v", p)
		}
	}()
	return f()
}
