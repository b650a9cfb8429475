package dialogs_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"parley/dialogs"
	"parley/runtime"
)

func TestTalkHear(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, botFS(t, "greet")), "t", nil)
	c.begin("talk: Hi! What's your name?")
	c.say("Bob", "talk: Hello, Bob!")
}

func TestHearAs(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, botFS(t, "hear_as")), "t", nil)
	c.begin()
	for _, tc := range []struct{ as, in, out string }{
		{"text", "  as is  ", "talk: string   as is  "},
		{"number", "3,5", "talk: number 3.5"},
		{"integer", "#42", "talk: number 42"},
		{"boolean", "Oui!", "talk: boolean true"},
		{"email", "Ada <ada@example.org>", "talk: string ada@example.org"},
		{"date", "tomorrow", "now\ntalk: string 2025-03-15"}, // the host is asked for today
		{"date", "1/2/2024", "talk: string 2024-02-01"},      // and only then
	} {
		c.say(tc.as)
		c.say(tc.in, strings.Split(tc.out, "\n")...)
	}
}

func TestHearRetry(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, botFS(t, "hear_as")), "t", nil)
	c.begin()
	for _, tc := range []struct{ as, bad, retry, good, out string }{
		{"number", "many", "Please answer with a number.", "7", "number 7"},
		{"integer", "7.5", "Please answer with a whole number.", "-7", "number -7"},
		{"boolean", "maybe", "Please answer yes or no.", "nein", "boolean false"},
		{"email", "ada@localhost", "Please enter an email address, like name@example.com.", "a@b.io", "string a@b.io"},
		{"date", "31/02/2025", "Please enter a date, like 2025-12-31 or 31/12/2025.", "today", "string 2025-03-14"},
	} {
		c.say(tc.as)
		c.say(tc.bad, "talk: "+tc.retry)
		want := []string{"talk: " + tc.out}
		if tc.good == "today" {
			want = append([]string{"now"}, want...)
		}
		c.say(tc.good, want...)
	}
}

func TestChoicesAndMenu(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, botFS(t, "choices")), "t", nil)
	c.begin()
	c.say("medium", "talk: Please choose one of: Small, Large.", "suggest: Small | Large")
	c.say("  LARGE ", "talk: size Large")
	c.say("ten", "talk: Digits, please.")
	c.say("10", "talk: n 10")
	c.say("yes", "talk: ok true", "talk: Pick one", "suggest: Red | Green")
	c.say("blue", "talk: Please choose one of: Red, Green.", "suggest: Red | Green")
	c.say("green", "talk: pick Green")
	c.say("4", "talk: Please choose one of: 1, 2, 3.", "suggest: 1 | 2 | 3")
	c.say("2", "talk: level number 2")
}

func TestSuggestTyping(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, botFS(t, "output")), "t", nil)
	c.begin(
		"suggest: a | b",
		"suggest: c | 4",
		"suggest: ",
		"typing: true", // shown once, though TYPING ran twice
		"wait: 1ms",    // TYPING(0.001) pauses through the host
		"typing: false",
		"talk: typed",
		"typing: true",
		"typing: false", // HEAR hides it: a bot waiting for the user is not typing
	)
	c.say("x", "talk: 42")
}

func TestMemory(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, botFS(t, "memory")), "t", nil)
	c.begin(
		"talk: text 12.5 false",
		"talk: 3 two true",
		"talk: Ada y table",
		"talk: nil nil",
	)
	kv := c.host.mem.kv
	if kv["list"] != `[1,"two",true]` || kv["obj"] != `{"name":"Ada","nested":{"deep":{}},"tags":["x","y"]}` {
		t.Errorf("stored JSON: %q", kv)
	}
}

func TestMemoryRejects(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		`SET("k", function() end)`,
		`SET("k", {1, 2, x = 3})`,
		`local t = {} t.self = t SET("k", t)`,
		`SET("k", 0/0)`,
		`SET("", 1)`,
		`SET("k", string.rep("x", 70000))`,
	} {
		c := startChat(t, newEngine(t, sourceFS(src)), "t", nil)
		if se := scriptError(t, c.stepNil(t.Context())); se.Line != 1 {
			t.Errorf("%s: line %d", src, se.Line)
		}
	}
}

