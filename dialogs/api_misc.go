package dialogs

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"parley/runtime"
)

// Limits of the remaining keywords.
const (
	maxWait = 24 * time.Hour // how far one WAIT may push the dialog's wake-up
	maxLog  = 4 << 10        // bytes of one LOG line
)

// NOW() → the current time as RFC 3339 in UTC, e.g. "2025-01-31T12:00:00Z".
func luaNow(L *lua.LState) int {
	L.Push(lua.LString(threadOf(L).now().Format(time.RFC3339)))
	return 1
}

// RANDOM(m, n) → an integer in [m, n].
func luaRandom(L *lua.LState) int {
	L.Push(lua.LNumber(randomIn(L, threadOf(L).random, L.CheckInt(1), L.CheckInt(2))))
	return 1
}

// WAIT(seconds)
func luaWait(L *lua.LState) int {
	d := checkSeconds(L, 1, -1)
	if d < 0 {
		L.ArgError(1, "seconds expected")
	}
	threadOf(L).wait(d)
	return 0
}

// LOG(…): its arguments, as tostring would print them, on one log line.
func luaLog(L *lua.LState) int {
	th := threadOf(L)
	parts := make([]string, L.GetTop())
	for i := range parts {
		parts[i] = lua.LVAsString(th.names.tostring(L, L.Get(i+1)))
	}
	msg := strings.Join(parts, " ")
	if len(msg) > maxLog {
		msg = msg[:maxLog] + "…"
	}
	th.log(msg, L.Where(1))
	return 0
}

// userTable is USER: who the script talks to.
func userTable(L *lua.LState, th *thread) *lua.LTable {
	s := &th.d.session
	t := L.CreateTable(0, 3)
	t.RawSetString("id", lua.LString(s.UserID))
	t.RawSetString("name", lua.LString(s.UserName))
	t.RawSetString("anonymous", lua.LBool(s.Anonymous))
	return t
}

// checkSeconds reads an optional number of seconds; def (when < 0, the
// argument is required) is returned for nil. Negative, NaN and values over
// maxWait are errors.
func checkSeconds(L *lua.LState, arg int, def time.Duration) time.Duration {
	v := L.Get(arg)
	if v == lua.LNil && def >= 0 {
		return def
	}
	secs := float64(L.CheckNumber(arg))
	if math.IsNaN(secs) || secs < 0 || secs > maxWait.Seconds() {
		L.ArgError(arg, "seconds must be between 0 and 86400")
	}
	return time.Duration(secs * float64(time.Second))
}

// now asks the host for the time, in UTC.
func (th *thread) now() time.Time {
	var t time.Time
	th.host(func(ctx context.Context) (err error) {
		t, err = th.d.host.Now(ctx)
		return err
	})
	return t.UTC()
}

// random asks the host for an integer in [lo, hi]. A value outside is the
// host's fault (a journal written for other bounds): the run ends as if
// the bot had been changed under it.
func (th *thread) random(lo, hi int) int {
	var n int
	th.host(func(ctx context.Context) (err error) {
		n, err = th.d.host.Random(ctx, lo, hi)
		if err == nil && (n < lo || n > hi) {
			err = runtime.Wrap(runtime.KindDialog,
				fmt.Errorf("RANDOM(%d, %d): the host answered %d", lo, hi, n), failedMessage)
		}
		return err
	})
	return n
}

// wait pauses the script for d (nothing for 0): the host's Wait, which
// ends early only when the run is stopped (Close, a cancelled Step). The
// pause does not count against the time budget.
func (th *thread) wait(d time.Duration) {
	if d > 0 {
		th.host(func(ctx context.Context) error { return th.d.host.Wait(ctx, d) })
	}
}

// log writes a LOG line; where is gopher-lua's "start.lua:12:".
func (th *thread) log(msg, where string) {
	if th.d.host.Replaying() {
		return // written when the line first ran
	}
	file, line := splitWhere(where)
	th.d.eng.cfg.Logger.Info(msg,
		"bot", th.d.script.Bot, "session", th.d.session.ID,
		"file", file, "line", line)
}

func splitWhere(where string) (string, int) {
	if m := luaPosition.FindStringSubmatch(where); m != nil {
		return m[1], atoi(m[2])
	}
	return scriptFile, 0
}
