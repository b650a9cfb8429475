package lua

// PATCH(parley): this file is not gopher-lua's; see PATCHES.md.

// InstructionHook is called by the VM before each instruction of a Lua
// function, on the goroutine running the state: inst is the instruction
// (see opcode.go), fn the function it belongs to, and regs the data stack
// from fn's first register on (R(0) is regs[0]; an RK operand with
// opBitRk set is a constant of fn.Proto). The instruction runs after the
// hook returns; the hook may stop the script instead with L.RaiseError.
type InstructionHook func(L *LState, inst uint32, fn *LFunction, regs []LValue)

// SetInstructionHook makes h the state's instruction hook; nil removes
// it. While a hook is set, the VM does not check the state's context
// before each instruction (SetContext): the hook does what it wants
// instead. A thread made by NewThread does not inherit the hook.
func (ls *LState) SetInstructionHook(h InstructionHook) {
	ls.hook = h
	switch {
	case h != nil:
		ls.mainLoop = mainLoopWithHook
	case ls.ctx != nil:
		ls.mainLoop = mainLoopWithContext
	default:
		ls.mainLoop = mainLoop
	}
}

// DataStack returns the state's data stack, all of its slots: the
// registers and arguments of every running function, and above the top
// what functions that returned left there (nil or LNil when unused).
func (ls *LState) DataStack() []LValue {
	return ls.reg.array
}

// ArrayLen returns the length of the table's array part, trailing nils
// included: RawSetInt(k, v) with len < k-1 and k < MaxArrayIndex appends
// k-len-1 nils to it first.
func (tb *LTable) ArrayLen() int {
	return len(tb.array)
}

// mainLoopWithHook is mainLoop calling ls.hook before each instruction.
func mainLoopWithHook(L *LState, baseframe *callFrame) {
	var inst uint32
	var cf *callFrame

	if L.stack.IsEmpty() {
		return
	}

	L.currentFrame = L.stack.Last()
	if L.currentFrame.Fn.IsG {
		callGFunction(L, false)
		return
	}

	for {
		cf = L.currentFrame
		inst = cf.Fn.Proto.Code[cf.Pc]
		cf.Pc++
		L.hook(L, inst, cf.Fn, L.reg.array[cf.LocalBase:])
		if jumpTable[int(inst>>26)](L, inst, baseframe) == 1 {
			return
		}
	}
}

// CallDepth returns how many calls into the VM from Go are running on
// the state: Call and PCall, and so the standard library's pcall and
// xpcall, metamethods (__index, __add, …), table.sort's comparator and
// string.gsub's replacement function. Each runs its own main loop on the
// Go stack, which a yield (Yield, Resume) cannot leave: the VM would pop
// the Lua frames but the Go call would carry on as if they had returned.
// A Go function called from a state resumed by Resume may yield only
// while CallDepth is 0. A state whose first call is Call or PCall counts
// that call too.
func (ls *LState) CallDepth() int {
	return ls.depth
}
