package dialogs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"parley/dialogs"
	"parley/runtime"
)

// TestParkedHoldsNoGoroutine: a dialog parked in a HEAR at the top level
// (no pcall around it) holds no goroutine between turns: its turn's
// worker is free once Step has returned, and many parked dialogs keep
// none busy. The next message resumes each where it waited.
func TestParkedHoldsNoGoroutine(t *testing.T) { // not parallel: counts workers
	before := dialogs.Busy()
	e := newEngine(t, sourceFS(`
		local function ask(q) TALK(q) return HEAR() end
		local name = ask("name?")
		local age = HEAR{as = "integer", retry = "a number, please"}
		TALK(name .. " is " .. age)`))
	const n = 100
	chats := make([]*chat, n)
	for i := range chats {
		chats[i] = startChat(t, e, "t", nil)
		chats[i].begin("talk: name?")
		if dialogs.Blocked(chats[i].d) {
			t.Fatal("a HEAR at the top level blocked a goroutine")
		}
		dialogs.Idle(chats[i].d) // returns: the turn's worker is done with it
	}
	if busy := dialogs.Busy(); busy != before {
		t.Fatalf("%d workers busy with %d dialogs parked, %d before", busy, n, before)
	}
	for i, c := range chats {
		c.say(fmt.Sprint("ann", i))
		c.say("many", "talk: a number, please") // HEAR's retry runs after the resume
		if dialogs.Blocked(c.d) {
			t.Fatal("a retried HEAR blocked a goroutine")
		}
		c.say("42", fmt.Sprintf("talk: ann%d is 42", i))
	}
}

