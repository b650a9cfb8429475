package dialogs_test

import (
	"testing"

	"parley/runtime"
)

// BenchmarkLuaLoop measures a turn that runs Lua for a while: 100 000
// iterations of a loop that does arithmetic, indexes a table and concatenates
// short strings, the work the memory budget's per-instruction clock watches.
func BenchmarkLuaLoop(b *testing.B) {
	e := newEngine(b, sourceFS(`
while true do
	local t, s = {}, ""
	for i = 1, 100000 do
		t[i % 100 + 1] = i * 2
		if i % 1000 == 0 then s = s .. "x" end
	end
	TALK(s)
	HEAR()
end`))
	d, err := e.NewDialog(&runtime.Session{ID: "bench", BotID: "t"}, nil, nopHost{})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Step(b.Context(), nil); err != nil {
		b.Fatal(err)
	}
	msg := &runtime.Message{Sender: runtime.SenderUser, Content: "go"}
	for b.Loop() {
		if _, err := d.Step(b.Context(), msg); err != nil {
			b.Fatal(err)
		}
	}
}
