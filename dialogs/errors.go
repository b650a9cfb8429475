package dialogs

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"

	lua "github.com/yuin/gopher-lua"

	"parley/runtime"
)

// ScriptError is a problem in one of a bot's files: a script that failed
// while running, a script that does not compile, or a bad bot.yaml.
// Its text reads "slug/file:line: message", relative to the bots directory,
// so that `parley check` output points straight at the spot.
type ScriptError struct {
	Bot  runtime.BotID
	File string // "start.lua" or "bot.yaml"
	Line int    // 0 when unknown
	Err  error
}

func (e *ScriptError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s/%s:%d: %v", e.Bot, e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s/%s: %v", e.Bot, e.File, e.Err)
}

func (e *ScriptError) Unwrap() error { return e.Err }

// ErrTimeBudget is wrapped by the ScriptError of a turn that ran Lua for
// longer than Config.TurnTimeout.
var ErrTimeBudget = errors.New("Lua time budget exceeded")

// failedMessage is what the user is told when the script fails; the details
// go to the log, never to the client.
const failedMessage = "the bot failed; send a message to start again"

// dialogError wraps a ScriptError the way runtime expects it.
func dialogError(se *ScriptError) error {
	return &runtime.Error{Kind: runtime.KindDialog, Message: failedMessage, Err: se}
}

// luaPosition matches the "file.lua:12:" that gopher-lua puts in front of
// error messages and in each line of a stack trace.
var luaPosition = regexp.MustCompile(`([\w.-]+\.lua):(\d+):\s?`)

// scriptErrorOf turns what PCall returned into a ScriptError. A string error
// carries its position in front; error(table) carries none, so the line
// comes from the first Lua frame of the stack trace.
func scriptErrorOf(bot runtime.BotID, err error) *ScriptError {
	se := &ScriptError{Bot: bot, File: "start.lua"}
	var ae *lua.ApiError
	if !errors.As(err, &ae) {
		se.Err = err
		return se
	}
	msg := errorText(ae.Object)
	if m := luaPosition.FindStringSubmatchIndex(msg); m != nil && m[0] == 0 {
		se.File, se.Line = msg[m[2]:m[3]], atoi(msg[m[4]:m[5]])
		msg = msg[m[1]:]
	} else if m := luaPosition.FindStringSubmatch(ae.StackTrace); m != nil {
		se.File, se.Line = m[1], atoi(m[2])
	}
	se.Err = errors.New(msg)
	return se
}

// errorText renders an error value. Tables are common in scripts that
// structure their errors; their message field is what a reader wants.
func errorText(v lua.LValue) string {
	if t, ok := v.(*lua.LTable); ok {
		for _, key := range []string{"message", "msg", "error"} {
			if s, ok := t.RawGetString(key).(lua.LString); ok {
				return string(s)
			}
		}
		return "error(table) without a message field"
	}
	return v.String()
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