func TestMisc(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	e := newEngine(t, botFS(t, "misc"), func(c *dialogs.Config) {
		c.Logger = slog.New(slog.NewTextHandler(logs, nil))
	})
	c := startChat(t, e, "t", nil)
	c.begin(
		"talk: u1 Ada L. false",
		"now",
		"talk: 2025-03-14T09:26:53Z",
		"random: 1 6",
		"talk: 6",
		"random: 1 10",
		"talk: 10",
		"wait: 1ms", // WAIT(0) does not reach the host
		"talk: done",
	)
	want := `level=INFO msg="hello 42 true nil" bot=t session=s-TestMisc file=start.lua line=5`
	if !strings.Contains(logs.String(), want) {
		t.Errorf("log:\n%s\nwant a line with\n%s", logs, want)
	}
}

// TestGlobals pins the exact sandbox: a new global is a decision, not an
// accident.
func TestGlobals(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, botFS(t, "globals")), "t", nil)
	c.begin("talk: " + strings.Join([]string{
		"ATTACHMENTS", "GET", "HEAR", "HISTORY", "HTTP_GET", "HTTP_POST", "LLM", "LOG", "MENU", "NOW", "RANDOM", "SET", "SUGGEST", "TALK", "TRANSFER", "TYPING",
		"USER", "WAIT",
		"_G", "assert", "error", "getmetatable", "ipairs",
		"math.abs", "math.acos", "math.asin", "math.atan", "math.atan2", "math.ceil", "math.cos",
		"math.cosh", "math.deg", "math.exp", "math.floor", "math.fmod", "math.frexp", "math.huge",
		"math.ldexp", "math.log", "math.log10", "math.max", "math.min", "math.mod", "math.modf",
		"math.pi", "math.pow", "math.rad", "math.random", "math.randomseed", "math.sin", "math.sinh",
		"math.sqrt", "math.tan", "math.tanh",
		"next", "pairs", "pcall", "rawequal", "rawget", "rawset", "select", "setmetatable",
		"string.byte", "string.char", "string.find", "string.format", "string.gfind", "string.gmatch",
		"string.gsub", "string.len", "string.lower", "string.match", "string.rep", "string.reverse",
		"string.sub", "string.upper",
		"table.concat", "table.getn", "table.insert", "table.maxn", "table.remove", "table.sort",
		"tonumber", "tostring", "type", "unpack", "xpcall",
	}, " "))
}

// TestWaitingIsFree checks that WAIT, TYPING and HEAR do not spend the
// turn's Lua time budget.
func TestWaitingIsFree(t *testing.T) {
	t.Parallel()
	e := newEngine(t, botFS(t, "budget"), func(c *dialogs.Config) { c.TurnTimeout = 200 * time.Millisecond })
	c := startChat(t, e, "t", nil)
	c.begin("talk: ready", "wait: 300ms", "typing: true", "wait: 300ms", "typing: false", "talk: after wait")
	time.Sleep(300 * time.Millisecond) // the user takes longer than the budget to answer
	c.say("x", "talk: after hear")
}

// TestTransfer: TRANSFER asks the host with its reason and timeout and
// hands the script the outcome as a table; bad arguments are the script's
// errors, on their line.
func TestTransfer(t *testing.T) {
	t.Parallel()
	src := `local r = TRANSFER("billing")
TALK(tostring(r.resolved) .. " " .. r.status .. " " .. r.agent .. " " .. r.note)
local t = TRANSFER{reason = "late", timeout = 90}
TALK(tostring(t.resolved) .. " " .. t.reason)
TRANSFER()`
	e := newEngine(t, sourceFS(src))
	c := startChat(t, e, "t", nil)
	timeout := runtime.TransferOutcome{Status: runtime.TransferTimeout}
	c.host.onTalk = func(text string) {
		if strings.HasPrefix(text, "true") {
			c.host.transfer = &timeout
		}
	}
	c.begin(
		`transfer: "billing" 0s`,
		"talk: true resolved Ann done",
		`transfer: "late" 1m30s`,
		"talk: false timeout",
		`transfer: "" 0s`,
	)
	for _, bad := range []string{
		`TRANSFER{reason = 1}`, `TRANSFER{timeout = -1}`, `TRANSFER{timeout = 1e9}`,
		`TRANSFER{reasons = "x"}`, `TRANSFER(42)`, `TRANSFER(string.rep("x", 501))`,
	} {
		c := startChat(t, newEngine(t, sourceFS(bad)), "t", nil)
		if se := scriptError(t, c.stepNil(t.Context())); se.Line != 1 {
			t.Errorf("%s: line %d", bad, se.Line)
		}
	}
}
