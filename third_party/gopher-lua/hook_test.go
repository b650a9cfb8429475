package lua

// PATCH(parley): tests of hook.go; see PATCHES.md.

import (
	"context"
	"errors"
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

// resumable compiles src as the main function of a state that a second
// state resumes (as Parley runs a dialog), with depth() and wait() as Go
// functions: depth() returns CallDepth, wait() yields when it may.
func resumable(t *testing.T, src string) (L, parent *LState, fn *LFunction) {
	t.Helper()
	L = NewState()
	parent = NewState(Options{SkipOpenLibs: true, RegistrySize: 128})
	parent.G = L.G
	L.G.MainThread = L      // nested calls must not take L for the main state
	L.G.CurrentThread = nil // OpenLibs made L the running state
	L.SetGlobal("depth", L.NewFunction(func(L *LState) int {
		L.Push(LNumber(L.CallDepth()))
		return 1
	}))
	L.SetGlobal("wait", L.NewFunction(func(L *LState) int {
		if L.CallDepth() > 0 {
			L.Push(LString("blocked"))
			return 1
		}
		return L.Yield()
	}))
	fn, err := L.LoadString(src)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { L.Close(); parent.Close() })
	return L, parent, fn
}

func TestCallDepth(t *testing.T) {
	L, parent, fn := resumable(t, `
		local got = {depth()}
		pcall(function() got[#got+1] = depth() end)
		xpcall(function() got[#got+1] = depth() end, print)
		pcall(function() pcall(function() got[#got+1] = depth() end) end)
		local t = setmetatable({}, {__index = function() return depth() end})
		got[#got+1] = t.x
		table.sort({2, 1}, function(a, b) got[#got+1] = depth() return a < b end)
		string.gsub("a", "a", function() got[#got+1] = depth() end)
		pcall(error, "caught")
		pcall(function() error("caught") end)
		got[#got+1] = depth()
		return table.concat(got, ",")`)
	st, err, ret := parent.Resume(L, fn)
	if st != ResumeOK || err != nil {
		t.Fatal(st, err)
	}
	// sort calls its comparator at least once; the first and last are 0.
	s := ret[0].String()
	if !strings.HasPrefix(s, "0,1,1,2,1,1") || !strings.HasSuffix(s, ",1,0") {
		t.Errorf("depths %s", s)
	}
}

// TestYieldFromGo: a Go function that yields at CallDepth 0 suspends a
// state that is not a coroutine of the library, and the next Resume's
// arguments are its results, in assignments and in a tail call.
func TestYieldFromGo(t *testing.T) {
	L, parent, fn := resumable(t, `
		local a = wait()
		local b, c = wait(), pcall(wait)
		local function f() return wait() end
		local d = f()
		return a, b, c, d`)
	if st, err, _ := parent.Resume(L, fn); st != ResumeYield || err != nil {
		t.Fatal(st, err)
	}
	for _, arg := range []string{"a", "b"} {
		if st, err, _ := parent.Resume(L, fn, LString(arg)); st != ResumeYield || err != nil {
			t.Fatalf("resume %s: %v %v", arg, st, err)
		}
	}
	st, err, ret := parent.Resume(L, fn, LString("d"))
	if st != ResumeOK || err != nil {
		t.Fatal(st, err)
	}
	var got []string
	for _, v := range ret {
		got = append(got, v.String())
	}
	if s := strings.Join(got, ","); s != "a,b,true,d" {
		t.Errorf("results %s", s)
	}
}

// TestResumeTraceback: a failed Resume's error has the traceback PCall's
// would have, so a non-string error still has a line.
func TestResumeTraceback(t *testing.T) {
	L, parent, fn := resumable(t, "wait()\nlocal x = 1\nerror({})")
	parent.Resume(L, fn)
	st, err, _ := parent.Resume(L, fn)
	var ae *ApiError
	if st != ResumeError || !errors.As(err, &ae) || !strings.Contains(ae.StackTrace, ":3:") {
		t.Fatalf("%v %v %q", st, err, ae.StackTrace)
	}
}
