package dialogs

import (
	"fmt"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// BenchmarkPattern runs typical bot patterns on a short message in a
// dialog's state, with Parley's pattern functions and with gopher-lua's
// (the same state, its string.find, match, gmatch and gsub swapped back):
// what counting the matcher's steps and checking the run every
// luapattern.CheckEvery of them costs an ordinary script.
//
//	go test -run '^$' -bench BenchmarkPattern -count 6 ./dialogs
func BenchmarkPattern(b *testing.B) {
	const msg = "  Hi! I'd like to book a table for 4 people at 19:30, my email is ada@example.com  "
	cases := []struct{ name, code string }{
		{"trim", `local r = msg:match("^%s*(.-)%s*$")`},
		{"right-trim", `local r = msg:match("^(.-)%s*$")`},
		{"find", `local r = msg:find("table")`},
		{"number", `local r = msg:match("(%d+) people")`},
		{"email", `local r = msg:match("[%w%.%-_]+@[%w%.%-]+%.%a+")`},
		{"time", `local h, m = msg:match("(%d%d?):(%d%d)")`},
		{"gsub spaces", `local r = msg:gsub("%s+", " ")`},
		{"gmatch words", `for w in msg:gmatch("%a+") do end`},
	}
	stock := lua.NewState()
	defer stock.Close()
	for _, tc := range cases {
		for _, impl := range []string{"gopher-lua", "parley"} {
			b.Run(tc.name+"/"+impl, func(b *testing.B) {
				L := testRun(b, DefaultMemoryBudget).L
				if impl == "gopher-lua" {
					str := L.GetGlobal("string").(*lua.LTable)
					for _, name := range []string{"find", "match", "gmatch", "gsub"} {
						str.RawSetString(name, stock.GetField(stock.GetGlobal("string"), name))
					}
				}
				src := fmt.Sprintf("local msg = %q\nfor i = 1, %d do %s end", msg, b.N, tc.code)
				fn, err := L.LoadString(src)
				if err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				L.Push(fn)
				if err := L.PCall(0, 0, nil); err != nil {
					b.Fatal(err)
				}
			})
		}
	}
}
