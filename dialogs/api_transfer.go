package dialogs

import (
	"context"
	"fmt"
	"math"
	"time"

	lua "github.com/yuin/gopher-lua"

	"parley/runtime"
)

// maxReason bounds TRANSFER's reason, which agents see in the queue.
const maxReason = 500

// TRANSFER([reason]) or TRANSFER{reason=…, timeout=SECONDS} → outcome:
// hands the conversation to people and returns when they are done with
// it: {resolved=true, agent=NAME, note=TEXT, status="resolved"|"closed"},
// or {resolved=false, reason="timeout", status="timeout"} when a timeout
// passed and nobody took it. The wait is the host's (runtime/transfer.go):
// durable, and outside the time budget.
func luaTransfer(L *lua.LState) int {
	reason, timeout := checkTransferArgs(L)
	th := threadOf(L)
	var out runtime.TransferOutcome
	th.host(func(ctx context.Context) (err error) {
		out, err = th.d.host.Transfer(ctx, reason, timeout)
		return err
	})
	t := L.CreateTable(0, 4)
	t.RawSetString("resolved", lua.LBool(out.Resolved))
	t.RawSetString("status", lua.LString(out.Status))
	if out.Resolved {
		t.RawSetString("agent", lua.LString(out.Agent))
		t.RawSetString("note", lua.LString(out.Note))
	} else {
		t.RawSetString("reason", lua.LString(out.Status))
	}
	L.Push(t)
	return 1
}

// checkTransferArgs reads TRANSFER's reason (a string) or option table.
// Unknown options are errors, as HEAR's are.
func checkTransferArgs(L *lua.LState) (reason string, timeout time.Duration) {
	switch v := L.Get(1).(type) {
	case *lua.LNilType:
	case lua.LString:
		reason = string(v)
	case *lua.LTable:
		eachInOrder(v, func(k, v lua.LValue) {
			switch k {
			case lua.LString("reason"):
				s, ok := v.(lua.LString)
				if !ok {
					L.ArgError(1, "reason must be a string")
				}
				reason = string(s)
			case lua.LString("timeout"):
				n, ok := v.(lua.LNumber)
				max := runtime.MaxTransferTimeout.Seconds()
				if !ok || math.IsNaN(float64(n)) || n <= 0 || float64(n) > max {
					L.ArgError(1, fmt.Sprintf("timeout must be a number of seconds above 0, at most %.0f", max))
				}
				timeout = time.Duration(float64(n) * float64(time.Second))
			default:
				L.ArgError(1, fmt.Sprintf("unknown option %s (reason, timeout)", describe(k)))
			}
		})
	default:
		L.ArgError(1, "a reason (string) or {reason=…, timeout=…} expected")
	}
	if len(reason) > maxReason {
		L.ArgError(1, fmt.Sprintf("the reason is longer than %d bytes", maxReason))
	}
	return reason, timeout
}
