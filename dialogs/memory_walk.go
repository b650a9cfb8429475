package dialogs

import (
	"unsafe"

	lua "github.com/yuin/gopher-lua"
)

// What Lua values cost on the Go heap, roughly: measured with gopher-lua
// v1.1.2 on amd64 by building 100 000 of each (TestMemoryEstimate keeps
// the estimate within a factor of two of the heap). The estimate leans
// low where it must guess, so that a script is never stopped for memory
// it does not use.
const (
	tableBytes    = 96  // an empty table
	hashBytes     = 512 // the maps a table makes for its first hash key
	entryBytes    = 96  // per hash key: map entries, key order, growth
	slotBytes     = 16  // per array or stack slot (an interface)
	numberBytes   = 8   // numbers are boxed in their slot
	functionBytes = 96  // a closure; its prototype is shared
	upvalueBytes  = 48
	userdataBytes = 64
	stringBytes   = 16 // a string's allocation beyond its bytes
	shortString   = 32 // shorter strings are not deduplicated (below)
	nameBytes     = 48 // an entry of the namer's map (tostring names)
)

// walker measures the Lua values a state can reach: the globals, the
// registry, the data stack (every running function's locals, temporaries
// and varargs; memory_lua.go), the objects tostring has named (the namer
// keeps them alive), and recursively the fields, keys and metatables of
// tables, the upvalues and environments of functions. Each table,
// function and userdata counts once however many references it has;
// strings of shortString bytes or more count once per distinct copy (Go
// shares the bytes of a string assigned around), shorter ones once per
// reference. A walk stops as soon as it passes its limit.
//
// It runs on the run's goroutine only, between two instructions or in a
// Go function (memory.go), and only reads the state.
type walker struct {
	seen  map[unsafe.Pointer]struct{}
	work  []lua.LValue
	total int64
	limit int64
	count int // values looked at: the walk's cost
}

// measure returns the estimated bytes reachable in L (more than limit when
// it stopped early) and how many values it looked at.
func (w *walker) measure(L *lua.LState, names *namer, limit int64) (int64, int) {
	w.seen = make(map[unsafe.Pointer]struct{})
	w.total, w.limit, w.count = 0, limit, 0
	defer w.reset()
	w.value(L.G.Global)
	w.value(L.G.Registry)
	w.value(L.Env)
	stack := L.DataStack()
	w.total += int64(len(stack)) * slotBytes
	for _, v := range stack {
		w.value(v)
	}
	if names != nil {
		for v := range names.ids {
			w.total += nameBytes
			w.value(v)
		}
	}
	for len(w.work) > 0 && !w.over() {
		v := w.work[len(w.work)-1]
		w.work = w.work[:len(w.work)-1]
		w.expand(v)
	}
	return w.total, w.count
}

func (w *walker) over() bool { return w.total > w.limit }

// reset forgets a walk and its memory: walks are rare, and a dialog
// parked in HEAR should not keep a map of its values.
func (w *walker) reset() {
	w.seen, w.work = nil, nil
}

// first reports whether p is seen for the first time, and marks it.
func (w *walker) first(p unsafe.Pointer) bool {
	if _, ok := w.seen[p]; ok {
		return false
	}
	w.seen[p] = struct{}{}
	return true
}

// value counts v itself; the tables, functions and userdata it refers to
// are queued for expand.
func (w *walker) value(v lua.LValue) {
	w.count++
	switch v := v.(type) {
	case lua.LString:
		w.total += w.str(string(v))
	case lua.LNumber:
		w.total += numberBytes
	case *lua.LTable:
		if v != nil && w.first(unsafe.Pointer(v)) {
			w.total += tableBytes
			w.work = append(w.work, v)
		}
	case *lua.LFunction:
		if v != nil && v.IsG && len(v.Upvalues) == 0 {
			// The library's functions: nothing to follow, rarely shared,
			// so not worth a map entry.
			w.total += functionBytes
		} else if v != nil && w.first(unsafe.Pointer(v)) {
			w.total += functionBytes + upvalueBytes*int64(len(v.Upvalues))
			w.work = append(w.work, v)
		}
	case *lua.LUserData:
		if v != nil && w.first(unsafe.Pointer(v)) {
			w.total += userdataBytes
			w.work = append(w.work, v)
		}
	}
}

func (w *walker) str(s string) int64 {
	if len(s) < shortString {
		return int64(len(s)) + stringBytes/2
	}
	if !w.first(unsafe.Pointer(unsafe.StringData(s))) {
		return 0
	}
	return int64(len(s)) + stringBytes
}

func (w *walker) expand(v lua.LValue) {
	switch v := v.(type) {
	case *lua.LTable:
		w.table(v)
	case *lua.LFunction:
		for _, uv := range v.Upvalues {
			w.value(uv.Value())
		}
		if v.Env != nil {
			w.value(v.Env)
		}
	case *lua.LUserData:
		if v.Env != nil {
			w.value(v.Env)
		}
		w.value(v.Metatable)
	}
}

// table counts t's array part (up to its last non-nil slot), its hash
// part, and what both hold. Integer keys up to that slot are the array's.
func (w *walker) table(t *lua.LTable) {
	n := t.MaxN()
	w.total += int64(n) * slotBytes
	hashed := false
	t.ForEach(func(k, v lua.LValue) {
		if w.over() {
			return
		}
		w.value(v)
		if i, ok := k.(lua.LNumber); ok && i >= 1 && i <= lua.LNumber(n) && i == lua.LNumber(int(i)) {
			return
		}
		if !hashed {
			hashed = true
			w.total += hashBytes
		}
		w.total += entryBytes
		w.value(k)
	})
	w.value(t.Metatable)
}
