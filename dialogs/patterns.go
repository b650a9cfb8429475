package dialogs

import (
	"strings"
	"unsafe"

	lua "github.com/yuin/gopher-lua"

	"parley/dialogs/internal/luapattern"
)

// The pattern functions string.find, match, gmatch (and gfind) and gsub
// are Parley's, on luapattern, a copy of gopher-lua's matcher that counts
// its steps: every luapattern.CheckEvery steps a match looks at the run's
// context, and once the run is stopped (the time budget, Close, …) it
// raises the same error the VM raises at its next instruction. gopher-lua
// matches in Go, within one instruction the context cannot interrupt, and
// a backtracking pattern ran for minutes past the turn's budget. Besides
// that and gmatch matching at each iteration (below), they are
// gopher-lua's, line for line; TestPatternsLikeGopherLua compares them.
//
// Like the rest of the library they are shared by every state (sandbox.go,
// shared): what they need of a run, they find in the state's context.

// patternFunctions replace gopher-lua's in the library every state opens.
var patternFunctions = sharedFunctions(map[string]lua.LGFunction{
	"find":  strFind,
	"match": strMatch,
	"gsub":  strGsub,
})

// gmatch is string.gmatch and string.gfind (the same function, as in
// gopher-lua); gmatchIter is the iterator it returns.
var (
	gmatchIter = sharedFunctions(map[string]lua.LGFunction{"": strGmatchIter})[""]
	gmatch     = sharedFunctions(map[string]lua.LGFunction{"": strGmatch})[""]
)

// runOf is L's context, which every dialog's state has (newThread).
func runOf(L *lua.LState) *luaContext {
	c, ok := L.Context().(*luaContext)
	if !ok {
		L.RaiseError("string patterns work only in a dialog's run")
	}
	return c
}

// stopped is a match's check: the run's error once it is stopped.
func (c *luaContext) stopped() error {
	select {
	case <-c.done:
		return c.Err()
	default:
		return nil
	}
}

// find is luapattern.Find on L's run: a stopped run, like a malformed
// pattern, raises its error, with the message the VM would raise.
func find(L *lua.LState, pat, s string, offset, limit int) []*luapattern.MatchData {
	mds, err := luapattern.Find(pat, bytesOf(s), offset, limit, runOf(L).check)
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	return mds
}

// bytesOf is s as bytes, without a copy: the matcher only reads them.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// strFind is gopher-lua's string.find(s, pattern [, init [, plain]]).
func strFind(L *lua.LState) int {
	str := L.CheckString(1)
	pattern := L.CheckString(2)
	if len(pattern) == 0 {
		L.Push(lua.LNumber(1))
		L.Push(lua.LNumber(0))
		return 2
	}
	init := luaIndex2StringIndex(str, L.OptInt(3, 1), true)
	plain := false
	if L.GetTop() == 4 {
		plain = lua.LVAsBool(L.Get(4))
	}
	if plain {
		if init > len(str) {
			// gopher-lua slices past the end and panics; Lua says nil.
			L.Push(lua.LNil)
			return 1
		}
		pos := strings.Index(str[init:], pattern)
		if pos < 0 {
			L.Push(lua.LNil)
			return 1
		}
		L.Push(lua.LNumber(init+pos) + 1)
		L.Push(lua.LNumber(init + pos + len(pattern)))
		return 2
	}
	mds := find(L, pattern, str, init, 1)
	if len(mds) == 0 {
		L.Push(lua.LNil)
		return 1
	}
	md := mds[0]
	L.Push(lua.LNumber(md.Capture(0) + 1))
	L.Push(lua.LNumber(md.Capture(1)))
	return 2 + pushCaptures(L, str, md)
}

// luaIndex2StringIndex is gopher-lua's: a Lua string index (from 1,
// negative from the end) as a Go one.
func luaIndex2StringIndex(str string, i int, start bool) int {
	if start && i != 0 {
		i -= 1
	}
	l := len(str)
	if i < 0 {
		i = l + i + 1
	}
	i = max(0, i)
	if !start && i > l {
		i = l
	}
	return i
}

// strMatch is gopher-lua's string.match(s, pattern [, init]). No match
// returns no value (gopher-lua's, where Lua returns nil).
func strMatch(L *lua.LState) int {
	str := L.CheckString(1)
	pattern := L.CheckString(2)
	offset := L.OptInt(3, 1)
	l := len(str)
	if offset < 0 {
		offset = l + offset + 1
	}
	offset--
	if offset < 0 {
		offset = 0
	}
	mds := find(L, pattern, str, offset, 1)
	if len(mds) == 0 {
		L.Push(lua.LNil)
		return 0
	}
	md := mds[0]
	if md.CaptureLength() == 2 {
		L.Push(lua.LString(str[md.Capture(0):md.Capture(1)]))
		return 1
	}
	return pushCaptures(L, str, md)
}

// pushCaptures pushes a match's captures: strings, or positions for ().
func pushCaptures(L *lua.LState, str string, md *luapattern.MatchData) int {
	for i := 2; i < md.CaptureLength(); i += 2 {
		if md.IsPosCapture(i) {
			L.Push(lua.LNumber(md.Capture(i)))
		} else {
			L.Push(lua.LString(str[md.Capture(i):md.Capture(i+1)]))
		}
	}
	return md.CaptureLength()/2 - 1
}

// gmatchState is what a gmatch iterator keeps between iterations.
type gmatchState struct {
	str string
	m   *luapattern.Matcher
}

// strGmatch is string.gmatch(s, pattern). Like gopher-lua's it returns
// its iterator and a userdata for its state; a malformed pattern fails
// here. Unlike gopher-lua's, which finds every match at this call, each
// iteration finds the next one, under the run's check, so a long subject
// costs no memory for matches not yet used. Errors only matching can find
// (a back-reference to an open capture, a pattern too complex for its
// input) are raised by the iteration that meets them, not by this call.
func strGmatch(L *lua.LState) int {
	str := L.CheckString(1)
	m, err := luapattern.NewMatcher(L.CheckString(2), bytesOf(str), runOf(L).check)
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	L.Push(gmatchIter)
	ud := L.NewUserData()
	ud.Value = &gmatchState{str: str, m: m}
	L.Push(ud)
	return 2
}

// strGmatchIter returns the next match's captures (the whole match when
// the pattern has none), or nothing at the end.
func strGmatchIter(L *lua.LState) int {
	st, ok := L.CheckUserData(1).Value.(*gmatchState)
	if !ok {
		L.ArgError(1, "not a gmatch state")
	}
	md, err := st.m.Next()
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	if md == nil {
		return 0
	}
	if md.CaptureLength() == 2 {
		L.Push(lua.LString(st.str[md.Capture(0):md.Capture(1)]))
		return 1
	}
	return pushCaptures(L, st.str, md)
}
