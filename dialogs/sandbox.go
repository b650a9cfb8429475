package dialogs

import (
	"fmt"
	"maps"
	"slices"
	"sort"

	lua "github.com/yuin/gopher-lua"
)

// Sizes of a dialog's Lua state. Besides the memory budget (memory.go),
// which weighs the values a script holds, they bound the data stack and
// the call stack, which are no Lua values. A parked dialog keeps its data
// stack, so it starts small: 128 slots (gopher-lua's least) hold a
// simple script's, 2 KB. It grows to twice its size at least (a patch of
// gopher-lua's resize; a fixed step of 512 made a script with 150 locals
// grow to 682 slots and a deep recursion copy the stack a hundred times),
// so a script that needs a little more gets 256 slots, what every state
// had before.
const (
	callStackSize   = 200       // Lua call depth; deep recursion fails here
	registrySize    = 128       // initial data stack slots (16 B each)
	registryMaxSize = 64 * 1024 // data stack cap: 1 MiB
	registryGrow    = 64        // least growth beyond what is needed
)

// libraries are the only standard libraries a script gets: no os, io,
// package, debug, channel or coroutine. The base library comes first.
var libraries = []struct {
	name string
	open lua.LGFunction
}{
	{lua.BaseLibName, lua.OpenBase},
	{lua.TabLibName, lua.OpenTable},
	{lua.StringLibName, lua.OpenString},
	{lua.MathLibName, lua.OpenMath},
}

// baseWhitelist is the part of the base library scripts see (protocol §2).
// print, load*, dofile, require, module, getfenv/setfenv, collectgarbage,
// newproxy, _VERSION … are removed.
var baseWhitelist = map[string]bool{
	"assert": true, "error": true, "getmetatable": true, "ipairs": true,
	"next": true, "pairs": true, "pcall": true, "rawequal": true,
	"rawget": true, "rawset": true, "select": true, "setmetatable": true,
	"tonumber": true, "tostring": true, "type": true, "unpack": true,
	"xpcall": true, "_G": true,
	"string": true, "table": true, "math": true,
}

// newState returns a sandboxed Lua state: the whitelisted library and
// the keywords, and USER's place in the global table (installAPI sets
// it).
//
// A parked dialog keeps its state for as long as the conversation lives,
// so what a state holds from the start is paid per conversation
// (docs/benchmarks.md, "The Lua engine"). Its global and library tables
// are therefore copy-on-write copies of templates made once (templates):
// they share the templates' entries and key order until the script
// writes them. Only what differs per state is written here: _G and the
// library tables in the global table, which copies the global table's
// values but keeps sharing its key order. The library functions find what
// they need per state (the memory budget, the namer, the dialog's random
// numbers) in L's context, the run (newThread), as the keywords do.
// gopher-lua's registry, with room for 32 keys, is replaced by an empty
// table: it holds only what require and module keep, and both are
// removed.
func newState() *lua.LState {
	L := lua.NewState(lua.Options{
		SkipOpenLibs:        true,
		CallStackSize:       callStackSize,
		RegistrySize:        registrySize,
		RegistryMaxSize:     registryMaxSize,
		RegistryGrowStep:    registryGrow,
		MinimizeStackMemory: true,
	})
	g := templates.global.CopyOnWrite()
	L.G.Global, L.Env = g, g
	L.G.Registry = L.CreateTable(0, 0)
	g.RawSetString("_G", g)
	for _, name := range libraryTables {
		g.RawSetString(name, templates.libs[name].CopyOnWrite())
	}
	// Strings' metatable: its __index is this state's string table, so
	// that a function a script adds to it is a method of its strings, as
	// in Lua.
	mt := templates.stringMeta.CopyOnWrite()
	mt.RawSetString("__index", g.RawGetString(lua.StringLibName))
	L.SetMetatable(lua.LString(""), mt)
	return L
}

