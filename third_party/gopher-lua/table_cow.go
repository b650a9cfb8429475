package lua

import (
	"maps"
	"slices"
)

// PATCH(parley): this file is not gopher-lua's; see PATCHES.md.
//
// Copy-on-write tables. A table's contents are its values (array, dict,
// strdict) and its key order (keys, k2i: the order Next walks, and where
// each key is in it). CopyOnWrite makes a table that shares both with
// another until one of them is written: a write copies the values first,
// and also the key order when it adds a key. Reads never copy, so many
// tables, on many goroutines, can read what they share. Parley gives each
// Lua state's global and library tables the contents of templates made
// once, so that a state pays only for what its script changes.

// Which parts of a table's contents other tables share (LTable.cow).
const (
	cowValues uint8 = 1 << iota // array, dict, strdict
	cowKeys                     // keys, k2i
)

// CopyOnWrite returns a new table with tb's contents, key order and
// metatable, sharing its contents with tb until either is written.
//
// The first call marks tb itself as shared, which writes to tb: it must
// not run while another goroutine uses tb. Later calls on tb only read
// it, as reads of the new table do, so they may run on any goroutine as
// long as none writes tb (a write to tb copies its contents first, but
// does so in tb's fields).
func (tb *LTable) CopyOnWrite() *LTable {
	if tb.cow != cowValues|cowKeys {
		tb.cow = cowValues | cowKeys
	}
	return &LTable{
		Metatable: tb.Metatable,
		array:     tb.array,
		dict:      tb.dict,
		strdict:   tb.strdict,
		keys:      tb.keys,
		k2i:       tb.k2i,
		cow:       cowValues | cowKeys,
	}
}

// own copies what setting key to value (a hash key: not in the array
// part) is about to write, if it is shared: the values, and the key order
// if the key is new.
func (tb *LTable) own(key LValue, value LValue) {
	tb.ownValues()
	if tb.cow&cowKeys == 0 || value == LNil {
		return
	}
	if _, ok := tb.k2i[key]; !ok {
		tb.keys = slices.Clone(tb.keys)
		tb.k2i = maps.Clone(tb.k2i)
		tb.cow &^= cowKeys
	}
}

// ownValues copies the table's values if they are shared.
func (tb *LTable) ownValues() {
	if tb.cow&cowValues == 0 {
		return
	}
	tb.array = slices.Clone(tb.array)
	tb.dict = maps.Clone(tb.dict)
	tb.strdict = maps.Clone(tb.strdict)
	tb.cow &^= cowValues
}
