package dialogs

import (
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"parley/dialogs/internal/luapattern"
)

// The string and table functions that build values in Go, in one call the
// VM cannot interrupt, weigh them against the memory budget first
// (memory.guard) or report them after (memory.charge). gsub and
// table.concat are rewritten for that: gopher-lua's gsub copies the whole
// subject once per match (quadratic time and garbage: a 1 MiB subject
// with a million matches copies a terabyte, in Go, beyond the reach of the
// time budget), and its table.concat pushes every piece on the data stack
// (so more than 32 Ki pieces overflowed it). Both behave as gopher-lua's
// otherwise; TestLibsLikeGopherLua compares them.

// matchBytes is what one match costs while gsub holds them all
// (luapattern.Find returns them at once): a *MatchData and its captures.
const matchBytes = 64

// hardenTable replaces table.concat, and makes table.insert(t, k, v) and
// rawset(t, k, v) weigh the nils they may append (rawGap), in the
// templates (templates) of the global table g and the table library tab.
func hardenTable(g, tab *lua.LTable) {
	insert := tab.RawGetString("insert").(*lua.LFunction).GFunction
	rawset := g.RawGetString("rawset").(*lua.LFunction).GFunction
	fns := sharedFunctions(map[string]lua.LGFunction{
		"concat": func(L *lua.LState) int { return tableConcat(L, libraryRun(L).mem) },
		"insert": func(L *lua.LState) int {
			if L.GetTop() == 3 {
				libraryRun(L).mem.guard(L, "table.insert's gap", rawGap(L.CheckTable(1), lua.LNumber(L.CheckInt(2))))
			}
			return insert(L)
		},
		"rawset": func(L *lua.LState) int {
			libraryRun(L).mem.guard(L, "rawset's gap", rawGap(L.CheckTable(1), L.CheckAny(2)))
			return rawset(L)
		},
	})
	g.RawSetString("rawset", fns["rawset"])
	tab.RawSetString("concat", fns["concat"])
	tab.RawSetString("insert", fns["insert"])
}

// tableConcat is table.concat(t [, sep [, i [, j]]]), with gopher-lua's
// bounds (i and j are clamped to 1..#t).
func tableConcat(L *lua.LState, mem *memory) int {
	t := L.CheckTable(1)
	sep := L.OptString(2, "")
	n := t.Len()
	i, j := L.OptInt(3, 1), L.OptInt(4, n)
	if L.GetTop() == 3 && (i > n || i < 1) {
		L.Push(lua.LString(""))
		return 1
	}
	i, j = max(min(i, n), 1), min(j, n)
	if i > j {
		L.Push(lua.LString(""))
		return 1
	}
	total := int64(len(sep)) * int64(j-i)
	for k := i; k <= j; k++ {
		v := t.RawGetInt(k)
		if !lua.LVCanConvToString(v) {
			L.RaiseError("invalid value (%s) at index %d in table for concat", v.Type().String(), k)
		}
		total += int64(len(lua.LVAsString(v)))
	}
	mem.guard(L, "table.concat's result", total)
	var b strings.Builder
	b.Grow(int(total))
	for k := i; k <= j; k++ {
		if k > i {
			b.WriteString(sep)
		}
		b.WriteString(lua.LVAsString(t.RawGetInt(k)))
	}
	L.Push(lua.LString(b.String()))
	return 1
}

// findAll is find over the whole of s, with at most limit matches
// (limit < 0: no limit), refusing more matches than the budget can hold.
func findAll(L *lua.LState, mem *memory, what, s, pat string, limit int) []*luapattern.MatchData {
	most := int(mem.limit / matchBytes)
	if limit < 0 || limit > most {
		limit = most + 1
	}
	mds := find(L, pat, s, 0, limit)
	if len(mds) > most {
		mem.guard(L, what+"'s matches", int64(len(mds))*matchBytes)
	}
	mem.charge(int64(len(mds)) * matchBytes)
	return mds
}

