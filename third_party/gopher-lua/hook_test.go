package lua

// PATCH(parley): tests of hook.go; see PATCHES.md.

import (
	"context"
	"strings"
	"testing"
)

func TestInstructionHook(t *testing.T) {
	L := NewState()
	defer L.Close()
	var n int
	var concat []string
	L.SetInstructionHook(func(L *LState, inst uint32, fn *LFunction, regs []LValue) {
		n++
		if opGetOpCode(inst) == OP_CONCAT {
			for _, v := range regs[opGetArgB(inst) : opGetArgC(inst)+1] {
				concat = append(concat, v.String())
			}
		}
	})
	// A context set after the hook does not replace it.
	ctx, cancel := context.WithCancel(context.Background())
	L.SetContext(ctx)
	cancel()
	if err := L.DoString(`local a, b = "x", 1 s = a .. b .. "y"`); err != nil {
		t.Fatal(err)
	}
	if n == 0 || strings.Join(concat, ",") != "x,1,y" {
		t.Errorf("%d instructions, concat operands %q", n, concat)
	}
	// The hook stops a script with RaiseError, and pcall sees it.
	L.SetInstructionHook(func(L *LState, inst uint32, fn *LFunction, regs []LValue) {
		if opGetOpCode(inst) == OP_CONCAT {
			L.RaiseError("no concat")
		}
	})
	if err := L.DoString(`s = s .. "z"`); err == nil || !strings.Contains(err.Error(), "no concat") {
		t.Errorf("got %v", err)
	}
	// Without the hook, the cancelled context stops the script again.
	L.SetInstructionHook(nil)
	if err := L.DoString(`local x = 1`); err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Errorf("got %v", err)
	}
	L.RemoveContext()
	if err := L.DoString(`local x = 1`); err != nil {
		t.Error(err)
	}
}

func TestDataStackAndArrayLen(t *testing.T) {
	L := NewState()
	defer L.Close()
	L.Push(LString("marker"))
	found := false
	for _, v := range L.DataStack() {
		found = found || v == LString("marker")
	}
	if !found {
		t.Error("DataStack does not hold a pushed value")
	}
	tb := L.NewTable()
	tb.RawSetInt(3, LTrue)
	tb.RawSetInt(3, LNil)
	if tb.ArrayLen() != 3 || tb.MaxN() != 0 {
		t.Errorf("ArrayLen %d, MaxN %d", tb.ArrayLen(), tb.MaxN())
	}
	tb.RawSetInt(MaxArrayIndex, LTrue)
	if tb.ArrayLen() != 3 {
		t.Errorf("a key of MaxArrayIndex went to the array part: %d", tb.ArrayLen())
	}
}
