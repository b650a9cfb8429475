package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/golden from the output")

// golden compares got with testdata/golden/name, or writes it there
// with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	file := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (go test -run %s -update writes it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -run %s -update rewrites it)\n--- got\n%s--- want\n%s", file, t.Name(), got, want)
	}
}

// runChat runs parley chat with args, typing input into it, and returns
// its exit code and output, with the bots directory written BOTS.
func runChat(t *testing.T, bots, input string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx := withStdin(context.Background(), strings.NewReader(input))
	code = run(ctx, append([]string{"chat", "--bots", bots}, args...), &out, &errb)
	return code, strings.ReplaceAll(out.String(), bots, "BOTS"), strings.ReplaceAll(errb.String(), bots, "BOTS")
}

// pizzaLua greets a user by name, counts the visits (SET/GET), types,
// asks with MENU and SUGGEST, sends a file, and fails on "crash".
const pizzaLua = `local visits = (GET("visits") or 0) + 1
SET("visits", visits)
if visits == 1 then
  TALK{text = "Hello " .. USER.name .. ", here is our menu.", attachments = {"files/menu.png"}}
else
  TALK("Welcome back, " .. USER.name .. " (visit " .. visits .. ")")
end
TYPING()
local size = MENU("What size?", {"Small", "Medium", "Large"})
SET("size", size)
SUGGEST("Yes", "No")
local sure = HEAR()
if sure == "crash" then
  error("the oven is on fire")
end
TALK("A " .. size .. " pizza: " .. sure)
`

// chatBots is a bots directory with the pizza bot and a bot that does
// not compile, which chat pizza must not mind; none is the default.
func chatBots(t *testing.T) string {
	dir := t.TempDir()
	writeBot(t, dir, "pizza", "name: Pizza\n", pizzaLua)
	if err := os.MkdirAll(filepath.Join(dir, "pizza", "files"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pizza", "files", "menu.png"), pngOf(t, 4, 4, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	writeBot(t, dir, "broken", "name: Broken\n", "TALK 'hi'\nif then\n")
	return dir
}

// A scripted session: suggestions, typing, a file, a script error with
// its file and line on stdout (and nothing on stderr), the commands.
func TestChatSession(t *testing.T) {
	bots := chatBots(t)
	input := "Medium\ncrash\n/memory\nLarge\nYes\n/user bob\n/memory\n/restart\n/user\n/nope\n//Small\n/help\n/quit\nnever read\n"
	code, out, errs := runChat(t, bots, input, "--user", "alice", "pizza")
	if code != 0 || errs != "" {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	golden(t, "chat-session.txt", out)
}

// --keep DIR keeps the bot's memory from one run to the next; without
// it each run starts afresh.
func TestChatKeep(t *testing.T) {
	bots, keep := chatBots(t), filepath.Join(t.TempDir(), "kept")
	var all strings.Builder
	for _, args := range [][]string{
		{"--keep", keep, "--user", "alice", "pizza"},
		{"--keep", keep, "--user", "alice", "pizza"},
		{"--user", "alice", "pizza"},
	} {
		code, out, errs := runChat(t, bots, "Small\n/memory\n", args...)
		if code != 0 || errs != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errs)
		}
		all.WriteString(strings.ReplaceAll(out, keep, "KEEP"))
	}
	golden(t, "chat-keep.txt", all.String())
}

// --strict exits 1 when the input ends after the script failed, 0 when
// it never failed; without it a failure does not change the exit code.
func TestChatStrict(t *testing.T) {
	bots := chatBots(t)
	for _, tc := range []struct {
		input  string
		strict bool
		code   int
	}{
		{"Small\ncrash\n", true, 1},
		{"Small\ncrash\nSmall\nYes\n", true, 1}, // it failed, even if it recovered
		{"Small\nYes\n", true, 0},
		{"Small\ncrash\n", false, 0},
		{"Small\ncrash\n/quit\n", true, 1},
	} {
		args := []string{"--user", "alice", "pizza"}
		if tc.strict {
			args = append(args, "--strict")
		}
		code, _, errs := runChat(t, bots, tc.input, args...)
		if code != tc.code || (code == 1) != strings.Contains(errs, "--strict: the bot's script failed") {
			t.Errorf("%q strict=%v: exit %d, stderr %q; want exit %d", tc.input, tc.strict, code, errs, tc.code)
		}
	}
}

// A bot that is not there: chat says where it looked and what is there.
func TestChatNoSuchBot(t *testing.T) {
	bots := chatBots(t)
	writeTeam(t, bots, "panel", "name: Panel\nmembers:\n  - pizza\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"pasta"}, "parley chat: there is no bot \"pasta\" in the bots directory BOTS; its bots: broken, pizza\n"},
		{[]string{"panel"}, "parley chat: there is no bot \"panel\" in the bots directory BOTS (panel is a team; chat talks to one bot); its bots: broken, pizza\n"},
		{nil, "parley chat: no BOT given, and the default bot of the bots directory BOTS cannot be found:\n" +
			"  BOTS/broken/start.lua:2: syntax error near 'then'\n" +
			"Name the bot, as in \"parley chat broken\"; its bots: broken, pizza\n"},
		{[]string{"broken"}, "parley chat: bot broken does not load:\n  BOTS/broken/start.lua:2: syntax error near 'then'\n"},
	} {
		code, out, errs := runChat(t, bots, "", tc.args...)
		if code != 1 || out != "" || errs != tc.want {
			t.Errorf("chat %v: exit %d, stdout %q, stderr\n%s\nwant\n%s", tc.args, code, out, errs, tc.want)
		}
	}
	// Without --bots and without ./bots: the built-in bots.
	var out, errb bytes.Buffer
	ctx := withStdin(context.Background(), strings.NewReader(""))
	code := run(ctx, []string{"chat", "pasta"}, &out, &errb)
	if code != 1 || !strings.HasPrefix(errb.String(), "parley chat: there is no bot \"pasta\" in the built-in bots (there is no ./bots here, and no --bots); its bots: ") ||
		!strings.Contains(errb.String(), "echo") {
		t.Errorf("chat pasta with the built-in bots: exit %d, stderr %q", code, errb.String())
	}
}

