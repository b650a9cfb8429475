package dialogs

import (
	"reflect"
	"unsafe"

	lua "github.com/yuin/gopher-lua"
)

// What the memory budget needs from gopher-lua and gopher-lua does not
// export: the data stack (LState.reg.array), where the values of every
// running function live, locals, temporaries and varargs alike; the
// instruction the VM is about to run (LState.currentFrame), so that a `..`
// or a store far beyond a table's array part is weighed before it
// allocates; and the length of that array part (LTable.array).
//
// They are read through field offsets that inspectLayout checks once, by
// reflection, against gopher-lua's types (names and types). If an upgrade
// changes them, memoryLayoutOK is false and TestMemoryLayout fails; the
// budget then sees only what the globals reach, and no longer weighs `..`
// and stores in advance. Only the run's own goroutine reads them, between
// two instructions or in a Go function the script called, when the VM is
// not in the middle of changing them.

// maxArrayIndex lowers lua.MaxArrayIndex (2^26 by default) so that one
// assignment t[n] = x cannot fill an array part with n nils at once:
// gopher-lua appends them one by one, in Go, in a single instruction that
// nothing can interrupt (1 GiB for n = 2^26). Larger integer keys go to
// the hash part, as other keys do. An array part of 2^20 slots is 16 MiB,
// the default memory budget; the price is that `#t` of a list built by
// index past 2^20 elements does not see the elements beyond (table.insert
// still appends to the array part). Stores below it that would leave a gap
// are weighed before they run (pendingOp, memory.store).
const maxArrayIndex = 1 << 20

func init() { lua.MaxArrayIndex = maxArrayIndex }

type layout struct {
	reg, frame        uintptr // in LState: *registry, *callFrame
	array             uintptr // in registry: []LValue
	fn, pc, localBase uintptr // in callFrame: *LFunction, int, int
	tableArray        uintptr // in LTable: []LValue
	ok                bool
}

var luaLayout = inspectLayout()

// memoryLayoutOK reports whether the data stack and the current
// instruction can be read (see above).
func memoryLayoutOK() bool { return luaLayout.ok }

func inspectLayout() layout {
	var l layout
	state := reflect.TypeFor[lua.LState]()
	reg, ok1 := fieldOf(state, "reg", nil)
	frame, ok2 := fieldOf(state, "currentFrame", nil)
	if !ok1 || !ok2 || reg.Type.Kind() != reflect.Pointer || frame.Type.Kind() != reflect.Pointer {
		return l
	}
	array, ok3 := fieldOf(reg.Type.Elem(), "array", reflect.TypeFor[[]lua.LValue]())
	fn, ok4 := fieldOf(frame.Type.Elem(), "Fn", reflect.TypeFor[*lua.LFunction]())
	pc, ok5 := fieldOf(frame.Type.Elem(), "Pc", reflect.TypeFor[int]())
	base, ok6 := fieldOf(frame.Type.Elem(), "LocalBase", reflect.TypeFor[int]())
	tarray, ok7 := fieldOf(reflect.TypeFor[lua.LTable](), "array", reflect.TypeFor[[]lua.LValue]())
	l = layout{reg: reg.Offset, frame: frame.Offset, array: array.Offset,
		fn: fn.Offset, pc: pc.Offset, localBase: base.Offset, tableArray: tarray.Offset}
	l.ok = ok3 && ok4 && ok5 && ok6 && ok7
	return l
}

// fieldOf finds a struct field by name, of type want when want is not nil.
func fieldOf(t reflect.Type, name string, want reflect.Type) (reflect.StructField, bool) {
	if t.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	f, ok := t.FieldByName(name)
	if !ok || len(f.Index) != 1 || (want != nil && f.Type != want) {
		return reflect.StructField{}, false
	}
	return f, true
}

// dataStack returns L's data stack: its whole backing array, so that
// values above the current top, which Go's collector also keeps, count
// too. Unused slots are nil interfaces.
func dataStack(L *lua.LState) []lua.LValue {
	if !luaLayout.ok {
		return nil
	}
	reg := *(*unsafe.Pointer)(unsafe.Add(unsafe.Pointer(L), luaLayout.reg))
	if reg == nil {
		return nil
	}
	return *(*[]lua.LValue)(unsafe.Add(reg, luaLayout.array))
}

// arrayLen is the length of t's array part, nils included: t[k] = v with
// an integer k up to maxArrayIndex appends k-arrayLen-1 nils to it first.
func arrayLen(t *lua.LTable) int {
	if !luaLayout.ok {
		return t.MaxN()
	}
	return len(*(*[]lua.LValue)(unsafe.Add(unsafe.Pointer(t), luaLayout.tableArray)))
}

// pendingOp returns the instruction the VM is about to run and the
// registers of the function running it, when that instruction allocates
// more than a little at once: a `..` (OP_CONCAT) or a store with a key
// from a register or a constant (OP_SETTABLE). It is called from the
// LState's context's Done, which the VM calls once per instruction, after
// fetching it and before running it.
func pendingOp(L *lua.LState) (inst uint32, fn *lua.LFunction, regs []lua.LValue) {
	if !luaLayout.ok {
		return 0, nil, nil
	}
	cf := *(*unsafe.Pointer)(unsafe.Add(unsafe.Pointer(L), luaLayout.frame))
	if cf == nil {
		return 0, nil, nil
	}
	fn = *(**lua.LFunction)(unsafe.Add(cf, luaLayout.fn))
	if fn == nil || fn.IsG || fn.Proto == nil {
		return 0, nil, nil
	}
	pc := *(*int)(unsafe.Add(cf, luaLayout.pc))
	if pc < 1 || pc > len(fn.Proto.Code) {
		return 0, nil, nil
	}
	inst = fn.Proto.Code[pc-1]
	if op := int(inst >> 26); op != lua.OP_CONCAT && op != lua.OP_SETTABLE {
		return 0, nil, nil
	}
	base := *(*int)(unsafe.Add(cf, luaLayout.localBase))
	stack := dataStack(L)
	if base < 0 || base > len(stack) {
		return 0, nil, nil
	}
	return inst, fn, stack[base:]
}

// Operands of an instruction (lopcodes.h): A, B and C, and RK(x), a
// register or, with the high bit of x set, a constant.
func argA(inst uint32) int { return int(inst>>18) & 0xff }
func argB(inst uint32) int { return int(inst & 0x1ff) }
func argC(inst uint32) int { return int(inst>>9) & 0x1ff }

func rk(fn *lua.LFunction, regs []lua.LValue, x int) lua.LValue {
	if x&0x100 != 0 {
		if k := x & 0xff; k < len(fn.Proto.Constants) {
			return fn.Proto.Constants[k]
		}
		return nil
	}
	if x < len(regs) {
		return regs[x]
	}
	return nil
}
