package dialogs_test

import (
	"errors"
	"fmt"
	goruntime "runtime"
	"runtime/metrics"
	"strings"
	"testing"

	"parley/dialogs"
)

// memoryBombs allocate without bound, each in its own way; every one must
// fail with ErrMemoryBudget at the given line. A walk may stop a bomb at
// any instruction of its loop, so each loop is on one line.
var memoryBombs = []struct {
	name, src string
	line      int
}{
	{"numbers", "local t = {}\nfor i = 1, 1e8 do t[i] = i end", 2},
	{"doubling", "local s = 'x'\nfor i = 1, 40 do s = s .. s end", 2},
	{"doubling in pcall", "local n = 0\nwhile true do pcall(function() local s = 'x' for i = 1, 40 do s = s .. s end end) n = n + 1 end", 2},
	{"tables", "local t = {}\nwhile true do t[#t + 1] = {} end", 2},
	{"records", "local t = {}\nwhile true do t[#t + 1] = {name = 'x', n = #t} end", 2},
	{"string keys", "local t = {}\nfor i = 1, 1e8 do t['k' .. i] = i end", 2},
	{"closures", "local fs = {}\nfor i = 1, 1e8 do fs[i] = function() return i end end", 2},
	{"upvalue", "local big = {}\nlocal function add() big[#big + 1] = ('x'):rep(100) .. #big end while true do add() end", 2},
	{"varargs", "local function f(...) return f(('x'):rep(2^20), ...) end\nf()", 1},
	{"sparse arrays", "local keep = {}\nfor i = 1, 1e6 do local t = {} t[2^20 - 1] = true keep[i] = t end", 2},
	{"named tables", "local n\nfor i = 1, 1e6 do local t = {} for j = 1, 200 do t[j] = j end n = tostring(t) end", 2},
	{"concat chain", "local s = ('x'):rep(2^20)\ns = s .. s s = s .. s s = s .. s\nlocal y = s .. s .. s .. s .. s .. s .. s .. s .. s .. s", 3},
	{"table.concat", "local s, t = ('x'):rep(2^20), {}\nfor i = 1, 100 do t[i] = s end\nlocal r = table.concat(t, s)", 3},
	{"gsub replacement", "local s = ('x'):rep(1000)\nlocal r = s:gsub('x', ('y'):rep(2^20))", 2},
	{"gsub matches", "local s = ('x'):rep(2^20)\nlocal r = s:gsub('', '-')", 2},
	{"gsub function", "local s, y = ('x'):rep(1000), ('y'):rep(2^20)\nlocal r = s:gsub('x', function() return y end)", 2},
	{"format", "local s, t = ('x'):rep(2^20), {}\nfor i = 1, 100 do t[i] = s end\nlocal r = string.format(('%s'):rep(100), unpack(t))", 3},
	{"upper", "local s, t = ('x'):rep(2^20), {}\nfor i = 1, 100 do t[i] = s:upper() end", 2},
}

// slow gives an engine a time budget that memory bombs do not reach
// (slowMachine).
func slow(c *dialogs.Config) { c.TurnTimeout = slowMachine }

// TestMemoryBudget: each bomb fails with the memory budget's error, and
// the next message starts the script again.
func TestMemoryBudget(t *testing.T) {
	t.Parallel()
	for _, tc := range memoryBombs {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := startChat(t, newEngine(t, sourceFS("TALK 'start'\n"+tc.src), slow), "t", nil)
			for _, step := range []func() error{
				func() error { return c.stepNil(t.Context()) },
				func() error { return c.step("again") },
			} {
				se := scriptError(t, step())
				if !errors.Is(se, dialogs.ErrMemoryBudget) || se.Line != tc.line+1 ||
					!strings.Contains(se.Error(), "Lua memory budget exceeded") {
					t.Errorf("got %v (line %d), want ErrMemoryBudget at line %d", se, se.Line, tc.line+1)
				}
				c.expect("talk: start")
			}
		})
	}
}

// TestMemoryBudgetMessage: pcall cannot swallow the memory budget: the
// instruction after it fails again, so the script cannot talk after.
func TestMemoryBudgetMessage(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, sourceFS(
		`local ok, err = pcall(function() local s = "x" for i = 1, 40 do s = s .. s end end) TALK(err)`), slow), "t", nil)
	se := scriptError(t, c.stepNil(t.Context()))
	if !errors.Is(se, dialogs.ErrMemoryBudget) {
		t.Errorf("got %v", se)
	}
	if got := c.host.take(); len(got) != 0 {
		t.Errorf("a script over budget still talked: %q", got)
	}
}

