package dialogs_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"parley/dialogs"
)

// patternBombs are pattern matches that gopher-lua's matcher runs for
// minutes or more, in Go, within one Lua instruction: before
// luapattern, the time budget stopped them only once they returned.
// Each script hears a message first and matches on line 3; most build
// their subject, "trim" matches the visitor's message itself.
var patternBombs = []struct {
	name, attack string
	message      string // what the visitor sends
}{
	{"find", `local r = a:find(p)`, "hi"},
	{"match", `local r = a:match(p)`, "hi"},
	{"gmatch", `for w in a:gmatch(p) do end`, "hi"},
	{"gsub", `local r = a:gsub(p, "x")`, "hi"},
	// The right-trim idiom against a visitor's 32,000 spaces and an x:
	// 52 s of gopher-lua.
	{"trim", `local r = msg:match("^(.-)%s*$")`, strings.Repeat(" ", 32000) + "x"},
	{"lazy captures", `local r = ("y"):rep(5000):find("(.-)(.-)(.-)x")`, "hi"},
	{"unbalanced %b", `local r = ("("):rep(1e6):find("%b()")`, "hi"},
	// gopher-lua reads %f as a literal f; this backtracks over each f.
	{"%f", `local r = ("f"):rep(1e6):find("%f[%w]+%f[%W]")`, "hi"},
	{"in a gsub callback", `local r = ("x"):rep(3):gsub("x", function() return a:find(p) end)`, "hi"},
	{"in pcall", `while true do pcall(string.find, a, p) end`, "hi"},
}

// patternBudget is the time budget of the pattern bombs, and
// patternDeadline how long a test waits for one to stop: generous for a
// loaded machine and the race detector, and far less than the matches
// take unchecked.
const (
	patternBudget   = 300 * time.Millisecond
	patternDeadline = 15 * time.Second
)

// TestPatternBudget: each pattern bomb stops with the time budget's error
// at its line, within its budget (give or take a loaded machine), while a
// conversation with another bot of the engine answers meanwhile.
func TestPatternBudget(t *testing.T) {
	t.Parallel()
	for _, tc := range patternBombs {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := "local msg = HEAR()\nlocal a, p = ('a'):rep(40000), ('a*'):rep(40) .. 'b'\n" + tc.attack
			e := newEngine(t, withEcho(src), func(c *dialogs.Config) { c.TurnTimeout = patternBudget })
			h := startChat(t, e, "t", nil)
			h.begin()
			bystander := startChat(t, e, "echo", nil)
			bystander.begin()

			hostile := make(chan error, 1)
			start := time.Now()
			go func() { hostile <- h.step(tc.message) }()
			answered, err := talkUntil(t, bystander, hostile, patternDeadline)
			took := time.Since(start)
			se := scriptError(t, err)
			if !errors.Is(se, dialogs.ErrTimeBudget) || se.Line != 3 {
				t.Errorf("got %.300v (line %d), want ErrTimeBudget at line 3", se, se.Line)
			}
			if answered == 0 {
				t.Error("the other conversation was not answered while the pattern ran")
			}
			t.Logf("stopped after %v; the other conversation answered %d messages meanwhile", took.Round(time.Millisecond), answered)
		})
	}
}

// talkUntil has c talk to its echo bot until done delivers, and returns
// how many messages were answered meanwhile and what done delivered. If
// done takes longer than deadline, it panics: the test has failed, and
// closing a dialog stuck in Go would wait for its match to end.
func talkUntil(t *testing.T, c *chat, done <-chan error, deadline time.Duration) (int, error) {
	t.Helper()
	timeout := time.After(deadline)
	for n := 0; ; n++ {
		select {
		case err := <-done:
			return n, err
		case <-timeout:
			panic(fmt.Sprintf("%s: not stopped within %v", t.Name(), deadline))
		default:
			msg := fmt.Sprint("ping ", n)
			c.say(msg, "talk: "+msg)
		}
	}
}