// templates are the tables every state's global and library tables, and
// its strings' metatable, are copies of (newState). They are made once,
// before any state, and never written after: a write to a copy copies
// what it changes (gopher-lua's LTable.CopyOnWrite, a patch). Their keys
// are inserted in sorted order, which fixes the order pairs() walks them
// (doc.go, "Determinism"), the same in every state; gopher-lua's own
// opening fills them from Go maps, in an order that changes from one
// state to the next. The global table holds the library's globals, then
// the keywords, then USER: set and removed, so that the key has its place
// in the order without a value (a gopher-lua table never forgets a key)
// and installAPI's USER does not add a key to the copy.
var templates = func() (t struct {
	global     *lua.LTable
	libs       map[string]*lua.LTable
	stringMeta *lua.LTable
}) {
	t.libs = make(map[string]*lua.LTable, len(libraryTables))
	for _, name := range libraryTables {
		t.libs[name] = shared.CreateTable(0, len(library[name]))
		for _, e := range library[name] {
			t.libs[name].RawSetString(e.key, e.value)
		}
	}
	g := shared.CreateTable(0, len(library[""])+len(apiNames)+1)
	for _, e := range library[""] {
		v := e.value
		switch {
		case e.key == "_G":
			v = g
		case t.libs[e.key] != nil:
			v = t.libs[e.key]
		}
		g.RawSetString(e.key, v)
	}
	for _, name := range apiNames {
		g.RawSetString(name, keywords[name])
	}
	g.RawSetString("USER", lua.LFalse)
	g.RawSetString("USER", lua.LNil)
	explainMissing(g, "", removedGlobals)
	hardenBase(g)
	hardenTable(g, t.libs[lua.TabLibName])
	hardenString(t.libs[lua.StringLibName])
	hardenMath(t.libs[lua.MathLibName])
	t.stringMeta = shared.CreateTable(0, 2)
	t.stringMeta.RawSetString("__index", t.libs[lua.StringLibName])
	t.stringMeta.RawSetString("__metatable", lua.LFalse)
	// The first copy of a table marks it as shared, a write; later copies,
	// on any goroutine, only read it.
	for _, tb := range append([]*lua.LTable{g, t.stringMeta}, slices.Collect(maps.Values(t.libs))...) {
		tb.CopyOnWrite()
	}
	t.global = g
	return t
}()

// libraryRun is the run of the state a shared library function was called
// in (newThread gives every dialog's state its run as its context): it
// holds what the function keeps per state.
func libraryRun(L *lua.LState) *luaContext {
	c, ok := L.Context().(*luaContext)
	if !ok {
		L.RaiseError("the library works only in a dialog's run")
	}
	return c
}

// shared is the state that makes the functions every state shares: the
// standard library's and the keywords. It lives as long as the process.
// Such a function keeps nothing per state (it takes the calling state as
// its argument, and the keywords find their thread in its context), and
// making them anew cost each dialog ~5 KB for as long as it is parked.
// Their environment is an empty table no script can reach (getfenv is
// removed), so that a memory walk does not wander into shared's globals.
var shared, sharedEnv = func() (*lua.LState, *lua.LTable) {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	return L, L.CreateTable(0, 0)
}()