// strGsub is string.gsub(s, pattern, repl [, n]).
func strGsub(L *lua.LState) int {
	mem := runOf(L).mem
	s, pat := L.CheckString(1), L.CheckString(2)
	L.CheckTypes(3, lua.LTString, lua.LTTable, lua.LTFunction)
	repl := L.CheckAny(3)
	mds := findAll(L, mem, "string.gsub", s, pat, L.OptInt(4, -1))
	if len(mds) == 0 {
		L.SetTop(1)
		L.Push(lua.LNumber(0))
		return 2
	}
	g := gsub{L: L, mem: mem, s: s}
	for _, m := range mds {
		g.keep(m.Capture(0))
		g.replace(m, repl)
		g.last = m.Capture(1)
	}
	g.keep(len(s))
	mem.charge(int64(g.out.Len()))
	L.Push(lua.LString(g.out.String()))
	L.Push(lua.LNumber(len(mds)))
	return 2
}

// gsub builds gsub's result, one match at a time, within the budget.
type gsub struct {
	L    *lua.LState
	mem  *memory
	s    string
	last int // end of the last match
	out  strings.Builder
}

// keep copies the subject from the end of the last match to end.
func (g *gsub) keep(end int) { g.add(g.s[g.last:end]) }

func (g *gsub) add(piece string) {
	if n := int64(g.out.Len() + len(piece)); n > g.mem.limit {
		g.mem.guard(g.L, "string.gsub's result", n)
	}
	g.out.WriteString(piece)
}

func (g *gsub) replace(m *luapattern.MatchData, repl lua.LValue) {
	whole := g.s[m.Capture(0):m.Capture(1)]
	switch r := repl.(type) {
	case lua.LString:
		g.expand(m, string(r))
	case *lua.LTable:
		g.value(g.tableValue(m, r), whole)
	case *lua.LFunction:
		g.L.Push(r)
		g.L.Call(g.pushCaptures(m), 1)
		v := g.L.Get(-1)
		g.L.Pop(1)
		g.value(v, whole)
	}
}

// value adds what a table or a function gave for a match: false or nil
// keep the match.
func (g *gsub) value(v lua.LValue, whole string) {
	if lua.LVIsFalse(v) {
		g.add(whole)
		return
	}
	g.add(lua.LVAsString(v))
}

func (g *gsub) tableValue(m *luapattern.MatchData, t *lua.LTable) lua.LValue {
	idx := 0
	if m.CaptureLength() > 2 {
		idx = 2
	}
	if m.IsPosCapture(idx) {
		return g.L.GetTable(t, lua.LNumber(m.Capture(idx)))
	}
	return g.L.GetField(t, g.s[m.Capture(idx):m.Capture(idx+1)])
}

func (g *gsub) pushCaptures(m *luapattern.MatchData) int {
	if m.CaptureLength() <= 2 {
		g.L.Push(lua.LString(g.capture(m, 0)))
		return 1
	}
	n := 0
	for i := 2; i < m.CaptureLength(); i += 2 {
		if m.IsPosCapture(i) {
			g.L.Push(lua.LNumber(m.Capture(i)))
		} else {
			g.L.Push(lua.LString(g.capture(m, i)))
		}
		n++
	}
	return n
}

// expand adds a replacement string: %0-%9 are captures, %% is %, and
// (as in gopher-lua) any other %x is kept as it is, as is a final %.
func (g *gsub) expand(m *luapattern.MatchData, repl string) {
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		if c != '%' || i == len(repl)-1 {
			g.add(repl[i : i+1])
			continue
		}
		i++
		switch d := repl[i]; {
		case d == '%':
			g.add("%")
		case d >= '0' && d <= '9':
			g.add(g.capture(m, 2*int(d-'0')))
		default:
			g.add(repl[i-1 : i+1])
		}
	}
}

// capture is capture idx (an index into the match's positions: 0 is the
// whole match, 2 the first capture…), as gopher-lua's capturedString: %1
// of a pattern without captures is the whole match.
func (g *gsub) capture(m *luapattern.MatchData, idx int) string {
	if idx > 2 && idx >= m.CaptureLength() {
		g.L.RaiseError("invalid capture index")
	}
	if idx >= m.CaptureLength() && idx == 2 {
		idx = 0
	}
	if m.IsPosCapture(idx) {
		return fmt.Sprint(m.Capture(idx))
	}
	return g.s[m.Capture(idx):m.Capture(idx+1)]
}
