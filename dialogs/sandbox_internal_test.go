package dialogs

import (
	"slices"
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
// (sandbox.go, shared), never their tables: what one script does to its
// globals and libraries, another does not see.
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
	err = b.L.DoString(`
		assert(string.len("ab") == 2 and ("ab"):len() == 2)
		assert(math.floor(1.5) == 1 and type(table.insert) == "function")
		for _ in ipairs({1}) do end
		for _ in pairs({a = 1}) do end
		assert(type(1) == "number")
	`)
	if err != nil {
		t.Fatal(err)
	}
}