// TestMemoryAcrossTurns: a dialog that keeps 1 MiB more at every turn
// fails when it holds more than the budget between turns, not before.
func TestMemoryAcrossTurns(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, sourceFS(`
local keep = {}
while true do
	keep[#keep + 1] = ("x"):rep(2^20)
	TALK("kept " .. #keep)
	HEAR()
end`), slow), "t", nil)
	c.begin("talk: kept 1")
	var err error
	turn := 1
	for ; err == nil && turn < 40; turn++ {
		err = c.step("more")
	}
	if se := scriptError(t, err); !errors.Is(se, dialogs.ErrMemoryBudget) {
		t.Fatalf("got %v", se)
	}
	if turn < 15 || turn > 18 {
		t.Errorf("failed at turn %d holding about %d MiB, want about 16", turn, turn)
	}
	t.Logf("failed at turn %d", turn)
}

// TestMemoryBudgetConfig: the budget is Config.MemoryBudget.
func TestMemoryBudgetConfig(t *testing.T) {
	t.Parallel()
	src := `local t = {} for i = 1, 20 do t[i] = ("x"):rep(2^20) .. i end TALK("held 20 MiB")`
	small := newEngine(t, sourceFS(src), slow, func(c *dialogs.Config) { c.MemoryBudget = 4 << 20 })
	if se := scriptError(t, startChat(t, small, "t", nil).stepNil(t.Context())); !strings.Contains(se.Error(), "4 MiB") {
		t.Errorf("4 MiB budget: %v", se)
	}
	big := newEngine(t, sourceFS(src), slow, func(c *dialogs.Config) { c.MemoryBudget = 64 << 20 })
	c := startChat(t, big, "t", nil)
	if err := c.stepNil(t.Context()); err != nil {
		t.Fatalf("64 MiB budget: %v", err)
	}
	c.expect("talk: held 20 MiB")
}

// TestMemoryFits: scripts that hold a fair share of the budget, or
// allocate far more than it over time, run.
func TestMemoryFits(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		`local t = {} for i = 1, 2e5 do t[i] = i end TALK(#t)`,
		`local t = {} for i = 1, 1e4 do t[i] = {id = i, name = "n" .. i} end TALK(#t)`,
		`local p = {} for i = 1, 1000 do p[i] = ("x"):rep(1000) end TALK(#table.concat(p))`,
		`local n = 0 for i = 1, 200 do local s = ("x"):rep(2^20) n = n + #s end TALK(n)`,
		`local n = 0 for i = 1, 300 do local t = {} for j = 1, 1000 do t[j] = {j} end n = n + #t end TALK(n)`,
		`local s = ("x"):rep(2^20) for i = 1, 3 do s = s .. s end TALK(#s)`,
		`local r = ("ab"):rep(2^16):gsub("a", "xyz") TALK(#r)`,
	} {
		c := startChat(t, newEngine(t, sourceFS(src), slow), "t", nil)
		if err := c.stepNil(t.Context()); err != nil {
			t.Errorf("%s: %v", src, err)
		}
		if got := c.host.take(); len(got) != 1 {
			t.Errorf("%s: did %q", src, got)
		}
	}
}

// TestMemoryHeapReturns: after bombs, the process heap is back near where
// it was: a failed run leaves nothing behind. Not parallel: it reads the
// process heap.
func TestMemoryHeapReturns(t *testing.T) {
	before := liveHeap()
	e := newEngine(t, sourceFS("local t = {}\nwhile true do t[#t + 1] = {x = #t} end"), slow)
	for i := range 5 {
		c := startChat(t, e, "t", nil)
		if se := scriptError(t, c.stepNil(t.Context())); !errors.Is(se, dialogs.ErrMemoryBudget) {
			t.Fatalf("bomb %d: %v", i, se)
		}
		c.d.Close()
	}
	after := liveHeap()
	if grown := int64(after) - int64(before); grown > 32<<20 {
		t.Errorf("the heap grew by %d MiB after five bombs of 16 MiB", grown>>20)
	}
	t.Logf("heap %d KiB before, %d KiB after", before>>10, after>>10)
}

// liveHeap is the live heap after a collection.
func liveHeap() uint64 {
	goruntime.GC()
	goruntime.GC() // gopher-lua's pooled call frames go at the second
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// ExampleErrMemoryBudget is what a script over budget gets.
func ExampleErrMemoryBudget() {
	fmt.Println(dialogs.ErrMemoryBudget)
	// Output: Lua memory budget exceeded
}
