package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"parley/dialogs"
)

// newBot creates DIR/NAME: a bot that passes `parley check` and `parley
// test` as it is, commented so that its author can start from it, and
// the editor support that goes with it (the annotations and .luarc.json).
func newBot(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var dir string
	c, fl, err := parse("new", args, stderr, func(fs *pflag.FlagSet) {
		fs.StringVar(&dir, "dir", "", "the bots directory to create the bot in (default: --bots, else ./bots)")
	})
	if err != nil {
		return err
	}
	if fl.NArg() != 1 {
		return usagef("give the bot's name: parley new NAME")
	}
	switch {
	case dir != "":
	case c.Bots != "":
		dir = c.Bots
	default:
		dir = "bots"
	}
	slug := fl.Arg(0)
	if !dialogs.ValidBotID(slug) {
		return usagef("%q cannot be a bot's name: the name is the bot's folder and its id in URLs, "+
			"so use lowercase letters, digits, '-' and '_', starting with a letter or digit, at most 64 (like %q)", slug, suggestSlug(slug))
	}
	folder := filepath.Join(dir, slug)
	if _, err := os.Lstat(folder); err == nil {
		return fmt.Errorf("%s already exists: choose another name, or remove it first", folder)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.MkdirAll(filepath.Join(folder, "tests"), 0o755); err != nil {
		return err
	}
	for _, f := range scaffold(slug, dir) {
		if err := os.WriteFile(filepath.Join(folder, f.name), []byte(f.data), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "created %s: bot.yaml, start.lua, tests/first-visit.txtar, .luarc.json\n", folder)
	if err := writeEditorSupport(dir, stdout); err != nil {
		return err
	}
	if errs := dialogs.Check(os.DirFS(dir)); len(errs) > 0 {
		fmt.Fprintf(stdout, "\nparley check %s finds problems to fix before the server starts:\n", dir)
		for _, e := range errs {
			fmt.Fprintf(stdout, "  %v\n", e)
		}
	}
	fmt.Fprintf(stdout, "\nnext:\n  parley test %[1]s          run its transcript\n  parley chat %[2]s --bots %[1]s   talk to it\n"+
		"  edit %[3]s, and its transcript in %[4]s\n",
		dir, slug, filepath.Join(folder, "start.lua"), filepath.Join(folder, "tests"))
	return nil
}

// suggestSlug makes a valid bot id out of a bad one, for the error.
func suggestSlug(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, s)
	s = strings.TrimLeft(s, "-_")
	if len(s) > 64 {
		s = s[:64]
	}
	if s == "" {
		return "my-bot"
	}
	return s
}

// writeEditorSupport writes the annotations into the bots directory (or
// brings them up to date: they are generated) and a .luarc.json for the
// directory itself when it has none.
func writeEditorSupport(dir string, stdout io.Writer) error {
	path := filepath.Join(dir, filepath.FromSlash(dialogs.AnnotationsFile))
	want := dialogs.LuaAnnotations()
	if old, err := os.ReadFile(path); err != nil || string(old) != want {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s: the keywords, for your editor (lua-language-server)\n", path)
	}
	rc := filepath.Join(dir, ".luarc.json")
	if _, err := os.Stat(rc); errors.Is(err, fs.ErrNotExist) {
		if err := os.WriteFile(rc, []byte(luarc(".parley")), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", rc)
	}
	return nil
}

// luarc is a .luarc.json whose workspace.library is lib, the folder of
// the annotations, for lua-language-server: Lua 5.1 (gopher-lua's) without
// the libraries the sandbox leaves out.
func luarc(lib string) string {
	return `{
  "$schema": "https://raw.githubusercontent.com/LuaLS/vscode-lua/master/setting/schema.json",
  "runtime": {
    "version": "Lua 5.1",
    "builtin": {
      "coroutine": "disable",
      "debug": "disable",
      "io": "disable",
      "os": "disable",
      "package": "disable"
    }
  },
  "workspace": {
    "library": ["` + lib + `"],
    "checkThirdParty": false
  }
}
`
}

type scaffoldFile struct{ name, data string }

// scaffold returns the files of a new bot named slug in the bots
// directory dir.
func scaffold(slug, dir string) []scaffoldFile {
	r := strings.NewReplacer("{{SLUG}}", slug, "{{NAME}}", displayName(slug), "{{DIR}}", filepath.ToSlash(dir))
	return []scaffoldFile{
		{"bot.yaml", r.Replace(botYAMLTemplate)},
		{"start.lua", r.Replace(startLuaTemplate)},
		{"tests/first-visit.txtar", r.Replace(transcriptTemplate)},
		{".luarc.json", luarc("../.parley")},
	}
}

// displayName makes "pizza-bot" "Pizza Bot".
func displayName(slug string) string {
	words := strings.FieldsFunc(slug, func(r rune) bool { return r == '-' || r == '_' })
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	if len(words) == 0 {
		return slug
	}
	return strings.Join(words, " ")
}

const botYAMLTemplate = `# The bot's settings (docs/bots.md). Unknown fields are errors.
name: "{{NAME}}"   # shown to users
description: "Learns your name, counts your coffees and remembers them"
# default: true   # the bot anonymous visitors meet: exactly one of a directory with several bots
# http_allow: [api.example.com]   # the hosts HTTP_GET and HTTP_POST may call
`

const startLuaTemplate = `-- {{NAME}}: a bot made by ` + "`parley new`" + `. Make it yours, then:
--   parley check {{DIR}}   compiles every bot and reports problems as file:line
--   parley test {{DIR}}   runs the transcripts of tests/ (update them too)
--   parley chat {{SLUG}} --bots {{DIR}}   talks to it in the terminal
-- The keywords (TALK, HEAR, MENU, SET, GET…) are in docs/dialogs.md; with
-- lua-language-server, your editor knows them too (see .luarc.json).
--
-- How it runs: from the first line when a conversation starts; each HEAR
-- (and MENU) waits for the user's next message. When the script returns,
-- the next message runs it again from the top, and that message is the
-- answer to its first HEAR. Plain Lua variables do not survive that: SET
-- and GET do.

-- People often answer "What's your name?" with a greeting.
local greetings = {hi = true, hello = true, hey = true, ["good morning"] = true}

-- ask_name asks until the answer looks like a name, and returns it tidied.
local function ask_name()
  TALK "What's your name?"
  while true do
    -- HEAR() returns the message exactly as typed: trim it, keep it short.
    local answer = HEAR():match("^%s*(.-)%s*$"):sub(1, 40)
    local word = answer:lower():gsub("[%p%s]+$", "")
    if greetings[word] then
      TALK "Hi! What's your name?"
    elseif answer == "" then
      TALK "I didn't catch that. What's your name?"
    else
      return answer
    end
  end
end

-- GET reads what SET stored: memory survives the end of the script,
-- restarts of the server and the user's next visits.
local name = GET("name")
if name then
  TALK("Welcome back, " .. name .. "!")
else
  TALK "Hello! I'm {{NAME}}."
  name = ask_name()
  SET("name", name)
  TALK("Nice to meet you, " .. name .. "!")
end

local retry = "A whole number, please, like 1 or 2."

while true do
  -- MENU is TALK + quick replies + HEAR{choices = …}: any other answer is
  -- met with "Please choose one of: …" and the quick replies again.
  local choice = MENU("What would you like to do?", {"Count a coffee", "My total", "Forget me"})
  if choice == "Count a coffee" then
    TALK "How many cups did you just have?"
    -- as = "integer" takes whole numbers only ("2", " #2 ") and returns a
    -- number; any other answer gets the retry text, and HEAR waits again.
    local cups = HEAR{as = "integer", retry = retry}
    while cups < 0 or cups > 20 do -- what the type cannot say, the script checks
      TALK "Between 0 and 20, please."
      cups = HEAR{as = "integer", retry = retry}
    end
    SET("cups", (GET("cups") or 0) + cups)
    TALK("Noted: " .. GET("cups") .. " in all.")
  elseif choice == "My total" then
    TALK((GET("cups") or 0) .. " cups so far, " .. name .. ".")
  else
    SET("name", nil) -- nil forgets a key
    SET("cups", nil)
    TALK "Done: I forgot your name and your cups."
    return -- the next message starts again from the top
  end
end
`

const transcriptTemplate = `A first visit: "hi" is taken for a greeting, not a name; counting checks
its answers; forgetting starts again from the top. Run it with
parley test {{DIR}}; lines: > the user, < the bot, ? the quick replies
(docs/bots.md, "Testing a bot").
-- transcript --
< Hello! I'm {{NAME}}.
< What's your name?
> hi
< Hi! What's your name?
>  Ada 
< Nice to meet you, Ada!
< What would you like to do?
? Count a coffee | My total | Forget me
> count a coffee
< How many cups did you just have?
> two
< A whole number, please, like 1 or 2.
> 30
< Between 0 and 20, please.
> 2
< Noted: 2 in all.
< What would you like to do?
> tea
< Please choose one of: Count a coffee, My total, Forget me.
? Count a coffee | My total | Forget me
> My total
< 2 cups so far, Ada.
< What would you like to do?
> Forget me
< Done: I forgot your name and your cups.
> hello
< Hello! I'm {{NAME}}.
< What's your name?
< Hi! What's your name?
`
