package dialogs

import (
	"context"
	"testing"
)

// plainContext is what the LState's context was before the memory budget:
// run's, with its cause as Err, checked by the VM before each instruction
// (without the budget's instruction hook).
type plainContext struct{ context.Context }

func (c plainContext) Err() error {
	if c.Context.Err() == nil {
		return nil
	}
	return context.Cause(c.Context)
}

// BenchmarkInstructions compares a Lua loop (about 5 instructions an
// iteration, a `..` every 1000) under the budget's instruction hook and
// under a plain context: the per-instruction cost of the budget's clock.
func BenchmarkInstructions(b *testing.B) {
	const src = `local t, s = {}, "" for i = 1, 1000000 do t[i % 100 + 1] = i if i % 1000 == 0 then s = s .. "x" end end`
	for _, mode := range []string{"budget", "plain"} {
		b.Run(mode, func(b *testing.B) {
			th := testRun(b, DefaultMemoryBudget)
			if mode == "plain" {
				th.L.SetInstructionHook(nil)
				th.L.SetContext(plainContext{th.run})
			}
			fn, err := th.L.LoadString(src)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				th.L.Push(fn)
				th.L.Call(0, 0)
			}
		})
	}
}

// BenchmarkWalk measures a walk of a fresh sandboxed state.
func BenchmarkWalk(b *testing.B) {
	th := testRun(b, DefaultMemoryBudget)
	var n int64
	var seen int
	for b.Loop() {
		n, seen = th.mem.walk.measure(th.L, th.names, th.mem.limit)
	}
	b.ReportMetric(float64(n), "bytes")
	b.ReportMetric(float64(seen), "values")
}
