package dialogs_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"parley/dialogs"
)

// checked is what CheckBots says of a bot "t" whose start.lua is src, one
// problem a line.
func checked(src string) string {
	var lines []string
	for _, p := range dialogs.CheckBots(sourceFS(src)) {
		lines = append(lines, p.String())
	}
	return strings.Join(lines, "\n")
}

// TestCheckScopes: names resolve as gopher-lua's compiler resolves them:
// locals, parameters, for variables, repeat-until, local functions that
// call themselves, methods' self, globals set anywhere (in a function,
// through _G), libraries the script extends, keywords a local shadows.
func TestCheckScopes(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		`local x = 1 TALK(x)`,
		`local function f(a, ...) return a, ... end TALK(f(1))`,
		`for i = 1, 3 do TALK(i) end for k, v in pairs({}) do TALK(k .. v) end`,
		`repeat local done = HEAR() == "y" until done`,
		`local function fact(n) if n < 2 then return 1 end return n * fact(n - 1) end TALK(fact(5))`,
		`local f = function() return f end`, // gopher-lua declares f first
		`local obj = {n = "x"} function obj:name() return self.n end TALK(obj:name())`,
		`local function init() config = {x = 1} end init() TALK(config.x)`,
		`local function main() helper() end function helper() TALK("h") end main()`,
		`_G.answer = 42 TALK(answer)`,
		`for _, n in ipairs({"a"}) do _G[n] = 1 end TALK(a)`,
		`rawset(_G, "b", 1) TALK(b)`,
		`local TALK = function(a, b, c) end TALK(1, 2, 3)`,
		`local string = {} string.foo()`,
		`function string.trim(s) return s end TALK(string.trim(" x "))`,
		`pcall(TALK, 1, 2)`,
		`TALK(HEAR())`,
		`TALK(RANDOM(unpack({1, 6})))`,
		`SET("k") SET("k", nil) LOG() SUGGEST() SUGGEST{"a", "b"} TYPING() HISTORY()`,
		`TALK(1) WAIT("5") RANDOM(1.5, 2) GET(1)`, // as Lua's argument checks coerce
		`HEAR{as = nil, choices = {"a", 1}} local a = {"files/a.png"} TALK{text = 5, attachments = a}`,
		`local o = {as = "numbr"} HEAR(o)`, // not a literal: not judged
		`USER.name = USER.name or "you" TALK(math.floor(1.5) .. string.upper("x") .. table.concat({}))`,
		`local n = 0 while n < 3 do n = n + 1 end goto done ::done::`,
	} {
		if got := checked(src); got != "" {
			t.Errorf("%s\n\t%s", src, strings.ReplaceAll(got, "\n", "\n\t"))
		}
	}
}

