package lua

// PATCH(parley): this file is not gopher-lua's; see PATCHES.md.

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// cowTemplate is a table with an array part, string and other hash keys,
// and a metatable.
func cowTemplate() *LTable {
	tb := newLTable(0, 0)
	for i := 1; i <= 3; i++ {
		tb.RawSetInt(i, LNumber(i*10))
	}
	for _, k := range []string{"b", "a", "c"} {
		tb.RawSetString(k, LString(k+k))
	}
	tb.RawSetH(LTrue, LString("yes"))
	tb.Metatable = newLTable(0, 0)
	return tb
}

// cowShow lists a table's contents in the order Next walks them.
func cowShow(tb *LTable) string {
	var out []string
	for k, v := tb.Next(LNil); k != LNil; k, v = tb.Next(k) {
		out = append(out, fmt.Sprintf("%v=%v", k, v))
	}
	return strings.Join(out, " ")
}

// TestCopyOnWrite: a copy reads as its template, in the same order, with
// the same metatable; each kind of write to a copy changes that copy only
// (not the template, not a sibling), and a write to the template changes
// no copy.
func TestCopyOnWrite(t *testing.T) {
	const want = "1=10 2=20 3=30 b=bb a=aa c=cc true=yes"
	writes := map[string]struct {
		write func(*LTable)
		want  string
	}{
		"existing key":     {func(tb *LTable) { tb.RawSetString("a", LString("x")) }, "1=10 2=20 3=30 b=bb a=x c=cc true=yes"},
		"new string key":   {func(tb *LTable) { tb.RawSetString("d", LString("x")) }, want + " d=x"},
		"new other key":    {func(tb *LTable) { tb.RawSetH(LFalse, LString("no")) }, want + " false=no"},
		"RawSet string":    {func(tb *LTable) { tb.RawSet(LString("e"), LNumber(1)) }, want + " e=1"},
		"delete":           {func(tb *LTable) { tb.RawSetString("b", LNil) }, "1=10 2=20 3=30 a=aa c=cc true=yes"},
		"delete other key": {func(tb *LTable) { tb.RawSetH(LTrue, LNil) }, "1=10 2=20 3=30 b=bb a=aa c=cc"},
		"array slot":       {func(tb *LTable) { tb.RawSetInt(2, LNumber(0)) }, "1=10 2=0 3=30 b=bb a=aa c=cc true=yes"},
		"RawSet number":    {func(tb *LTable) { tb.RawSet(LNumber(1), LNumber(0)) }, "1=0 2=20 3=30 b=bb a=aa c=cc true=yes"},
		"append":           {func(tb *LTable) { tb.Append(LNumber(40)) }, "1=10 2=20 3=30 4=40 b=bb a=aa c=cc true=yes"},
		"insert":           {func(tb *LTable) { tb.Insert(1, LNumber(5)) }, "1=5 2=10 3=20 4=30 b=bb a=aa c=cc true=yes"},
		"remove":           {func(tb *LTable) { tb.Remove(1) }, "1=20 2=30 b=bb a=aa c=cc true=yes"},
		"sort": {func(tb *LTable) {
			L := NewState()
			defer L.Close()
			L.SetGlobal("t", tb)
			if err := L.DoString(`table.sort(t, function(a, b) return a > b end)`); err != nil {
				panic(err)
			}
		}, "1=30 2=20 3=10 b=bb a=aa c=cc true=yes"},
	}
	for name, w := range writes {
		t.Run(name, func(t *testing.T) {
			tmpl := cowTemplate()
			a, b := tmpl.CopyOnWrite(), tmpl.CopyOnWrite()
			if got := cowShow(a); got != want || a.Metatable != tmpl.Metatable {
				t.Fatalf("a copy holds %q, want %q, or another metatable", got, want)
			}
			w.write(a)
			if got := cowShow(a); got != w.want {
				t.Errorf("the copy written holds %q, want %q", got, w.want)
			}
			if got := cowShow(tmpl); got != want {
				t.Errorf("the template holds %q after a copy was written", got)
			}
			if got := cowShow(b); got != want {
				t.Errorf("another copy holds %q after a copy was written", got)
			}
			w.write(tmpl)
			if got := cowShow(b); got != want {
				t.Errorf("a copy holds %q after its template was written", got)
			}
			if got := cowShow(tmpl); got != w.want {
				t.Errorf("the template written holds %q, want %q", got, w.want)
			}
		})
	}
}

// TestCopyOnWriteShares: a copy whose values are written but no key
// added keeps sharing its key order, and one never written shares all.
func TestCopyOnWriteShares(t *testing.T) {
	tmpl := cowTemplate()
	a := tmpl.CopyOnWrite()
	if a.cow != cowValues|cowKeys || &a.keys[0] != &tmpl.keys[0] {
		t.Fatal("a fresh copy does not share its template's contents")
	}
	a.RawSetString("a", LString("x"))
	if a.cow != cowKeys || &a.keys[0] != &tmpl.keys[0] {
		t.Error("writing an existing key copied the key order")
	}
	a.RawSetString("z", LString("x"))
	if a.cow != 0 || &a.keys[0] == &tmpl.keys[0] {
		t.Error("adding a key did not copy the key order")
	}
}

// TestCopyOnWriteConcurrently: copies of one template, each read and
// written by its own goroutine, do not race (run with -race).
func TestCopyOnWriteConcurrently(t *testing.T) {
	tmpl := cowTemplate()
	tmpl.CopyOnWrite() // marks tmpl before the goroutines share it
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tb := tmpl.CopyOnWrite()
			_ = cowShow(tb)
			tb.RawSetString("a", LNumber(i))
			tb.RawSetString(fmt.Sprint("k", i), LNumber(i))
			tb.Append(LNumber(i))
			_ = cowShow(tb)
		}()
	}
	wg.Wait()
}
