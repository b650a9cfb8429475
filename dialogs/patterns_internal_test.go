package dialogs

import (
	"os"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// gmatchAll renders what a gmatch loop sees, for the comparisons below.
const gmatchAll = `(function(s, p)
	local out = {}
	for a, b, c in string.gmatch(s, p) do
		out[#out + 1] = tostring(a) .. "," .. tostring(b) .. "," .. tostring(c)
	end
	return table.concat(out, ";"), #out
end)`

// TestPatternsLikeGopherLua: Parley's string.find, match, gmatch and gsub
// answer as gopher-lua's, values and errors alike: captures, position
// captures, anchors, %b, %f (a literal f in gopher-lua), back-references,
// find's init and plain, match's init, gmatch with anchors, and gsub with
// a string, a table and a function, with and without a limit.
func TestPatternsLikeGopherLua(t *testing.T) {
	t.Parallel()
	plain := lua.NewState()
	defer plain.Close()
	ours := testRun(t, DefaultMemoryBudget).L
	for _, expr := range []string{
		// find: captures, positions, anchors, init, plain.
		`("hello world"):find("o")`, `("hello world"):find("o", 6)`, `("hello world"):find("o", -3)`,
		`("hello world"):find("o", 100)`, `("hello world"):find("o", 0)`, `("hello world"):find("o", -100)`,
		`("hello world"):find("(l+)(o)")`, `("hello world"):find("()ll()")`, `("hello"):find("")`,
		`("hello"):find("", 10)`, `(""):find("")`, `(""):find("x")`, `("hello"):find("^h")`, `("hello"):find("^e")`,
		`("hello"):find("o$")`, `("hello"):find("l$")`, `("a$b"):find("$b")`, `("a.b"):find(".", 1, true)`,
		`("a.b"):find(".b", 1, true)`, `("a.b"):find("x", 1, true)`, `("a.b"):find("b", -1, true)`,
		`("a.b"):find("%.", 1, false)`, `("a.b"):find(".", 1, nil)`, `("a+b"):find("+", 1, true, "extra")`,
		`("key = value"):find("(%w+)%s*=%s*(%w+)")`,
		// match: captures, init, %b, %f, back-references, no match.
		`("  trim me  "):match("^%s*(.-)%s*$")`, `("trim me   "):match("^(.-)%s*$")`, `("abc"):match("x")`,
		`select("#", ("abc"):match("x"))`, `("abc"):match("b", 2)`, `("abc"):match("b", 3)`, `("abc"):match("c", -1)`,
		`("abc"):match(".", -10)`, `("f(a(b)c) d"):match("%b()")`, `("[x]]"):match("%b[]")`, `("x(y"):match("%b()")`,
		`("foo, bar"):match("%f[%w]%w+")`, `("if f1"):match("%f[%w]")`, `("the the"):match("(%a+) %1")`,
		`("2024-05-06"):match("(%d+)-(%d+)-(%d+)")`, `("abc"):match("()b()")`, `("[a]"):match("[%[]")`,
		`("x=1"):match("^(%w+)=(%d*)$")`, `("\0a\0"):match("%z(.)%z")`, `("aaa"):match("a-$")`, `("abab"):match("(ab)*")`,
		// gmatch: captures, positions, anchors, empty matches.
		gmatchAll + `("hello world from lua", "%a+")`, gmatchAll + `("k1=v1, k2=v2", "(%w+)=(%w+)")`,
		gmatchAll + `("abc", "()")`, gmatchAll + `("abc", "")`, gmatchAll + `("aaa", "^a")`, gmatchAll + `("aaa", "a$")`,
		gmatchAll + `("abc", "x*")`, gmatchAll + `("a(b)c(d", "%b()")`, gmatchAll + `("one two", "()(%a+)()")`,
		gmatchAll + `("", ".")`, `type(select(2, string.gmatch("a", "a")))`, `string.gfind == string.gmatch`,
		// gsub: string, table and function replacements, limits.
		`("hello world"):gsub("o", "0", 1)`, `("hello world"):gsub("(%w+)", "<%1>")`, `("hello"):gsub("", "-")`,
		`("abc"):gsub("^", ">")`, `("abc"):gsub("$", "<")`, `("abc"):gsub("%w", "%0%0", 2)`, `("oo"):gsub("o", "0", 0)`,
		`("hello world"):gsub("%w+", {hello = "HI"})`, `("hello world"):gsub("%w+", function(w) return #w end)`,
		`("abc"):gsub("()", function(p) return p end)`, `("f(x) g(y)"):gsub("%b()", "[]")`, `("  x  "):gsub("^%s*(.-)%s*$", "%1")`,
		`("abc"):gsub(".", {a = 1, b = true})`, `("a b"):gsub("%s", "%%")`, `("abc"):gsub("b", "%9")`,
		// Errors.
		`pcall(string.find, "abc", "(")`, `pcall(string.find, "abc", "%")`, `pcall(string.match, "abc", "[a")`,
		`pcall(string.match, "abc", "a)")`, `pcall(string.match, "aa", "(a)%2")`, `pcall(string.gmatch, "abc", "(")`,
		`pcall(string.gsub, "abc", "(%1)", "x")`, `pcall(string.find, "abc", "%b")`, `pcall(string.find)`,
		`pcall(string.match, "abc")`, `pcall(string.gsub, "abc", "b")`, `pcall(string.gmatch, nil, "a")`,
	} {
		want, got := eval(plain, expr), eval(ours, expr)
		if got != want {
			t.Errorf("%s: got %q, gopher-lua %q", expr, got, want)
		}
	}
}

// TestPatternsBeyondGopherLua: where gopher-lua fails in Go, Parley's
// functions answer as Lua does.
func TestPatternsBeyondGopherLua(t *testing.T) {
	t.Parallel()
	L := testRun(t, DefaultMemoryBudget).L
	// gopher-lua panics slicing the subject past its end.
	if got := eval(L, `("a.b"):find(".", 5, true)`); got != "nil |" {
		t.Errorf("a plain find from past the end: %q", got)
	}
}

// TestGopherLuaPatternTests runs gopher-lua's own tests of the pattern
// functions (testdata/gopher-lua) in a dialog's sandbox, which lends them
// print and loadstring. Each ends with a line of its own that must run.
func TestGopherLuaPatternTests(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"pm.lua", "strings.lua"} {
		src, err := os.ReadFile("testdata/gopher-lua/" + name)
		if err != nil {
			t.Fatal(err)
		}
		L := testRun(t, DefaultMemoryBudget).L
		L.SetGlobal("print", L.NewFunction(func(*lua.LState) int { return 0 }))
		L.SetGlobal("loadstring", L.NewFunction(func(L *lua.LState) int {
			fn, err := L.LoadString(L.CheckString(1))
			if err != nil {
				L.RaiseError("%v", err)
			}
			L.Push(fn)
			return 1
		}))
		if err := L.DoString(string(src) + "\nfinished = true"); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if L.GetGlobal("finished") != lua.LTrue {
			t.Errorf("%s did not run to its end", name)
		}
	}
}
