package dialogs

import (
	"math"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// Limits of the remaining keywords.
const (
	maxWait = 24 * time.Hour // until WAIT is durable it holds the turn open
	maxLog  = 4 << 10        // bytes of one LOG line
)

// NOW() → the current time as RFC 3339 in UTC, e.g. "2025-01-31T12:00:00Z".
func luaNow(L *lua.LState) int {
	now := threadOf(L).d.eng.cfg.Now()
	L.Push(lua.LString(now.UTC().Format(time.RFC3339)))
	return 1
}

// RANDOM(m, n) → an integer in [m, n].
func luaRandom(L *lua.LState) int {
	rnd := threadOf(L).d.eng.cfg.Rand
	L.Push(lua.LNumber(randomIn(L, rnd, L.CheckInt(1), L.CheckInt(2))))
	return 1
}

// WAIT(seconds)
func luaWait(L *lua.LState) int {
	d := checkSeconds(L, 1, -1)
	if d < 0 {
		L.ArgError(1, "seconds expected")
	}
	threadOf(L).sleep(d)
	return 0
}

// LOG(…): its arguments, as tostring would print them, on one log line.
func luaLog(L *lua.LState) int {
	parts := make([]string, L.GetTop())
	for i := range parts {
		parts[i] = L.Get(i + 1).String()
	}
	msg := strings.Join(parts, " ")
	if len(msg) > maxLog {
		msg = msg[:maxLog] + "…"
	}
	threadOf(L).log(msg, L.Where(1))
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

// sleep pauses the script for d, or until the run is stopped (Close, a
// cancelled Step). The pause does not count against the time budget.
func (th *thread) sleep(d time.Duration) {
	th.budget.pause()
	defer th.budget.resume()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-th.run.Done():
	}
}

// log writes a LOG line; where is gopher-lua's "start.lua:12:".
func (th *thread) log(msg, where string) {
	file, line := splitWhere(where)
	th.d.eng.cfg.Logger.Info(msg,
		"bot", th.d.bot.info.ID, "session", th.d.session.ID,
		"file", file, "line", line)
}

func splitWhere(where string) (string, int) {
	if m := luaPosition.FindStringSubmatch(where); m != nil {
		return m[1], atoi(m[2])
	}
	return scriptFile, 0
}
