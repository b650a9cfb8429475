package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"parley/dialogs"
)

// new creates a bot that passes check and test as it is, with the editor
// support, and refuses a folder that exists or a name that is not an id.
func TestNewCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bots") // created by new
	code, out, errs := runCLI(t, "new", "coffee", "--dir", dir)
	if code != 0 || !strings.Contains(out, "created "+filepath.Join(dir, "coffee")) {
		t.Fatalf("new: exit %d\n%s%s", code, out, errs)
	}
	for _, f := range []string{"coffee/bot.yaml", "coffee/start.lua", "coffee/tests/first-visit.txtar", "coffee/.luarc.json", ".luarc.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	lua, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(dialogs.AnnotationsFile)))
	if err != nil || string(lua) != dialogs.LuaAnnotations() {
		t.Errorf("annotations: %v", err)
	}
	rc, _ := os.ReadFile(filepath.Join(dir, "coffee", ".luarc.json"))
	if !strings.Contains(string(rc), `"library": ["../.parley"]`) {
		t.Errorf("coffee/.luarc.json:\n%s", rc)
	}
	src, _ := os.ReadFile(filepath.Join(dir, "coffee", "start.lua"))
	for _, kw := range []string{`HEAR{as = "integer", retry = `, "MENU(", "SET(", "GET("} {
		if !strings.Contains(string(src), kw) {
			t.Errorf("start.lua does not show %s", kw)
		}
	}
	if code, out, errs := runCLI(t, "check", dir); code != 0 {
		t.Errorf("check: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs := runCLI(t, "test", dir); code != 0 || !strings.Contains(out, "ok   coffee/tests/first-visit.txtar") {
		t.Errorf("test: exit %d\n%s%s", code, out, errs)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"new", "coffee", "--dir", dir}, 1, "coffee already exists"},
		{[]string{"new", "My Bot", "--dir", dir}, 2, `"My Bot" cannot be a bot's name`},
		{[]string{"new", "-x", "--dir", dir}, 2, "unknown shorthand flag"},
		{[]string{"new", "--dir", dir}, 2, "give the bot's name: parley new NAME"},
	} {
		code, _, errs := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("%q: exit %d, stderr %q, want %d and %q", tc.args, code, errs, tc.code, tc.want)
		}
	}
	// --bots is the default directory, as for check and test.
	other := t.TempDir()
	if code, out, errs := runCLI(t, "new", "tea", "--bots", other); code != 0 || !strings.Contains(out, "created "+filepath.Join(other, "tea")) {
		t.Errorf("new --bots: exit %d\n%s%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "My Bot")); err == nil {
		t.Error("a folder was made for a bad name")
	}
}

// The example bots are what authors copy: each has the .luarc.json that
// new writes, and so has the bots directory.
func TestExampleBotsEditorSupport(t *testing.T) {
	check := func(path, want string) {
		got, err := os.ReadFile(path)
		if err != nil || string(got) != want {
			t.Errorf("%s is not luarc's (%v):\n%s", path, err, got)
		}
	}
	check("../../bots/.luarc.json", luarc(".parley"))
	folders, _ := filepath.Glob("../../bots/*/start.lua")
	for _, f := range folders {
		check(filepath.Join(filepath.Dir(f), ".luarc.json"), luarc("../.parley"))
	}
}
