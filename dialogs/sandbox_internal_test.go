package dialogs

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// TestStateTables: a set-up state's global and library tables hold the
// library's keys in sorted order, then the keywords and USER, and nothing
// else (no key removed after set-up, which gopher-lua would keep in the
// order pairs() walks); _G is the global table and the state's
// environment; globals, libraries and the hardened functions work.
func TestStateTables(t *testing.T) {
	th := testRun(t, 1<<40)
	th.d = &dialog{}
	L := th.L
	installAPI(L, th)
	keys := func(tb *lua.LTable) []string {
		var out []string
		for k, _ := tb.Next(lua.LNil); k != lua.LNil; k, _ = tb.Next(k) {
			out = append(out, k.String())
		}
		return out
	}
	names := func(es []entry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.key)
		}
		return out
	}
	want := map[string][]string{"_G": append(append(names(library[""]), apiNames...), "USER")}
	for _, name := range libraryTables {
		want[name] = names(library[name])
	}
	if slices.Contains(want["string"], "dump") || slices.Contains(want["string"], "__index") || len(want["_G"]) < 30 {
		t.Fatalf("library is not what a state starts with: %v", want)
	}
	for name, w := range want {
		tb := L.G.Global
		if name != "_G" {
			tb = L.GetGlobal(name).(*lua.LTable)
		}
		if got := keys(tb); !slices.Equal(got, w) {
			t.Errorf("%s holds\n%v, want\n%v", name, got, w)
		}
	}
	if L.Env != L.G.Global || L.GetGlobal("_G") != L.G.Global || keys(L.G.Registry) != nil {
		t.Error("the global table is not the state's environment and _G, or the registry is not empty")
	}
	err := L.DoString(`
		assert(_G == _G._G)
		x = 1
		assert(_G.x == 1 and rawget(_G, "x") == 1)
		assert(("a"):upper() == "A" and string.rep("b", 2) == "bb")
		assert(math.max(1, 2) == 2 and table.concat({1, 2}, ",") == "1,2")
		local t = setmetatable({}, {__index = function() return 7 end})
		assert(t.y == 7 and getmetatable(t) ~= nil)
		assert(tostring({}):match("^table: %d+$"))
		assert(not pcall(function() return print end))
		assert(not pcall(function() return string.dump end))
		assert(string.__index == nil and type(TALK) == "function")
	`)
	if err != nil {
		t.Fatal(err)
	}
}

// TestSharedLibrary: states share the library's function values
// (sandbox.go, shared), and their tables' contents only until they write
// them (templates): what one script does to its globals and libraries,
// adding keys or replacing them, another does not see.
func TestSharedLibrary(t *testing.T) {
	a, b := testRun(t, 1<<40), testRun(t, 1<<40)
	if a.L.GetField(a.L.GetGlobal("string"), "len") != b.L.GetField(b.L.GetGlobal("string"), "len") {
		t.Error("string.len is made per state; the library is not shared")
	}
	err := a.L.DoString(`
		string.len = function() return -1 end
		math.floor, table.insert, ipairs, pairs = nil, nil, nil, nil
		rawset(_G, "type", nil)
		getmetatable("").__index = nil
	`)
	if err == nil {
		t.Fatal("a script read the string metatable")
	}
	err = a.L.DoString(`
		string.shout = function(s) return s:upper() .. "!" end
		assert(("a"):shout() == "A!")
		math.answer, mine = 42, true
		table.sort(table)
		local keys = {}
		for k in next, string do keys[#keys + 1] = k end -- pairs is gone
		assert(keys[#keys] == "shout", "a key added goes last in pairs()")
	`)
	if err != nil {
		t.Fatal(err)
	}
	err = b.L.DoString(`
		assert(string.len("ab") == 2 and ("ab"):len() == 2)
		assert(math.floor(1.5) == 1 and type(table.insert) == "function")
		for _ in ipairs({1}) do end
		for _ in pairs({a = 1}) do end
		assert(type(1) == "number")
		assert(string.shout == nil and not pcall(function() return ("a"):shout() end))
		assert(math.answer == nil and mine == nil)
	`)
	if err != nil {
		t.Fatal(err)
	}
}

