package dialogs

import (
	"context"
	"fmt"
	"maps"
	"slices"

	lua "github.com/yuin/gopher-lua"
)

// api is the single table of everything a bot script sees beyond the
// whitelisted standard library (sandbox.go). Every name is an UPPERCASE
// conversation keyword; doc.go documents each one, and keywords_doc.go
// describes it for the reference and editors (tests check both).
// USER, a table rather than a function, is set by installAPI.
var api = map[string]lua.LGFunction{
	"TALK":    luaTalk,
	"SUGGEST": luaSuggest,
	"TYPING":  luaTyping,
	"HEAR":    luaHear,
	"MENU":    luaMenu,
	"SET":     luaSet,
	"GET":     luaGet,
	"NOW":     luaNow,
	"RANDOM":  luaRandom,
	"WAIT":    luaWait,
	"LOG":     luaLog,

	"ATTACHMENTS": luaAttachments,

	"TRANSFER": luaTransfer,

	"HTTP_GET":  luaHTTPGet,
	"HTTP_POST": luaHTTPPost,

	"LLM":     luaLLM,
	"HISTORY": luaHistory,
}

// apiNames are api's keys, sorted: globals are set in this order, so that
// pairs(_G) is the same in every state.
var apiNames = slices.Sorted(maps.Keys(api))

// keywords are api's functions, made once and shared by every state
// (sandbox.go, shared): a keyword finds its thread in the state's context.
var keywords = sharedFunctions(api)

// installAPI gives L th's USER table. (The keywords are in every state's
// global table from the start: newState, templates.)
func installAPI(L *lua.LState, th *thread) {
	L.SetGlobal("USER", userTable(L, th))
}

// threadOf returns the thread a keyword was called on: the one whose run
// is L's context (newThread), which scripts cannot reach.
func threadOf(L *lua.LState) *thread {
	c, ok := L.Context().(*luaContext)
	if !ok {
		L.RaiseError("a keyword was called outside a dialog's run")
	}
	return c.mem.th
}

// maxTurnCalls bounds the DialogHost calls of one turn (from one user
// message to the next HEAR). Time in the host does not count against the
// Lua time budget, so without it `while true do TALK "x" end` would talk,
// and grow the journal, for ever.
const maxTurnCalls = 1000

// host makes one DialogHost call for the script: not at all once the run
// is stopped or the turn's context has ended, outside the time budget,
// with a context that ends when the run is stopped (Close, a cancelled
// Step). An error of the host ends the run (fail).
func (th *thread) host(call func(ctx context.Context) error) {
	if th.turn.ctx.Err() != nil {
		// The caller gave up; begin's AfterFunc may not have run yet.
		th.stop(turnCanceled{context.Cause(th.turn.ctx)})
	}
	if cause := context.Cause(th.run); cause != nil {
		th.L.RaiseError("%v", cause)
	}
	th.calls++
	if th.calls > maxTurnCalls {
		th.L.RaiseError("more than %d keyword calls (TALK, GET, NOW, WAIT…) in one turn", maxTurnCalls)
	}
	held := th.budget.hold()
	err := call(th.ctx)
	if held {
		th.budget.resume()
	}
	if err != nil {
		th.fail(err)
	}
}

// describe shows a value in an error message the same way in every run:
// strings quoted, numbers and booleans as such, anything else by type
// (String would show a table's address).
func describe(v lua.LValue) string {
	switch v := v.(type) {
	case lua.LString:
		return fmt.Sprintf("%q", string(v))
	case lua.LNumber, lua.LBool:
		return v.String()
	}
	return "a " + v.Type().String()
}
