package luapattern_test

import (
	"context"
	"strings"
	"testing"

	"github.com/yuin/gopher-lua/pm"

	"parley/dialogs/internal/luapattern"
)

// BenchmarkFind compares Find with gopher-lua's pm.Find on typical bot
// patterns, and on a long subject where the checks happen: without a
// check (the step counter alone) and with one that looks at a context,
// as a dialog's does.
//
//	go test -run '^$' -bench BenchmarkFind -count 6 ./dialogs/internal/luapattern
func BenchmarkFind(b *testing.B) {
	const msg = "  Hi! I'd like to book a table for 4 people at 19:30, my email is ada@example.com  "
	cases := []struct{ name, pat, src string }{
		{"trim", "^%s*(.-)%s*$", msg},
		{"email", "[%w%.%-_]+@[%w%.%-]+%.%a+", msg},
		{"time", "(%d%d?):(%d%d)", msg},
		{"long trim", "^%s*(.-)%s*$", strings.Repeat("word ", 2000)},
	}
	ctx := context.Background()
	check := func() error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		default:
			return nil
		}
	}
	for _, tc := range cases {
		src := []byte(tc.src)
		b.Run(tc.name+"/gopher-lua", func(b *testing.B) {
			for b.Loop() {
				pm.Find(tc.pat, src, 0, 1)
			}
		})
		b.Run(tc.name+"/counted", func(b *testing.B) {
			for b.Loop() {
				luapattern.Find(tc.pat, src, 0, 1, nil)
			}
		})
		b.Run(tc.name+"/checked", func(b *testing.B) {
			for b.Loop() {
				luapattern.Find(tc.pat, src, 0, 1, check)
			}
		})
	}
}
