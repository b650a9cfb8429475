package dialogs

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// maxBuiltString caps the strings string.rep can build in one call, below
// the memory budget: `("x"):rep(1e10)` must fail before it allocates.
const maxBuiltString = 1 << 20

// hardenString explains that string.dump is absent (library leaves it
// out), and caps string.rep and string.format, in the string table's
// template (templates); newState gives strings a metatable of their own
// that scripts can neither read nor replace. (gopher-lua makes the string
// table itself the metatable.)
// string.format shows tables and functions as tostring does: gopher-lua
// hands them to fmt.Sprintf, whose %s and %p print their address. The
// functions that build strings weigh them against the run's memory
// budget (memory_libs.go).
func hardenString(str *lua.LTable) {
	explainMissing(str, "string.", map[string]string{"dump": ""})
	format := str.RawGetString("format").(*lua.LFunction).GFunction
	fns := map[string]lua.LGFunction{
		"rep": func(L *lua.LState) int { return strRep(L, libraryRun(L).mem) },
		"format": func(L *lua.LState) int {
			if !formatFits(L.CheckString(1)) {
				L.ArgError(1, "invalid format (width or precision too long)")
			}
			mem := libraryRun(L).mem
			for i := 2; i <= L.GetTop(); i++ {
				switch v := L.Get(i); v.(type) {
				case *lua.LTable, *lua.LFunction, *lua.LUserData, *lua.LState:
					L.Replace(i, mem.th.names.tostring(L, v))
				}
			}
			mem.guard(L, "string.format's result", formatBound(L))
			return format(L)
		},
	}
	for _, name := range []string{"upper", "lower", "reverse"} {
		fns[name] = charged(str.RawGetString(name).(*lua.LFunction).GFunction)
	}
	for name, f := range sharedFunctions(fns) {
		str.RawSetString(name, f)
	}
}

// charged wraps a string function whose result is as long as its subject.
func charged(f lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		libraryRun(L).mem.charge(int64(len(L.CheckString(1))))
		return f(L)
	}
}

func strRep(L *lua.LState, mem *memory) int {
	s := L.CheckString(1)
	n := L.CheckInt(2)
	if n <= 0 || s == "" {
		L.Push(lua.LString(""))
		return 1
	}
	if n > maxBuiltString/len(s) {
		L.RaiseError("string.rep: the result would be larger than %d bytes", maxBuiltString)
	}
	mem.guard(L, "string.rep's result", int64(n*len(s)))
	L.Push(lua.LString(strings.Repeat(s, n)))
	return 1
}

// formatBound is at most how long string.format's result is: its format
// (whose widths formatFits bounds to 99), and its arguments as strings.
func formatBound(L *lua.LState) int64 {
	f := L.CheckString(1)
	n := int64(len(f)) + 100*int64(strings.Count(f, "%"))
	for i := 2; i <= L.GetTop(); i++ {
		if s, ok := L.Get(i).(lua.LString); ok {
			n += int64(len(s))
		} else {
			n += 32
		}
	}
	return n
}

// formatFits reports whether every directive of a format has a width and a
// precision of at most two digits, as Lua requires.
func formatFits(f string) bool {
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		i++
		for i < len(f) && strings.IndexByte("-+ #0", f[i]) >= 0 {
			i++
		}
		if digitsAt(f, &i) > 2 {
			return false
		}
		if i < len(f) && f[i] == '.' {
			i++
			if digitsAt(f, &i) > 2 {
				return false
			}
		}
	}
	return true
}

// digitsAt skips the decimal digits at *i and returns how many there were.
func digitsAt(s string, i *int) int {
	start := *i
	for *i < len(s) && s[*i] >= '0' && s[*i] <= '9' {
		*i++
	}
	return *i - start
}

// hardenMath routes math.random through the DialogHost, like RANDOM, and
// makes math.randomseed a no-op: seeding is the host's business (and
// gopher-lua's version reseeds the process-wide generator).
func hardenMath(m *lua.LTable) {
	fns := sharedFunctions(map[string]lua.LGFunction{
		"randomseed": func(*lua.LState) int { return 0 },
		"random": func(L *lua.LState) int {
			rnd := libraryRun(L).mem.th.random
			switch L.GetTop() {
			case 0:
				const steps = 1 << 30
				L.Push(lua.LNumber(float64(randomIn(L, rnd, 0, steps-1)) / steps))
			case 1:
				L.Push(lua.LNumber(randomIn(L, rnd, 1, L.CheckInt(1))))
			default:
				L.Push(lua.LNumber(randomIn(L, rnd, L.CheckInt(1), L.CheckInt(2))))
			}
			return 1
		},
	})
	for name, f := range fns {
		m.RawSetString(name, f)
	}
}

// randomIn is RANDOM's and math.random's range check.
func randomIn(L *lua.LState, rnd func(lo, hi int) int, lo, hi int) int {
	if lo > hi {
		L.RaiseError("interval is empty: %d > %d", lo, hi)
	}
	if lo < -maxExactInt || hi > maxExactInt {
		L.RaiseError("interval is too large: Lua numbers are exact up to 2^53")
	}
	return rnd(lo, hi)
}
