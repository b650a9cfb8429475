package dialogs

import (
	"context"
	"errors"
	goruntime "runtime"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// TestDataStack: the walk sees the data stack (LState.DataStack, from
// Parley's patch of gopher-lua).
func TestDataStack(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	L.Push(lua.LString("marker"))
	found := false
	for _, v := range L.DataStack() {
		found = found || v == lua.LString("marker")
	}
	if !found {
		t.Error("DataStack does not see a pushed value")
	}
}

// testRun is a run without a dialog: a sandboxed state and its budget.
func testRun(t testing.TB, limit int64) *thread {
	run, stop := context.WithCancelCause(context.Background())
	th := &thread{run: run, stop: stop, names: newNamer()}
	th.mem = newMemory(th, limit)
	th.L = newState()
	th.watch()
	t.Cleanup(th.L.Close)
	return th
}

// TestMemoryEstimate: the walk's estimate of what typical values hold is
// within a factor of two of what they take on the Go heap. Not parallel:
// it reads the process heap.
func TestMemoryEstimate(t *testing.T) {
	for _, src := range []string{
		"keep = {} for i = 1, 100000 do keep[i] = i end",
		"keep = {} for i = 1, 100000 do keep[i] = {} end",
		"keep = {} for i = 1, 20000 do keep[i] = {id = i, name = 'n' .. i} end",
		"keep = {} for i = 1, 50000 do keep['k' .. i] = i end",
		"keep = {} for i = 1, 50000 do keep[i] = function() return i end end",
		"keep = {} for i = 1, 1000 do keep[i] = ('x'):rep(1000) .. i end",
		"keep = {} for i = 1, 100000 do keep[i] = 'v' .. i end",
	} {
		th := testRun(t, 1<<40)
		before := heapNow()
		if err := th.L.DoString(src); err != nil {
			t.Fatal(err)
		}
		grown := int64(heapNow() - before)
		base := testRun(t, 1<<40)
		empty, _ := base.mem.walk.measure(base.L, base.names, 1<<40)
		held, _ := th.mem.walk.measure(th.L, th.names, 1<<40)
		held -= empty
		if held < grown/2 || held > grown*2 {
			t.Errorf("%s: estimated %d bytes, the heap grew by %d", src, held, grown)
		}
		t.Logf("%-75s estimated %8d, heap %8d", src, held, grown)
		goruntime.KeepAlive(th.L)
	}
}

func heapNow() uint64 {
	goruntime.GC()
	goruntime.GC()
	var m goruntime.MemStats
	goruntime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestLibsLikeGopherLua: the rewritten gsub and table.concat answer as
// gopher-lua's own.
func TestLibsLikeGopherLua(t *testing.T) {
	t.Parallel()
	plain := lua.NewState()
	defer plain.Close()
	ours := testRun(t, DefaultMemoryBudget).L
	for _, expr := range []string{
		`("hello world"):gsub("o", "0")`,
		`("hello world"):gsub("o", "0", 1)`,
		`("hello world"):gsub("o", "0", 0)`,
		`("hello world"):gsub("(o)", "[%1%1]")`,
		`("hello world"):gsub("l+", "%0%0")`,
		`("hello"):gsub("", "-")`,
		`("hello"):gsub("x*", "-")`,
		`("abc"):gsub("%w", "%%")`,
		`("abc"):gsub("%w", "%x")`,
		`("abc"):gsub("%w", "end%")`,
		`("abc"):gsub("b", "%1")`,
		`("abc"):gsub("()b()", "%1-%2")`,
		`("hello world"):gsub("%w+", {hello = "HI", world = false})`,
		`("hello world"):gsub("(%w)(%w*)", {h = 1, w = "W"})`,
		`("hello world"):gsub("%w+", string.upper)`,
		`("hello world"):gsub("(%w+) (%w+)", function(a, b) return b .. " " .. a end)`,
		`("a,b,,c"):gsub(",", function() return nil end)`,
		`("abc"):gsub("()", {[1] = "<", [4] = ">"})`,
		`("x = 1, y = 2"):gsub("(%w+) = (%w+)", "%2 = %1")`,
		`pcall(string.gsub, "abc", "(", "x")`,
		`pcall(string.gsub, "abc", "b", "%2")`,
		`pcall(string.gsub, "abc", "b", true)`,
		`table.concat({1, 2, 3})`,
		`table.concat({1, 2, 3}, ", ")`,
		`table.concat({1, 2, 3}, ", ", 2)`,
		`table.concat({1, 2, 3}, ", ", 2, 3)`,
		`table.concat({1, 2, 3}, ", ", 5)`,
		`table.concat({1, 2, 3}, ", ", 0)`,
		`table.concat({1, 2, 3}, ", ", 3, 1)`,
		`table.concat({1, 2, 3}, ", ", -1, 9)`,
		`table.concat({}, "x")`,
		`table.concat({"a", 1.5, "c"}, "")`,
		`pcall(table.concat, {1, {}, 3})`,
	} {
		want, got := eval(plain, expr), eval(ours, expr)
		if got != want {
			t.Errorf("%s: got %q, gopher-lua %q", expr, got, want)
		}
	}
}

// eval runs `return expr` and renders what it returned.
func eval(L *lua.LState, expr string) string {
	top := L.GetTop()
	if err := L.DoString("return " + expr); err != nil {
		return "error: " + err.Error()
	}
	var out string
	for i := top + 1; i <= L.GetTop(); i++ {
		out += L.Get(i).Type().String() + " " + lua.LVAsString(L.Get(i)) + "|"
	}
	L.SetTop(top)
	return out
}

// TestMemoryWithoutSentinel: the bombs that run in the VM alone are
// stopped by the run's own checks, at a point that depends only on the
// script: this run is not watched by the sentinel, which could otherwise
// catch them first.
func TestMemoryWithoutSentinel(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		`local t = {} for i = 1, 1e8 do t[i] = i end`,
		`local t = {} while true do t[#t + 1] = {} end`,
		`local s = "x" for i = 1, 40 do s = s .. s end`,
		`local fs = {} for i = 1, 1e8 do fs[i] = function() return i end end`,
		`local function f(...) return f(("x"):rep(1000), ...) end f()`,
		`for i = 1, 1e6 do local t = {} for j = 1, 200 do t[j] = j end tostring(t) end`,
		`local keep = {} for i = 1, 1e6 do local t = {} t[2^20 - 1] = true keep[i] = t end`,
		`local keep = {} for i = 1, 1e6 do local t = {} rawset(t, 2^20 - 1, true) keep[i] = t end`,
		`local keep = {} for i = 1, 1e6 do local t = {} table.insert(t, 2^20 - 1, true) keep[i] = t end`,
	} {
		th := testRun(t, DefaultMemoryBudget)
		err := th.L.DoString(src)
		if cause := context.Cause(th.run); err == nil || !errors.Is(cause, ErrMemoryBudget) {
			t.Errorf("%s: got %v, cause %v", src, err, cause)
		}
	}
}

// TestMemoryGap: a single store that would append more nils than the
// budget holds fails before it runs.
func TestMemoryGap(t *testing.T) {
	t.Parallel()
	for _, src := range []string{`local t = {} t[2^19] = 1`, `rawset({}, 2^19, 1)`, `table.insert({}, 2^19, 1)`} {
		th := testRun(t, 1<<20)
		err := th.L.DoString(src)
		if cause := context.Cause(th.run); err == nil || !errors.Is(cause, ErrMemoryBudget) {
			t.Errorf("%s: got %v, cause %v", src, err, cause)
		}
	}
}

// TestSentinel: a long turn is poked each time the heap grows by a budget
// above its low, a short one never, and the sentinel stops none.
func TestSentinel(t *testing.T) {
	t.Parallel()
	var heap uint64 = 100 << 20
	s := &sentinel{runs: map[*memory]struct{}{}, smallest: 16 << 20, heap: func() uint64 { return heap }}
	s.mark = heap
	now := time.Now()
	long, short := testRun(t, 16<<20), testRun(t, 16<<20)
	long.mem.lua.Store(now.Add(-time.Second).UnixNano())
	short.mem.lua.Store(now.UnixNano())
	s.runs[long.mem], s.runs[short.mem] = struct{}{}, struct{}{}

	for _, tc := range []struct {
		grow int64
		poke bool
	}{
		{10 << 20, false},
		{10 << 20, true},   // 20 MiB above the low
		{10 << 20, false},  // 10 above the last poke
		{-50 << 20, false}, // a collection: a new low
		{20 << 20, true},   // 20 above it
		{1 << 30, true},
	} {
		heap = uint64(int64(heap) + tc.grow)
		if !s.step(now) {
			t.Fatal("the sentinel stopped with runs left")
		}
		if got := long.mem.poke.Swap(false); got != tc.poke {
			t.Errorf("heap %d MiB: poked %v, want %v", heap>>20, got, tc.poke)
		}
		if short.mem.poke.Load() || long.run.Err() != nil {
			t.Fatal("the short turn was poked, or the long one stopped")
		}
	}
	s.runs = map[*memory]struct{}{}
	if s.step(now) {
		t.Error("the sentinel goes on without runs")
	}
}

// TestSentinelPokeWalks: a poked run walks at its next instruction and
// stops there if it is over budget, though its own pacing would have
// waited.
func TestSentinelPokeWalks(t *testing.T) {
	t.Parallel()
	th := testRun(t, 1<<20)
	// Its pacing waits longer than the script runs: where a walk falls
	// depends on how many values a fresh state holds, which the test
	// must not.
	th.mem.ticks = 1 << 30
	if err := th.L.DoString(`keep = {} for i = 1, 50000 do keep[i] = i end`); err != nil {
		t.Fatal(err) // 50 000 numbers: over 1 MiB, but no walk is due
	}
	th.mem.poke.Store(true)
	err := th.L.DoString(`local x = 1`)
	if err == nil || !errors.Is(context.Cause(th.run), ErrMemoryBudget) {
		t.Errorf("got %v, cause %v", err, context.Cause(th.run))
	}
}