// TestCheckFindings: each source gives exactly these problems.
func TestCheckFindings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ src, want string }{
		{"TALK(undefined)", `t/start.lua:1: unknown global "undefined"`},
		{"do local x = 1 end\nTALK(x)", `t/start.lua:2: unknown global "x"`},
		{"repeat local y = 1 until y == 1\nTALK(y)", `t/start.lua:2: unknown global "y"`},
		{"for i = 1, 2 do end\nTALK(i)", `t/start.lua:2: unknown global "i"`},
		{"local function f(p) end\nTALK(p)", `t/start.lua:2: unknown global "p"`},
		{"TALK(nmae)\nTALK(nmae .. nmae)\nlocal name", "t/start.lua:1: unknown global \"nmae\"\nt/start.lua:2: unknown global \"nmae\""},
		{"local name = 'x'\nTALK(nmae)", `t/start.lua:2: unknown global "nmae" (did you mean name?)`},
		{"Talk('x')", `t/start.lua:1: unknown global "Talk" (did you mean TALK?)`},
		{"PROMPT('x')", `t/start.lua:1: unknown global "PROMPT" (no keyword has this name)`},
		{"print(1)", `t/start.lua:1: print is not available to bots; use LOG`},
		{"local s = string.dump", `t/start.lua:1: string.dump is not available to bots`},
		{"local n = math.flor(1.5)", `t/start.lua:1: math.flor is not in Lua's math library (did you mean math.floor?)`},
		{"local a, b = table.unpack({1, 2})", `t/start.lua:1: table.unpack is not in Lua's table library (use unpack: gopher-lua is Lua 5.1)`},
		{"TALK()", `t/start.lua:1: TALK(text) takes 1 argument, not 0`},
		{"NOW(1)", `t/start.lua:1: NOW() takes 0 arguments, not 1`},
		{"HEAR({}, 2)", `t/start.lua:1: HEAR([options]) takes at most 1 argument, not 2`},
		{"MENU('x', {'a'}, 1, HEAR())", `t/start.lua:1: MENU(prompt, choices) takes 2 arguments, not 3`},
		{"RANDOM((unpack({1, 2})))", `t/start.lua:1: RANDOM(m, n) takes 2 arguments, not 1`},
		{"GET({})", `t/start.lua:1: GET: key must be a string, not a table`},
		{"TYPING(true)", `t/start.lua:1: TYPING: seconds must be a number, not true`},
		{"TALK(nil)", `t/start.lua:1: TALK: text must be a string or a table, not nil`},
		{"local url = 'https://x.example.com'\nHTTP_POST(url, function() end)", `t/start.lua:2: HTTP_POST: body must be a string or a table, not a function`},
		{"LLM(not HEAR())", `t/start.lua:1: LLM: prompt must be a string or a table, not a boolean`},
		{"HEAR{as = 'Number'}", `t/start.lua:1: HEAR: as must be one of text, number, integer, boolean, email, date, image, audio, video, file, not "Number" (did you mean "number"?)`},
		{"HEAR{as = 'photo'}", `t/start.lua:1: HEAR: as must be one of text, number, integer, boolean, email, date, image, audio, video, file, not "photo"`},
		{"HEAR{choices = 'a, b'}", `t/start.lua:1: HEAR: choices must be a list of strings, not "a, b"`},
		{"HEAR{choices = {'a', {}}}", `t/start.lua:1: HEAR: choices must be a list of strings, not a list holding a table`},
		{"HEAR{\n  as = 'text',\n  timeout = 5,\n}", `t/start.lua:3: HEAR: unknown option "timeout" (HEAR takes as, choices, retry)`},
		{"TALK{'hello'}", `t/start.lua:1: TALK{…} takes named options (text, attachments), not a list: write TALK{text = …}`},
		{"LLM{prompt = 'x', max_tokens = 1.5}", `t/start.lua:1: LLM: max_tokens must be a whole number, not 1.5`},
		{"TRANSFER{reason = 42}", `t/start.lua:1: TRANSFER: reason must be a string, not 42`},
	} {
		if got := checked(tc.src); got != tc.want {
			t.Errorf("%s\n\tgot  %s\n\twant %s", tc.src, strings.ReplaceAll(got, "\n", "\n\t     "), strings.ReplaceAll(tc.want, "\n", "\n\t     "))
		}
	}
}

// TestCheckWarnings: a global read before the script sets it is nil in
// every run; that is a warning, not an error, and only at the top level,
// outside a loop that sets it. A keyword the script replaces is one too.
func TestCheckWarnings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ src, want string }{
		{"count = (count or 0) + 1", "t/start.lua:1: warning: global count is read before the script sets it (line 1): each run starts in a fresh Lua state, so it is nil here; keep what must outlive a run with SET and GET"},
		{"if not seen then\n  TALK('hi')\nend\nseen = true", "t/start.lua:1: warning: global seen is read before the script sets it (line 4): each run starts in a fresh Lua state, so it is nil here; keep what must outlive a run with SET and GET"},
		{"greet()\nfunction greet() end", "t/start.lua:1: warning: greet is called before the script defines it (line 2): it is nil here"},
		{"while true do\n  if last then TALK(last) end\n  last = HEAR()\nend", ""},
		{"local function show() TALK(shown) end\nshown = 1\nshow()", ""},
		{"function HEAR() return 'x' end\nHEAR(1, 2, 3)", "t/start.lua:1: warning: this sets the global HEAR, which replaces the keyword HEAR for the rest of the run"},
		{"pairs = nil", "t/start.lua:1: warning: this sets the global pairs, which replaces Lua's pairs for the rest of the run"},
	} {
		if got := checked(tc.src); got != tc.want {
			t.Errorf("%s\n\tgot  %s\n\twant %s", tc.src, got, tc.want)
		}
	}
}

// TestCheckSyntaxLines: every syntax error has its line; one at the end
// of the file (which gopher-lua reports without a line) is placed where
// the code ends and says what was left open; a string cut by the end of
// its line is placed where it starts.
func TestCheckSyntaxLines(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ src, want string }{
		{"TALK('one')\nif x then TALK(\"two\"", `t/start.lua:2: unexpected end of file: the '(' of line 2 is not closed with ')'`},
		{"TALK('one')\nif x then TALK(\"two\")\n\n-- a comment\n", `t/start.lua:2: unexpected end of file: the 'if' of line 2 has no 'end'`},
		{"local function f()\n  if x then\n  end\n", `t/start.lua:3: unexpected end of file: the 'function' of line 1 has no 'end'`},
		{"for i = 1, 2 do\n  TALK(i)\n", `t/start.lua:2: unexpected end of file: the 'for' of line 1 has no 'end'`},
		{"repeat\n  x = 1\n", `t/start.lua:2: unexpected end of file: the 'repeat' of line 1 has no 'until'`},
		{"local t = {\n  1,\n", `t/start.lua:2: unexpected end of file: the '{' of line 1 is not closed with '}'`},
		{"local x =\n", `t/start.lua:1: unexpected end of file after '='`},
		{"TALK(\"abc\n", `t/start.lua:1: unterminated string near 'abc'`},
		{"TALK 'x'\nlocal s = [[abc\n\n", `t/start.lua:2: unterminated multiline string: it starts on this line and runs to the end of the file`},
		{"TALK 'x'\n--[[ open\n", `t/start.lua:2: invalid multiline comment: it starts on this line and runs to the end of the file`},
		{"TALK 'x'\nif then\n", `t/start.lua:2: syntax error near 'then'`},
		{"", ""},
	} {
		if got := checked(tc.src); got != tc.want {
			t.Errorf("%q\n\tgot  %s\n\twant %s", tc.src, got, tc.want)
		}
	}
}