// Without BOT, chat talks to the default bot; a lone bot is the default.
func TestChatDefaultBot(t *testing.T) {
	bots := t.TempDir()
	writeBot(t, bots, "pizza", "name: Pizza\n", pizzaLua)
	code, out, errs := runChat(t, bots, "", "--user", "ann")
	if code != 0 || errs != "" || !strings.HasPrefix(out, "# talking to Pizza (BOTS/pizza) as ann;") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// USER.name is the login name when --user is not given.
func TestChatUserDefault(t *testing.T) {
	bots := t.TempDir()
	writeBot(t, bots, "hi", "name: Hi\n", `TALK("name=" .. USER.name .. " id=" .. USER.id)`)
	code, out, errs := runChat(t, bots, "", "hi")
	want := "name=" + loginName() + " id=" + loginName()
	if code != 0 || errs != "" || loginName() == "" || !strings.Contains(out, "< "+want+"\n") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want %q", code, out, errs, want)
	}
}

// chat and test keep their databases and files out of the current
// directory: ./data (the server's --data) is not theirs.
func TestChatAndTestWriteNothingHere(t *testing.T) {
	bots := chatBots(t)
	os.RemoveAll(filepath.Join(bots, "broken")) // test loads every bot
	archive := "-- transcript --\n< Hello Tester, here is our menu.\n* menu.png\n< What size?\n"
	if err := os.WriteFile(filepath.Join(bots, "pizza", "menu.txtar"), []byte(archive), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	if code, _, errs := runChat(t, bots, "Small\n", "--user", "ann", "pizza"); code != 0 {
		t.Fatalf("chat: exit %d, %s", code, errs)
	}
	if code, out, errs := runCLI(t, "test", bots); !strings.Contains(out, "ok   pizza/menu.txtar") {
		t.Fatalf("test: exit %d, %s%s", code, out, errs)
	}
	if entries, _ := os.ReadDir("."); len(entries) > 0 {
		t.Fatalf("left in the current directory: %v", entries)
	}
}
