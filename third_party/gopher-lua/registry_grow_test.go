package lua

// PATCH(parley): test of the data stack's geometric growth; see PATCHES.md.

import (
	"fmt"
	"strings"
	"testing"
)

// TestDataStackGrowsGeometrically: a data stack grows to at least twice
// its size, so that a small initial stack costs few resizes (a deep
// recursion up to the cap is a handful of copies, not one per growth
// step) and a script a little over it grows to twice it, not by a large
// fixed step.
func TestDataStackGrowsGeometrically(t *testing.T) {
	L := NewState(Options{RegistrySize: 128, RegistryGrowStep: 64, RegistryMaxSize: 64 * 1024, CallStackSize: 10000})
	defer L.Close()
	// A function with 150 locals needs a little more than 128 slots.
	var locals []string
	for i := 0; i < 150; i++ {
		locals = append(locals, fmt.Sprintf("local v%d = %d", i, i))
	}
	if err := L.DoString("local function f() " + strings.Join(locals, " ") + " end f()"); err != nil {
		t.Fatal(err)
	}
	if n := len(L.DataStack()); n != 256 {
		t.Errorf("150 locals grew a 128-slot stack to %d slots, want 256", n)
	}
	// Resizes of a deep recursion, counted as distinct sizes the stack had.
	sizes := map[int]bool{}
	L.SetInstructionHook(func(L *LState, _ uint32, _ *LFunction, _ []LValue) { sizes[len(L.DataStack())] = true })
	if err := L.DoString("local function r(n) if n > 0 then return 1 + r(n - 1) end return 0 end r(8000)"); err != nil {
		t.Fatal(err)
	}
	if len(sizes) > 10 {
		t.Errorf("a deep recursion resized the stack %d times", len(sizes)-1)
	}
}
