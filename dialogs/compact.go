package dialogs

import lua "github.com/yuin/gopher-lua"

// compact shrinks what a state's set-up left oversized, once the global
// table holds everything a script starts with (after installAPI). A
// parked dialog keeps its state for as long as the conversation lives, so
// these kilobytes are paid per conversation (docs/benchmarks.md,
// "parked"):
//
//   - gopher-lua makes the global table with room for 64 keys, and a
//     table never forgets a deleted key: it stays in the order list that
//     pairs() walks, so keys the hardening removed (string.dump) would be
//     kept for good. The tables are rebuilt at their real size, in the
//     order pairs() walked them.
//   - the registry only held the libraries' _LOADED table, which require
//     and module (both removed) read; nothing reads it after set-up.
func compact(L *lua.LState) {
	shrink(L, L.G.Global)
	for _, name := range libraryTables {
		shrink(L, L.GetGlobal(name).(*lua.LTable))
	}
	L.G.Registry = L.CreateTable(0, 0)
}

// shrink rebuilds t in place at the size of what it holds. In place, not
// a new table: functions made so far keep t as their environment, and Go
// closures (hardenBase's setmetatable) hold some of those functions.
func shrink(L *lua.LState, t *lua.LTable) {
	narr, nhash := 0, 0
	t.ForEach(func(k, _ lua.LValue) {
		if n, ok := k.(lua.LNumber); ok && int(n) == narr+1 {
			narr++
		} else {
			nhash++
		}
	})
	fresh := L.CreateTable(narr, nhash)
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		fresh.RawSet(k, v)
	}
	fresh.Metatable = t.Metatable
	*t = *fresh
}