// TestHearNested: a HEAR that Lua reaches through a call from Go (pcall,
// xpcall, a metamethod, table.sort's comparator, gsub's function) cannot
// yield; it waits on its goroutine as before, gets its answer, and the
// script's next top-level HEAR yields again.
func TestHearNested(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, src string }{
		{"pcall", `local ok, v = pcall(HEAR) got = v`},
		{"pcall of a function", `pcall(function() got = HEAR() end)`},
		{"nested pcall", `pcall(pcall, function() got = HEAR() end)`},
		{"xpcall", `xpcall(function() got = HEAR() end, function(e) return e end)`},
		{"MENU in pcall", `local ok, v = pcall(MENU, "pick", {"x", "b"}) got = v`},
		{"__index", `got = setmetatable({}, {__index = function() return HEAR() end}).key`},
		{"__add", `got = setmetatable({}, {__add = function() return HEAR() end}) + 1`},
		{"__call", `got = setmetatable({}, {__call = function() return HEAR() end})()`},
		{"sort comparator", `table.sort({2, 1}, function(a, b) got = got or HEAR() return a < b end)`},
		{"gsub function", `string.gsub("a", "a", function() got = HEAR() end)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := startChat(t, newEngine(t, sourceFS(tc.src+`
				TALK("got " .. got)
				TALK("then " .. HEAR())`)), "t", nil)
			c.begin(begins(tc.src)...)
			// __call is the one metamethod the VM calls itself, not from Go.
			if blocked := dialogs.Blocked(c.d); blocked != (tc.name != "__call") {
				t.Errorf("HEAR in %s: blocked %v", tc.name, blocked)
			}
			c.say("b", "talk: got b")
			if dialogs.Blocked(c.d) {
				t.Error("the top-level HEAR after it did not yield")
			}
			c.say("c", "talk: then c")
		})
	}
}

// begins is what the scripts of TestHearNested do before their first
// HEAR waits.
func begins(src string) []string {
	if strings.Contains(src, "MENU") {
		return []string{"talk: pick", "suggest: x | b"}
	}
	return nil
}

// TestMenuYields: MENU waits like HEAR, re-asks after a wrong answer on
// the turn that brought it, and returns the choice as written.
func TestMenuYields(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, sourceFS(`
		local size = MENU("size?", {"Small", "Large"})
		TALK("size " .. size)
		HEAR()`)), "t", nil)
	c.begin("talk: size?", "suggest: Small | Large")
	c.say("huge", "talk: Please choose one of: Small, Large.", "suggest: Small | Large")
	c.say("large", "talk: size Large")
	if dialogs.Blocked(c.d) {
		t.Error("MENU blocked a goroutine")
	}
}

// TestErrorAfterResume: an error after a yielded HEAR has its line, and
// a non-string one takes it from the traceback; the next message starts
// a new run.
func TestErrorAfterResume(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, sourceFS(`TALK "start"
		local x = HEAR()
		if x == "table" then error({code = 1}) end
		error("bad " .. x)`)), "t", nil)
	c.begin("talk: start")
	se := scriptError(t, c.step("input"))
	if se.Line != 4 || se.Err.Error() != "bad input" {
		t.Errorf("got %v at line %d", se.Err, se.Line)
	}
	c.begin("talk: start")
	se = scriptError(t, c.step("table"))
	if se.Line != 3 {
		t.Errorf("got %v at line %d", se.Err, se.Line)
	}
}

// TestHostFailsOnResume: a host error in HEAR's part that runs on the
// next turn (here the retry text) ends the run with that error, and the
// dialog starts again afterwards.
func TestHostFailsOnResume(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, sourceFS(`
		TALK "start"
		local n = HEAR{as = "number"}
		TALK("n " .. n)`)), "t", nil)
	c.begin("talk: start")
	down := fmt.Errorf("store down")
	c.host.fail = down
	if err := c.step("x"); err != down {
		t.Fatalf("Step: %v, want %v", err, down)
	}
	c.host.fail = nil
	c.expect("talk: Please answer with a number.") // recorded, then failed
	c.say("1", "talk: start", "talk: n 1")
}

// TestCloseParked: Close frees a dialog parked by a yield, with no
// goroutine to stop, and one blocked in a nested HEAR, whose goroutine
// it ends; the host hears nothing from either after Close.
func TestCloseParked(t *testing.T) {
	t.Parallel()
	for _, src := range []string{`HEAR() TALK "after"`, `pcall(HEAR) TALK "after"`} {
		c := startChat(t, newEngine(t, sourceFS(`TYPING() `+src)), "t", nil)
		c.begin("typing: true", "typing: false")
		c.d.Close()
		dialogs.Idle(c.d)
		if err := c.step("hi"); !runtime.IsKind(err, runtime.KindUnavailable) {
			t.Errorf("%s: Step after Close: %v", src, err)
		}
		c.expect()
	}
}

// TestParkedMemoryBudget: the memory budget still weighs a run's values
// across yields: what the script keeps grows turn by turn until a turn
// that ends over the budget fails.
func TestParkedMemoryBudget(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, sourceFS(`
		local keep = {}
		while true do
			HEAR()
			keep[#keep + 1] = ("x"):rep(2^20) .. #keep
		end`)), "t", nil)
	c.begin()
	for i := 0; ; i++ {
		err := c.step("more")
		if err == nil {
			if i > 40 {
				t.Fatal("40 MiB kept over 40 turns and no error")
			}
			continue
		}
		if se := scriptError(t, err); !strings.Contains(se.Err.Error(), "memory budget") {
			t.Fatalf("turn %d: %v", i, err)
		}
		return
	}
}

// TestCancelAfterResume: a turn that resumes a parked run stops when the
// caller gives up on it (here in WAIT, after HEAR's answer), the run
// ends, and the next message starts the script again.
func TestCancelAfterResume(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, sourceFS(`
		local x = HEAR()
		TALK("waiting " .. x)
		WAIT(3600)`)), "t", nil)
	c.begin()
	ctx, cancel := context.WithCancel(t.Context())
	c.host.onTalk = func(string) { cancel() }
	if _, err := c.d.Step(ctx, userMsg("a")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Step: %v, want context.Canceled", err)
	}
	c.expect("talk: waiting a")
	c.host.onTalk = nil
	if dialogs.Blocked(c.d) {
		t.Fatal("a cancelled run still holds a goroutine")
	}
	ctx, cancel = context.WithCancel(t.Context())
	c.host.onTalk = func(string) { cancel() }
	if _, err := c.d.Step(ctx, userMsg("b")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Step: %v, want context.Canceled", err)
	}
	c.expect("talk: waiting b") // a new run, whose first HEAR took b
}
