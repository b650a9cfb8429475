package dialogs

import (
	"fmt"
	"slices"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// TestCompact: compacting a set-up state changes nothing a script can
// see: the same keys in the same pairs() order with the same values, the
// same metatables, _G is the global table, and globals, libraries and the
// hardened functions still work.
func TestCompact(t *testing.T) {
	th := testRun(t, 1<<40)
	L := th.L
	tables := func() map[string]*lua.LTable {
		return map[string]*lua.LTable{
			"_G":     L.G.Global,
			"string": L.GetGlobal("string").(*lua.LTable),
			"table":  L.GetGlobal("table").(*lua.LTable),
			"math":   L.GetGlobal("math").(*lua.LTable),
		}
	}
	shape := func() map[string][]string {
		out := map[string][]string{}
		for name, tb := range tables() {
			var kv []string
			for k, v := tb.Next(lua.LNil); k != lua.LNil; k, v = tb.Next(k) {
				kv = append(kv, fmt.Sprintf("%v=%p", k, v))
			}
			out[name] = append(kv, fmt.Sprintf("metatable=%p", tb.Metatable))
		}
		return out
	}
	before, global := shape(), L.G.Global
	if len(before["_G"]) < 20 {
		t.Fatalf("the global table holds %d keys; the walk is broken", len(before["_G"]))
	}
	compact(L)
	after := shape()
	for name := range before {
		if !slices.Equal(before[name], after[name]) {
			t.Errorf("%s changed:\nbefore %v\nafter  %v", name, before[name], after[name])
		}
	}
	if L.G.Global != global || L.Env != global {
		t.Error("the global table is no longer the state's environment")
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
