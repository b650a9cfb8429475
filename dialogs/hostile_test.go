package dialogs_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"parley/dialogs"
	"parley/runtime"
)

// scriptError checks that err is a dialog error and returns its ScriptError.
func scriptError(t *testing.T, err error) *dialogs.ScriptError {
	t.Helper()
	if !runtime.IsKind(err, runtime.KindDialog) {
		t.Fatalf("got %v, want a %s error", err, runtime.KindDialog)
	}
	if msg := runtime.ErrorMessage(err); msg != "the bot failed; send a message to start again" {
		t.Errorf("user-facing message %q", msg)
	}
	var se *dialogs.ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("%v is not a *ScriptError", err)
	}
	if se.Bot != "t" || se.File != "start.lua" {
		t.Errorf("error names bot %q file %q", se.Bot, se.File)
	}
	return se
}

func TestHostileScripts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, src string
		line      int
		msg       string // the error contains it
	}{
		{"os.execute", `os.execute("rm -rf /")`, 1, "os"},
		{"io.open", "\nio.open('/etc/passwd')", 2, "io"},
		{"require", `require("os")`, 1, "require"},
		{"load", `load("return 1")()`, 1, "load"},
		{"loadstring", `loadstring("return 1")()`, 1, "loadstring"},
		{"dofile", `dofile("/etc/passwd")`, 1, "dofile"},
		{"print", `print("hi")`, 1, "print"},
		{"collectgarbage", `collectgarbage()`, 1, "collectgarbage"},
		{"getfenv", `getfenv(1).x = 1`, 1, "getfenv"},
		{"newproxy", `newproxy(true)`, 1, "newproxy"},
		{"string.dump", `string.dump(function() end)`, 1, "dump"},
		{"debug", `debug.getinfo(1)`, 1, "debug"},
		{"coroutine", `coroutine.create(print)`, 1, "coroutine"},
		{"string metatable", `getmetatable("").__index.upper = nil`, 1, "nil"},
		{"set string metatable", `setmetatable("", {})`, 1, "table expected"},
		{"string.rep", `local s = string.rep("x", 1e9)`, 1, "larger than"},
		{"string.format", `string.format("%99999999d", 1)`, 1, "invalid format"},
		{"runtime error", "local t\n\nt.x = 1", 3, "nil"},
		{"error string", `error("went wrong")`, 1, "went wrong"},
		{"error table", "local x = 1\nerror({message = 'structured'})", 2, "structured"},
		{"error table without message", `error({code = 7})`, 1, "table"},
		{"deep recursion", `local function f() return 1 + f() end f()`, 1, "overflow"},
		{"many args", `local t = {} for i = 1, 1e6 do t[i] = i end unpack(t)`, 1, "registry overflow"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := startChat(t, newEngine(t, sourceFS(tc.src)), "t", nil)
			se := scriptError(t, c.stepNil(t.Context()))
			if se.Line != tc.line || !strings.Contains(se.Err.Error(), tc.msg) {
				t.Errorf("got %v (line %d), want line %d and %q", se, se.Line, tc.line, tc.msg)
			}
		})
	}
}

// TestTimeBudget: a script that never stops is stopped after the budget,
// even when it hides inside pcall, and the next message starts it again.
func TestTimeBudget(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		"TALK 'looping'\nwhile true do end",
		"TALK 'looping'\nwhile true do pcall(function() while true do end end) end",
		"TALK 'looping'\nlocal function f() return f() end f()",
	} {
		e := newEngine(t, sourceFS(src), func(c *dialogs.Config) { c.TurnTimeout = 50 * time.Millisecond })
		c := startChat(t, e, "t", nil)
		start := time.Now()
		se := scriptError(t, c.stepNil(t.Context()))
		if !errors.Is(se, dialogs.ErrTimeBudget) || se.Line != 2 {
			t.Errorf("%q: got %v (line %d), want ErrTimeBudget at line 2", src, se, se.Line)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("stopping took %v", took)
		}
		c.expect("talk: looping")
		scriptError(t, c.step("again"))
		c.expect("talk: looping")
	}
}

// TestBudgetMessage: the Lua error itself says what happened, so a script
// that logs it from pcall (or a reader of the log) understands it.
func TestBudgetMessage(t *testing.T) {
	t.Parallel()
	e := newEngine(t, sourceFS(`local ok, err = pcall(function() while true do end end) TALK(err)`),
		func(c *dialogs.Config) { c.TurnTimeout = 20 * time.Millisecond })
	c := startChat(t, e, "t", nil)
	scriptError(t, c.stepNil(t.Context())) // TALK itself is past the budget
	if got := c.host.take(); len(got) != 0 {
		t.Errorf("a script over budget still talked: %q", got)
	}
	var se *dialogs.ScriptError
	errors.As(c.stepNil(t.Context()), &se)
	if se == nil || !strings.Contains(se.Error(), "Lua time budget exceeded") {
		t.Errorf("got %v", se)
	}
}

// TestHostileDoesNotBlockOthers runs a looping dialog and checks that a
// dialog of another bot answers all its turns meanwhile.
func TestHostileDoesNotBlockOthers(t *testing.T) {
	t.Parallel()
	hostile := newEngine(t, botFS(t, "loop"), func(c *dialogs.Config) { c.TurnTimeout = 2 * time.Second })
	h := startChat(t, hostile, "t", nil)
	looped := make(chan error, 1)
	go func() { looped <- h.stepNil(t.Context()) }()

	c := startChat(t, newEngine(t, botFS(t, "echo")), "t", nil)
	c.begin()
	for i := range 100 {
		msg := strings.Repeat("x", i+1)
		c.say(msg, "talk: "+msg)
	}
	select {
	case err := <-looped:
		t.Fatalf("the looping dialog ended before the other finished: %v", err)
	default:
	}
	if err := <-looped; !errors.Is(err, dialogs.ErrTimeBudget) {
		t.Errorf("looping dialog: %v", err)
	}
}
