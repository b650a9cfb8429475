package dialogs

import (
	lua "github.com/yuin/gopher-lua"
)

// api is the single table of everything a bot script sees beyond the
// whitelisted standard library (sandbox.go). Every name is an UPPERCASE
// conversation keyword; doc.go documents each one (a test checks it).
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
}

// installAPI binds the keywords to th: each is a closure whose one upvalue
// holds th, which scripts cannot reach (there is no debug library).
func installAPI(L *lua.LState, th *thread) {
	self := L.NewUserData()
	self.Value = th
	for name, fn := range api {
		L.SetGlobal(name, L.NewClosure(fn, self))
	}
	L.SetGlobal("USER", userTable(L, th))
}

// threadOf returns the thread a keyword was called on.
func threadOf(L *lua.LState) *thread {
	return L.Get(lua.UpvalueIndex(1)).(*lua.LUserData).Value.(*thread)
}

// call turns a failed DialogHost call into the end of the run.
func (th *thread) call(err error) {
	if err != nil {
		th.fail(err)
	}
}
