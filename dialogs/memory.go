package dialogs

import (
	"errors"
	"fmt"
	"sync/atomic"

	lua "github.com/yuin/gopher-lua"
)

// ErrMemoryBudget is wrapped by the ScriptError of a run whose Lua values
// outgrew Config.MemoryBudget.
var ErrMemoryBudget = errors.New("Lua memory budget exceeded")

// DefaultMemoryBudget is the memory budget of a dialog (protocol §2).
const DefaultMemoryBudget = 16 << 20

const (
	// walkEvery is the least number of Lua instructions between two walks
	// that nothing else asked for. What the VM allocates by itself is
	// small per instruction (`..` and stores that leave gaps are weighed
	// apart): a loop that makes a table with a field at each pass, the
	// most costly, piles up about one default budget in walkEvery
	// instructions. A walk of a run holding more values waits longer
	// (walkPace times the values it saw), so that walking costs a small
	// part of the time Lua runs; the sentinel covers the gap.
	walkEvery = 1 << 16
	walkPace  = 8

	// hostCharge is what a keyword call counts for until the next walk: it
	// may bring a value into Lua (GET returns up to 64 KiB of JSON).
	hostCharge = 64 << 10
)

// memory is the memory budget of one run. gopher-lua does not account its
// allocations, so the budget weighs what the run can reach (walker) at
// safe points on the run's goroutine, and in between keeps an estimate
// (debt) of what the run allocated since the last walk. It walks:
//
//   - every walkEvery Lua instructions or more (walkPace), counted by the
//     LState's instruction hook, which the VM calls before every
//     instruction (hook);
//   - at the next instruction once held + debt passes the budget. The
//     debt grows with each `..` and each store that would fill a gap in
//     an array, weighed before they run (hook, weigh); with the strings and
//     tables that the string and table functions build (guard, charge);
//     with each keyword call (hostCharge) and each user message;
//   - at the next instruction when the sentinel pokes a turn that has run
//     Lua for a while as the process heap grew (memory_sentinel.go);
//   - when a turn ends, before HEAR waits, if held + debt is over.
//
// A single value larger than the whole budget (a `..`, a gap, a string
// function's result) fails before it is built. A walk that finds more than
// the budget, or such a value, stops the run with a cause that wraps
// ErrMemoryBudget, the way the time budget stops it: the next instruction
// raises it, and so does every later one, so pcall cannot swallow it.
// Only the run's goroutine uses a memory, except poke and lua.
type memory struct {
	limit int64
	held  int64 // what the last walk found
	debt  int64 // estimated allocations since the last walk
	ticks int   // instructions until the next periodic walk
	calls int   // thread.calls when last seen
	th    *thread
	walk  walker

	poke atomic.Bool  // set by the sentinel: walk at the next instruction
	lua  atomic.Int64 // since when Lua runs without a pause (UnixNano), 0 when paused
}

func newMemory(th *thread, limit int64) *memory {
	return &memory{limit: limit, ticks: walkEvery, th: th}
}

func memoryError(limit int64) error {
	return fmt.Errorf("%w: the dialog holds more than %s of Lua values", ErrMemoryBudget, size(limit))
}

func tooBigError(what string, n, limit int64) error {
	return fmt.Errorf("%w: %s of %d bytes does not fit in %s", ErrMemoryBudget, what, n, size(limit))
}

// size renders a byte count for people: "16 MiB", "1.5 GiB", "300 B".
func size(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	f, u := float64(n), 0
	for f >= 1024 && u < len(units)-1 {
		f /= 1024
		u++
	}
	if f == float64(int64(f)) {
		return fmt.Sprintf("%d %s", int64(f), units[u])
	}
	return fmt.Sprintf("%.1f %s", f, units[u])
}

// hook returns the LState's instruction hook (third_party/gopher-lua),
// which the VM calls before every instruction, on the run's goroutine,
// with the instruction, its function and its registers: the budget's
// clock, then the run's stop check, stopped(L) once done is closed (run.go,
// watch). One closure, so that an instruction costs the VM one call. A
// walk the clock asks for runs first, so that a `..` charged now is
// walked after it ran, at the next instruction.
func (m *memory) hook(done <-chan struct{}, stopped func(*lua.LState)) lua.InstructionHook {
	return func(L *lua.LState, inst uint32, fn *lua.LFunction, regs []lua.LValue) {
		m.ticks--
		if m.ticks <= 0 || m.calls != m.th.calls || m.poke.Load() {
			m.due()
		}
		if weighed&(1<<(inst>>26)) != 0 {
			m.weigh(inst, fn, regs)
		}
		select {
		case <-done:
			stopped(L)
		default:
		}
	}
}

