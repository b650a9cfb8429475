package dialogs_test

import (
	"cmp"
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
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

// hostileCase is a script that tries to escape the sandbox or to exhaust
// the server. Each must end with a dialog error whose text contains msg,
// at line (0: any line), after at most turns user messages.
type hostileCase struct {
	name, src string
	line      int
	msg       string
	turns     int           // user messages the attack needs (most need none)
	timeout   time.Duration // the Lua time budget, when the case is about it
}

var hostileCases = []hostileCase{
	// Escapes: what is not in the sandbox fails, and says so.
	{name: "os.execute", src: `os.execute("rm -rf /")`, line: 1, msg: "os"},
	{name: "io.open", src: "\nio.open('/etc/passwd')", line: 2, msg: "io"},
	{name: "require", src: `require("os")`, line: 1, msg: "require"},
	{name: "load", src: `load("return 1")()`, line: 1, msg: "load"},
	{name: "bytecode through load", src: `load("\27Lua\81\0\1\4\8\4\8\0")()`, line: 1, msg: "load is not available"},
	{name: "loadstring", src: `loadstring("return 1")()`, line: 1, msg: "loadstring"},
	{name: "dofile", src: `dofile("/etc/passwd")`, line: 1, msg: "dofile"},
	{name: "loadfile", src: `loadfile("/etc/passwd")`, line: 1, msg: "loadfile"},
	{name: "module", src: `module("evil")`, line: 1, msg: "module"},
	{name: "print", src: `print("hi")`, line: 1, msg: "print"},
	{name: "collectgarbage", src: `collectgarbage()`, line: 1, msg: "collectgarbage"},
	{name: "getfenv", src: `getfenv(1).x = 1`, line: 1, msg: "getfenv"},
	{name: "setfenv", src: `setfenv(1, {})`, line: 1, msg: "setfenv"},
	{name: "newproxy", src: `newproxy(true)`, line: 1, msg: "newproxy"},
	{name: "string.dump", src: `string.dump(function() end)`, line: 1, msg: "dump"},
	{name: "debug", src: `debug.getinfo(1)`, line: 1, msg: "debug"},
	{name: "coroutine", src: `coroutine.create(print)`, line: 1, msg: "coroutine"},
	{name: "coroutine bomb", src: `while true do coroutine.wrap(function() end)() end`, line: 1, msg: "coroutine is not available"},
	// Metatables: strings' and _G's belong to the host; the rest is the script's own.
	{name: "string metatable", src: `getmetatable("").__index.upper = nil`, line: 1, msg: "nil"},
	{name: "set string metatable", src: `setmetatable("", {})`, line: 1, msg: "table expected"},
	{name: "rawset string metatable", src: `rawset(getmetatable(""), "__index", {})`, line: 1, msg: "table expected"},
	{name: "hijack _G", src: `setmetatable(_G, {__index = function() return TALK end})`, line: 1, msg: "protected metatable"},
	{name: "replace a keyword", src: `TALK = function() error("hijacked TALK") end TALK("hi")`, line: 1, msg: "hijacked TALK"},
	{name: "rawset a library table", src: `rawset(string, "rep", nil) local s = ("x"):rep(3)`, line: 1, msg: "non-function"},
	{name: "__index loop", src: "local t = setmetatable({}, {})\ngetmetatable(t).__index = t\nlocal x = t.x", line: 3, msg: "recursion"},
	// Exhaustion: time, stacks, memory.
	{name: "infinite loop", src: "\nwhile true do end", line: 2, msg: "time budget", timeout: 100 * time.Millisecond},
	{name: "loop in pcall", src: `while true do pcall(function() while true do end end) end`, line: 1, msg: "time budget", timeout: 100 * time.Millisecond},
	{name: "deep recursion", src: `local function f() return 1 + f() end f()`, line: 1, msg: "overflow"},
	{name: "varargs overflow", src: "local function f(...) return f(" + strings.Repeat("{}, ", 100) + "...) end f()", msg: "Lua VM failed"},
	{name: "many args", src: `local t = {} for i = 1, 1e5 do t[i] = i end unpack(t)`, line: 1, msg: "registry overflow"},
	{name: "string.rep", src: `local s = string.rep("x", 1e9)`, line: 1, msg: "larger than"},
	{name: "string.format", src: `string.format("%99999999d", 1)`, line: 1, msg: "invalid format"},
	{name: "huge string", src: "local s = 'x'\nfor i = 1, 40 do s = s .. s end", line: 2, msg: "memory budget"},
	{name: "huge string in pcall", src: `while true do pcall(function() local s = "x" for i = 1, 40 do s = s .. s end end) end`, line: 1, msg: "memory budget"},
	{name: "huge table", src: "local t = {}\nfor i = 1, 1e8 do t[i] = i end", line: 2, msg: "memory budget"},
	{name: "table of tables", src: `local t = {} while true do t[#t + 1] = {} end`, line: 1, msg: "memory budget"},
	{name: "table.concat", src: "local s, t = ('x'):rep(2^20), {}\nfor i = 1, 100 do t[i] = s end\nlocal r = table.concat(t)", line: 3, msg: "memory budget"},
	{name: "string.gsub", src: `local r = ("x"):rep(1000):gsub("x", ("y"):rep(2^20))`, line: 1, msg: "memory budget"},
	{name: "concat chain", src: "local s = ('x'):rep(2^20)\ns = s .. s s = s .. s s = s .. s\nlocal r = s .. s .. s .. s .. s .. s .. s .. s", line: 3, msg: "memory budget"},
	{name: "pcall around HEAR", src: `local keep = {} while true do pcall(HEAR) keep[#keep + 1] = ("x"):rep(2^20) end`, msg: "memory budget", turns: 40},
	// Errors that are not strings.
	{name: "runtime error", src: "local t\n\nt.x = 1", line: 3, msg: "nil"},
	{name: "error string", src: `error("went wrong")`, line: 1, msg: "went wrong"},
	{name: "error table", src: "local x = 1\nerror({message = 'structured'})", line: 2, msg: "structured"},
	{name: "error table without message", src: `error({code = 7})`, line: 1, msg: "table"},
	{name: "error table with __tostring", src: `error(setmetatable({}, {__tostring = function() while true do end end}))`, line: 1, msg: "without a message"},
	{name: "error(nil)", src: "local x = 1\nerror(nil)", line: 2, msg: "nil"},
	{name: "very long error", src: `error(("x"):rep(2^20))`, line: 1, msg: "(1048576 bytes)"},
}

// slowMachine is the time budget of tests whose scripts must fail for
// another reason than time: on a loaded machine, under the race detector,
// the default 10 s of Lua can run out before a memory bomb fills 16 MiB.
const slowMachine = 10 * time.Minute

// TestHostileScripts runs each hostile script next to a normal
// conversation with another bot of the same engine, which must answer
// every message meanwhile, and checks that the hostile one gets a dialog
// error, with file and line, and nothing else happens.
func TestHostileScripts(t *testing.T) {
	t.Parallel()
	if len(hostileCases) < 30 {
		t.Errorf("%d hostile cases; the issue asks for at least 30", len(hostileCases))
	}
	for _, tc := range hostileCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEngine(t, withEcho(tc.src), func(c *dialogs.Config) {
				c.TurnTimeout = cmp.Or(tc.timeout, slowMachine)
			})
			h := startChat(t, e, "t", nil)
			hostile := make(chan error, 1)
			go func() { hostile <- attack(h, tc.turns) }()
			bystander := startChat(t, e, "echo", nil)
			bystander.begin()
			for i := range 20 {
				msg := strings.Repeat("y", i+1)
				bystander.say(msg, "talk: "+msg)
			}
			se := scriptError(t, <-hostile)
			if (tc.line != 0 && se.Line != tc.line) || !strings.Contains(se.Err.Error(), tc.msg) {
				t.Errorf("got %.300v (line %d), want line %d and %q", se, se.Line, tc.line, tc.msg)
			}
			if n := len(se.Error()); n > 5000 {
				t.Errorf("the error is %d bytes long", n)
			}
		})
	}
}

// attack starts a conversation and sends up to turns messages, until the
// dialog fails; it returns that error (nil if it never failed).
func attack(c *chat, turns int) error {
	err := c.stepNil(context.Background())
	for i := 0; err == nil && i < turns; i++ {
		err = c.step("x")
	}
	return err
}

// withEcho is a bots directory with the bot "t" running src and the
// default bot "echo", which repeats every message.
func withEcho(src string) fs.FS {
	return fstest.MapFS{
		"t/bot.yaml":     {Data: []byte("name: Test\n")},
		"t/start.lua":    {Data: []byte(src)},
		"echo/bot.yaml":  {Data: []byte("name: Echo\ndefault: true\n")},
		"echo/start.lua": {Data: []byte("while true do TALK(HEAR()) end")},
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
