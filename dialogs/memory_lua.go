package dialogs

import (
	lua "github.com/yuin/gopher-lua"
)

// What the memory budget needs from gopher-lua beyond its usual API comes
// from Parley's patch of it (third_party/gopher-lua, PATCHES.md): an
// instruction hook, which the VM calls before each instruction of a Lua
// function with the instruction, the function and its registers, so that
// a `..` or a store far beyond a table's array part is weighed before it
// allocates (memory.hook); the data stack (LState.DataStack), where the
// values of every running function live, locals, temporaries and varargs
// alike; and the length of a table's array part (LTable.ArrayLen), nils
// included.
//
// The patch also lowers lua.MaxArrayIndex from 2^26 to 2^20, so that one
// assignment t[n] = x cannot fill an array part with n nils at once:
// gopher-lua appends them one by one, in Go, in a single instruction that
// nothing can interrupt (1 GiB for n = 2^26). Larger integer keys go to
// the hash part, as other keys do. An array part of 2^20 slots is 16 MiB,
// the default memory budget; the price is that `#t` of a list built by
// index past 2^20 elements does not see the elements beyond (table.insert
// still appends to the array part). Stores below it that would leave a gap
// are weighed before they run (memory.store).

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