// TestSharedConcurrently: the library's functions, made once in shared
// (sandbox.go) and put in every state, are called from several states on
// several goroutines at once, as dialogs do. That they keep nothing per
// state is gopher-lua's behaviour, not its promise: under the race
// detector (CI runs -race) a function that wrote to itself, to what it
// holds or to the state that made it would fail this test, and so does
// one that left a trace in shared's stack or globals. The scripts also
// write to their global and library tables, copies of the same templates
// (sandbox.go, templates): a write that reached a template's contents
// would race, and the templates must be unchanged after. (The keywords,
// shared too, run concurrently in every parallel dialog test.)
func TestSharedConcurrently(t *testing.T) {
	type fn struct {
		f   *lua.LFunction
		env *lua.LTable
		ups []lua.LValue
	}
	var fns []fn
	add := func(v lua.LValue) {
		if f, ok := v.(*lua.LFunction); ok {
			var ups []lua.LValue
			for _, uv := range f.Upvalues {
				ups = append(ups, uv.Value())
			}
			fns = append(fns, fn{f, f.Env, ups})
		}
	}
	for _, es := range library {
		for _, e := range es {
			add(e.value)
		}
	}
	// The templates every state's tables are copies of, with the hardened
	// functions: what they hold before the states run, and after.
	tmpls := append([]*lua.LTable{templates.global, templates.stringMeta}, slices.Collect(maps.Values(templates.libs))...)
	show := func() string {
		var b strings.Builder
		for _, tb := range tmpls {
			for k, v := tb.Next(lua.LNil); k != lua.LNil; k, v = tb.Next(k) {
				fmt.Fprintf(&b, "%v=%p ", k, v)
				add(v)
			}
		}
		return b.String()
	}
	before := show()
	top, globals := shared.GetTop(), shared.G.Global.Len()+len(keysOf(shared.G.Global))
	const script = `
		local t = {5, 3, 9, 1}
		for i, v in ipairs(t) do assert(t[i] == v) end
		for k, v in pairs({a = 1, b = 2}) do assert(v) end
		assert(next({}) == nil and select("#", 1, 2) == 2 and select(2, "a", "b") == "b")
		assert(unpack({1, 2}) == 1 and tonumber("0x10") == 16 and type(tostring(1)) == "string")
		assert(pcall(error, "x") == false and select(2, xpcall(function() error("y", 0) end, function(e) return e end)) == "y")
		local r = {} rawset(r, 1, 2) assert(rawequal(t, t) and rawget(t, 1) == 5 and r[1] == 2)
		local m = setmetatable({}, {__index = function() return 1 end})
		assert(m.x == 1 and getmetatable(m) and assert(true))
		local s = "Hello, World 42"
		assert(s:len() == 15 and s:sub(1, 5) == "Hello" and s:upper():lower() == s:lower())
		assert(s:byte(1) == 72 and string.char(72) == "H" and s:rep(2):len() == 30 and s:reverse():reverse() == s)
		assert(s:find("World") == 8 and s:match("%d+") == "42" and s:gsub("o", "0") and string.format("%d-%s", 1, "x") == "1-x")
		for w in s:gmatch("%a+") do assert(#w > 0) end
		for w in string.gfind(s, "%d") do assert(w) end
		table.insert(t, 7) table.insert(t, 1, 0) table.remove(t) table.remove(t, 1)
		table.sort(t) table.sort(t, function(a, b) return a > b end)
		assert(table.concat(t, ",") == "9,5,3,1" and table.getn(t) == 4 and table.maxn(t) == 4)
		assert(math.floor(1.5) == 1 and math.ceil(1.5) == 2 and math.max(1, 2) == 2 and math.min(1, 2) == 1)
		assert(math.abs(-1) == 1 and math.sqrt(4) == 2 and math.fmod(5, 3) == 2 and math.huge > 0 and math.pi > 3)
		assert(math.sin(0) == 0 and math.cos(0) == 1 and math.exp(0) == 1 and math.log(1) == 0 and math.log10(10) == 1)
		local f, e = math.frexp(8) assert(math.ldexp(f, e) == 8 and select(2, math.modf(1.5)) == 0.5 and math.pow(2, 3) == 8)
		assert(math.deg(math.rad(90)) == 90 and math.tan(0) == 0 and math.atan2(0, 1) == 0 and math.mod(5, 3) == 2)
		assert(math.acos(1) == 0 and math.asin(0) == 0 and math.atan(0) == 0 and math.cosh(0) == 1 and math.sinh(0) == 0 and math.tanh(0) == 0)
		string.x, math.floor, g = 1, math.floor, 2 rawset(table, "y", 3)
	`
	done := make(chan error)
	for range 4 {
		th := testRun(t, 1<<40)
		go func() {
			var err error
			for range 50 {
				if err = th.L.DoString(script); err != nil {
					break
				}
			}
			done <- err
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range fns {
		if f.f.Env != f.env || len(f.f.Upvalues) != len(f.ups) {
			t.Fatalf("a shared function changed: %+v", f.f)
		}
		for i, uv := range f.f.Upvalues {
			if uv.Value() != f.ups[i] {
				t.Fatalf("a shared function's upvalue changed: %+v", f.f)
			}
		}
	}
	if show() != before {
		t.Error("calls from other states changed a template")
	}
	if shared.GetTop() != top || shared.G.Global.Len()+len(keysOf(shared.G.Global)) != globals {
		t.Error("calls from other states left a trace in shared")
	}
}

func keysOf(t *lua.LTable) []lua.LValue {
	var out []lua.LValue
	t.ForEach(func(k, _ lua.LValue) { out = append(out, k) })
	return out
}