// weighed are the instructions that may allocate much at once, weighed
// before they run: `..` and stores (a store may fill a gap).
const weighed = 1<<lua.OP_CONCAT | 1<<lua.OP_SETTABLE

// weigh weighs the `..` or the store that inst is about to run.
func (m *memory) weigh(inst uint32, fn *lua.LFunction, regs []lua.LValue) {
	switch int(inst >> 26) {
	case lua.OP_CONCAT:
		if b, c := argB(inst), argC(inst); b <= c && c < len(regs) {
			m.concat(regs[b : c+1])
		}
	case lua.OP_SETTABLE:
		if a := argA(inst); a < len(regs) {
			m.store(regs[a], rk(fn, regs, argB(inst)))
		}
	}
}

// concat weighs the `..` about to run.
func (m *memory) concat(ops []lua.LValue) {
	var n int64
	for _, v := range ops {
		switch v := v.(type) {
		case lua.LString:
			n += int64(len(v))
		case lua.LNumber:
			n += 24
		}
	}
	if n > m.limit {
		m.th.stop(tooBigError("a string", n, m.limit))
		return
	}
	m.charge(n)
}

// store weighs t[k] = v about to run.
func (m *memory) store(t, k lua.LValue) {
	n := gap(t, k)
	if n > m.limit {
		m.th.stop(tooBigError("a store that fills an array", n, m.limit))
		return
	}
	m.charge(n)
}

// gap is what t[k] = v allocates at once when k is an integer beyond t's
// array part, and below lua.MaxArrayIndex: gopher-lua appends the nils in
// between first (memory_lua.go), unless a __newindex takes the store.
func gap(t, k lua.LValue) int64 {
	tb, ok := t.(*lua.LTable)
	if !ok {
		return 0
	}
	if mt, ok := tb.Metatable.(*lua.LTable); ok && mt.RawGetString("__newindex") != lua.LNil {
		return 0
	}
	return rawGap(tb, k)
}

// rawGap is gap for rawset(t, k, v) and table.insert(t, k, v).
func rawGap(t *lua.LTable, k lua.LValue) int64 {
	i, ok := k.(lua.LNumber)
	if !ok || i < 2 || i >= lua.LNumber(lua.MaxArrayIndex) || i != lua.LNumber(int(i)) {
		return 0
	}
	return max(0, int64(int(i)-t.ArrayLen()-1)*slotBytes)
}

// charge adds n bytes that Lua just allocated, or is about to, to the
// estimate; a walk follows at the next instruction if it passes the
// budget.
func (m *memory) charge(n int64) {
	m.debt += n
	if m.held+m.debt > m.limit {
		m.ticks = 0
	}
}

// due walks when one of the reasons of the clock (hook) asks for it.
func (m *memory) due() {
	if c := m.th.calls; c > m.calls {
		m.debt += int64(c-m.calls) * hostCharge
		m.calls = c
	}
	poked := m.poke.Load() && m.poke.Swap(false)
	if poked || m.ticks <= 0 || m.held+m.debt > m.limit {
		m.check()
	}
}

// check walks the run's values and stops the run if they are over budget.
func (m *memory) check() {
	if m.th.run.Err() != nil {
		return
	}
	held, seen := m.walk.measure(m.th.L, m.th.names, m.limit)
	m.held, m.debt = held, 0
	m.ticks = max(walkEvery, walkPace*seen)
	if held > m.limit {
		m.th.stop(memoryError(m.limit))
	}
}

// beginTurn is called when a turn starts: the user's message becomes a
// Lua string, and the keyword calls are counted from zero again.
func (m *memory) beginTurn(input int) {
	m.calls = 0
	m.charge(int64(input))
}

// endTurn is called when a turn ends (the script waits in HEAR): a dialog
// that holds more than its budget between turns fails now rather than at
// its next instruction.
func (m *memory) endTurn() {
	m.due()
}

// guard is what the sandbox's Go functions call to weigh a value they are
// about to build (n bytes): too big for the budget, the run stops with
// what; otherwise n is charged. It raises the error in L, so it does not
// return then.
func (m *memory) guard(L *lua.LState, what string, n int64) {
	if n > m.limit {
		err := tooBigError(what, n, m.limit)
		m.th.stop(err)
		L.RaiseError("%v", err)
	}
	m.charge(n)
}
