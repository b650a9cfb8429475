package dialogs

import (
	"maps"
	"slices"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// TestCheckKnowsTheSandbox: the names the checker takes for granted are
// exactly what a script's state has: the globals of newState, the
// keywords and USER, and the entries of the library tables.
func TestCheckKnowsTheSandbox(t *testing.T) {
	th := testRun(t, 1<<40)
	L := th.L
	var globals []string
	L.G.Global.ForEach(func(k, _ lua.LValue) {
		if !slices.Contains(apiNames, k.String()) {
			globals = append(globals, k.String())
		}
	})
	if got, want := slices.Sorted(maps.Keys(sandboxGlobals)), slices.Sorted(slices.Values(globals)); !slices.Equal(got, want) {
		t.Errorf("the checker's globals\n\t%v\na state's\n\t%v", got, want)
	}
	for _, name := range apiNames {
		if !isPredefined(name) {
			t.Errorf("%s is not predefined", name)
		}
	}
	if !isPredefined("USER") || isPredefined("print") {
		t.Error("USER is not predefined, or print is")
	}
	for lib, fields := range sandboxFields {
		var entries []string
		L.GetGlobal(lib).(*lua.LTable).ForEach(func(k, _ lua.LValue) { entries = append(entries, k.String()) })
		if got, want := slices.Sorted(maps.Keys(fields)), slices.Sorted(slices.Values(entries)); !slices.Equal(got, want) {
			t.Errorf("the checker's %s library\n\t%v\na state's\n\t%v", lib, got, want)
		}
	}
	if len(sandboxFields) != len(libraryTables) {
		t.Errorf("the checker knows %d library tables, the sandbox has %d", len(sandboxFields), len(libraryTables))
	}
}