// library is the standard library as a script starts with it, opened
// once in shared: the whitelisted globals and the library tables'
// entries, each list in sorted key order, with Parley's pattern functions
// (patterns.go) for gopher-lua's and without string.dump and
// string.__index (gopher-lua's string table is its strings' metatable;
// hardenString gives them another). Every state gets these very values
// instead of opening the libraries itself.
var library = func() map[string][]entry {
	L := shared
	for _, lib := range libraries {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	lib := map[string][]entry{"": sortedEntries(L.G.Global)}
	for _, name := range libraryTables {
		lib[name] = sortedEntries(L.GetGlobal(name).(*lua.LTable))
	}
	str := lib[lua.StringLibName][:0]
	for _, e := range lib[lua.StringLibName] {
		switch e.key {
		case "dump", "__index":
			continue
		case "find", "match", "gsub":
			e.value = patternFunctions[e.key]
		case "gmatch", "gfind":
			e.value = gmatch
		}
		str = append(str, e)
	}
	lib[lua.StringLibName] = str
	kept := lib[""][:0]
	for _, e := range lib[""] {
		if baseWhitelist[e.key] {
			kept = append(kept, e)
		}
	}
	lib[""] = kept
	return lib
}()

// sharedFunctions makes fns into functions of shared.
func sharedFunctions(fns map[string]lua.LGFunction) map[string]*lua.LFunction {
	out := make(map[string]*lua.LFunction, len(fns))
	for name, fn := range fns {
		f := shared.NewFunction(fn)
		f.Env = sharedEnv
		out[name] = f
	}
	return out
}

// libraryTables are the libraries that are tables of their own.
var libraryTables = []string{lua.TabLibName, lua.StringLibName, lua.MathLibName}

type entry struct {
	key   string
	value lua.LValue
}

// sortedEntries lists t's string keys and values in sorted key order,
// giving its functions (and those they hold as upvalues) the environment
// sharedEnv.
func sortedEntries(t *lua.LTable) []entry {
	var out []entry
	t.ForEach(func(k, v lua.LValue) {
		if s, ok := k.(lua.LString); ok {
			out = append(out, entry{string(s), v})
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	for _, e := range out {
		if f, ok := e.value.(*lua.LFunction); ok {
			f.Env = sharedEnv
			for _, uv := range f.Upvalues {
				if g, ok := uv.Value().(*lua.LFunction); ok {
					g.Env = sharedEnv
				}
			}
		}
	}
	return out
}

// namer names the tables, functions and userdata of one Lua state for
// tostring: "table: 1", "function: 2", … in the order the script first
// shows them. gopher-lua shows their memory address instead ("table:
// 0xc000123456"), which differs between a run and its replay. Past
// maxNames objects, further ones are shown by type alone, so that a loop
// of tostring({}) cannot grow the map without bound.
type namer struct {
	ids map[lua.LValue]int
}

const maxNames = 10000

func newNamer() *namer { return &namer{ids: make(map[lua.LValue]int)} }

// show is v as tostring shows it, without metamethods.
func (n *namer) show(v lua.LValue) string {
	switch v.(type) {
	case *lua.LTable, *lua.LFunction, *lua.LUserData, *lua.LState:
	default:
		return v.String()
	}
	id, ok := n.ids[v]
	if !ok {
		if len(n.ids) >= maxNames {
			return v.Type().String()
		}
		id = len(n.ids) + 1
		n.ids[v] = id
	}
	return fmt.Sprintf("%s: %d", v.Type(), id)
}

// tostring is Lua's tostring: __tostring if v has one, else show.
func (n *namer) tostring(L *lua.LState, v lua.LValue) lua.LValue {
	if _, ok := L.GetMetaField(v, "__tostring").(*lua.LFunction); ok {
		return L.ToStringMeta(v)
	}
	return lua.LString(n.show(v))
}

// hardenBase limits getmetatable and setmetatable to tables, as in Lua 5.1:
// the metatables of strings (and other built-in types) belong to the host.
// tostring names objects without their address (namer).
func hardenBase(g *lua.LTable) {
	setmt := g.RawGetString("setmetatable").(*lua.LFunction)
	fns := sharedFunctions(map[string]lua.LGFunction{
		"tostring": func(L *lua.LState) int {
			L.Push(libraryRun(L).mem.th.names.tostring(L, L.CheckAny(1)))
			return 1
		},
		"getmetatable": func(L *lua.LState) int {
			if t, ok := L.CheckAny(1).(*lua.LTable); ok {
				L.Push(L.GetMetatable(t))
				return 1
			}
			L.Push(lua.LNil)
			return 1
		},
		"setmetatable": func(L *lua.LState) int {
			L.CheckTable(1)
			L.Insert(setmt, 1)
			L.Call(L.GetTop()-1, 1)
			return 1
		},
	})
	for name, f := range fns {
		g.RawSetString(name, f)
	}
}

// removedGlobals are the names a script writer coming from plain Lua may
// reach for, with a hint; using one fails with a message that names it,
// instead of gopher-lua's bare "attempt to call a non-function object".
var removedGlobals = map[string]string{
	"print": "use LOG", "os": "use NOW for the time", "io": "", "debug": "",
	"require": "", "module": "", "package": "", "load": "", "loadstring": "",
	"loadfile": "", "dofile": "", "getfenv": "", "setfenv": "", "newproxy": "",
	"collectgarbage": "", "coroutine": "", "channel": "",
}

// explainMissing gives t a protected metatable whose __index raises an
// error for the names in missing. Other absent keys still read as nil, as
// Lua code expects. t is a template (templates): its copies share the
// metatable, which no script can reach (getmetatable returns its
// __metatable, false) and nothing writes.
func explainMissing(t *lua.LTable, prefix string, missing map[string]string) {
	mt := shared.CreateTable(0, 2) // NewTable reserves 32 slots and a 32-key map
	mt.RawSetString("__metatable", lua.LFalse)
	mt.RawSetString("__index", sharedFunctions(map[string]lua.LGFunction{"": func(L *lua.LState) int {
		name := L.Get(2).String()
		hint, ok := missing[name]
		if !ok {
			L.Push(lua.LNil)
			return 1
		}
		if hint != "" {
			hint = "; " + hint
		}
		L.RaiseError("%s%s is not available to bots%s", prefix, name, hint)
		return 0
	}})[""])
	t.Metatable = mt
}