// TestCheckDefault: the default bot's problems name the files.
func TestCheckDefault(t *testing.T) {
	t.Parallel()
	bot := func(fsys fstest.MapFS, slug, yaml string) fstest.MapFS {
		fsys[slug+"/bot.yaml"] = file(yaml)
		fsys[slug+"/start.lua"] = file("TALK 'hi'\n")
		return fsys
	}
	for _, tc := range []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"none", bot(bot(fstest.MapFS{}, "a", "name: A\n"), "b", "default: false\n"),
			`no bot is the default: exactly one bot.yaml must say "default: true" (a/bot.yaml, b/bot.yaml)`},
		{"two", bot(bot(bot(fstest.MapFS{}, "a", "default: true\n"), "b", "name: B\n"), "c", "name: C\n\ndefault: true\n"),
			"a/bot.yaml:1: \"default: true\" here and in c/bot.yaml: exactly one bot may be the default\n" +
				"c/bot.yaml:3: \"default: true\" here and in a/bot.yaml: exactly one bot may be the default"},
		{"a lone bot", bot(fstest.MapFS{}, "a", "default: false\n"), ""},
		{"the default may be the broken one", bot(bot(fstest.MapFS{}, "a", "name: A\n"), "b", "defualt: true\n"),
			"b/bot.yaml:1: field defualt not found (bot.yaml has name, description, default, http_allow, llm)"},
		{"a broken script is still a bot", bot(bot(fstest.MapFS{}, "a", "default: true\n"), "b", "name: B\n"), ""},
		{"no bots", fstest.MapFS{"readme.txt": file("x")}, "no bots found: a bot is a folder with bot.yaml and start.lua"},
	} {
		if tc.name == "a broken script is still a bot" {
			tc.fsys["b/start.lua"] = file("if then\n")
			tc.fsys["panel/team.yaml"] = file("members: [a, b]\n")
			tc.want = "b/start.lua:1: syntax error near 'then'" // not "there is no bot b" too
		}
		var lines []string
		for _, p := range dialogs.CheckBots(tc.fsys) {
			lines = append(lines, p.String())
		}
		if got := strings.Join(lines, "\n"); got != tc.want {
			t.Errorf("%s:\n\tgot  %s\n\twant %s", tc.name, got, tc.want)
		}
	}
}

// TestCheckFilesAndURLs: TALK's literal attachments are checked as TALK
// checks them, and must exist in the bot's folder; a literal URL whose
// host no http_allow entry names is refused whenever it is asked for.
func TestCheckFilesAndURLs(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"t/bot.yaml":    file("name: T\nhttp_allow:\n  - api.example.com\n  - \"*.cdn.example.org\"\n"),
		"t/files/a.png": file("png"),
		"t/start.lua": file(`local base = "https://evil.example.net"
HTTP_GET("https://api.example.com/x")
HTTP_GET("https://API.example.com:8443/x")
HTTP_POST("https://evil.example.net/x", {})
HTTP_GET("https://img.cdn.example.org/a")
HTTP_GET("https://cdn.example.org/a")
HTTP_GET(base .. "/x")
TALK{attachments = {"files/a.png", "files/b.png", "../secret",
  "https://x.cdn.example.org/l.pdf", "https://other.example.com/l.pdf"}}
TALK{text = "x", attachments = "files"}
`),
	}
	want := []string{
		`t/start.lua:4: HTTP_POST: evil.example.net is not in this bot's http_allow (bot.yaml)`,
		`t/start.lua:6: HTTP_GET: cdn.example.org is not in this bot's http_allow (bot.yaml)`,
		`t/start.lua:8: TALK: files/b.png: no such file in the bot's folder`,
		`t/start.lua:8: TALK: attachment "../secret": ".." leads out of the bot's folder; name a file inside it, like "files/photo.png"`,
		`t/start.lua:9: TALK: other.example.com is not in this bot's http_allow (bot.yaml)`,
		`t/start.lua:10: TALK: files is not a file`,
	}
	var got []string
	for _, p := range dialogs.CheckBots(fsys) {
		got = append(got, p.String())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}
