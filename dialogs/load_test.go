package dialogs_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"parley/bots"
	"parley/dialogs"
	"parley/runtime"
)

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

// good is a valid bot folder's files.
func good(fsys fstest.MapFS, slug string, isDefault bool) fstest.MapFS {
	def := "false"
	if isDefault {
		def = "true"
	}
	fsys[slug+"/bot.yaml"] = file("name: " + slug + "\ndefault: " + def + "\n")
	fsys[slug+"/start.lua"] = file("TALK 'hi'\n")
	return fsys
}

func TestCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		fsys fstest.MapFS
		want []string // each error's text, in order
	}{
		{"example bots", nil, nil},
		{"syntax error", good(fstest.MapFS{
			"b/bot.yaml":  file("name: B\n"),
			"b/start.lua": file("TALK 'hi'\n\nif then\n"),
		}, "a", true), []string{"b/start.lua:3: syntax error near 'then'"}},
		{"bad yaml", good(fstest.MapFS{
			"b/bot.yaml":  file("name: B\ndefault: [\n"),
			"b/start.lua": file("TALK 'x'"),
		}, "a", true), []string{"b/bot.yaml:2: did not find expected node content"}},
		{"unknown field", good(fstest.MapFS{
			"b/bot.yaml":  file("name: B\ndefualt: true\n"),
			"b/start.lua": file("TALK 'x'"),
		}, "a", true), []string{"b/bot.yaml:2: field defualt not found (bot.yaml has name, description, default, http_allow, llm)"}},
		{"bad http_allow entry", good(fstest.MapFS{
			"b/bot.yaml":  file("name: B\nhttp_allow:\n  - api.example.com\n  - https://x.example.com/\n"),
			"b/start.lua": file("TALK 'x'"),
		}, "a", true), []string{`b/bot.yaml:4: http_allow: "https://x.example.com/": an entry is a host, host:port or *.domain, without scheme or path`}},
		{"http_allow not a list", good(fstest.MapFS{
			"b/bot.yaml":  file("name: B\nhttp_allow: api.example.com\n"),
			"b/start.lua": file("TALK 'x'"),
		}, "a", true), []string{"b/bot.yaml:2: cannot unmarshal !!str `api.exa...` into http_allow, a list of hosts"}},
		{"bad llm section", good(fstest.MapFS{
			"b/bot.yaml":  file("name: B\nllm:\n  base_url: ftp://x\n"),
			"b/start.lua": file("TALK 'x'"),
		}, "a", true), []string{`b/bot.yaml:3: llm: base_url must be an http or https URL, not "ftp://x"`}},
		{"llm limits", good(fstest.MapFS{
			"b/bot.yaml":  file("name: B\nllm:\n  max_tokens: 100\n  calls_per_minute: -1\n"),
			"b/start.lua": file("TALK 'x'"),
		}, "a", true), []string{"b/bot.yaml:3: llm: calls_per_minute must not be negative (0: no limit)"}},
		{"llm timeout", good(fstest.MapFS{
			"b/bot.yaml":  file("name: B\nllm:\n  timeout: 9999\n"),
			"b/start.lua": file("TALK 'x'"),
		}, "a", true), []string{"b/bot.yaml:3: llm: timeout must be between 0 and 600 seconds (0: the server's --llm-timeout)"}},
		{"llm api key env", good(fstest.MapFS{
			"b/bot.yaml":  file("name: B\nllm:\n  api_key_env: sk-123\n"),
			"b/start.lua": file("TALK 'x'"),
		}, "a", true), []string{`b/bot.yaml:3: llm: api_key_env must name an environment variable, not "sk-123"`}},
		{"llm unknown field", good(fstest.MapFS{
			"b/bot.yaml":  file("name: B\nllm:\n  modle: x\n"),
			"b/start.lua": file("TALK 'x'"),
		}, "a", true), []string{"b/bot.yaml:3: field modle not found (llm has base_url, model, api_key_env, max_tokens, calls_per_minute, timeout)"}},
		{"missing script and manifest", good(fstest.MapFS{
			"b/bot.yaml":  file("name: B\n"),
			"c/start.lua": file("TALK 'x'"),
		}, "a", true), []string{"b/start.lua: file is missing", "c/bot.yaml: file is missing"}},
		{"every problem at once", fstest.MapFS{
			"b/bot.yaml":  file("name: [\n"),
			"b/start.lua": file("x = = 1"),
		}, []string{"b/bot.yaml:1: did not find expected node content", "b/start.lua:1: syntax error near '='"}},
		{"bad slug", good(fstest.MapFS{
			"Bad Bot/bot.yaml":  file("name: B\n"),
			"Bad Bot/start.lua": file("TALK 'x'"),
		}, "a", true), []string{"Bad Bot/bot.yaml: the folder name is the bot id"}},
		{"two defaults", good(good(fstest.MapFS{}, "a", true), "b", true),
			[]string{`bots a, b all have "default: true"; exactly one may`}},
		{"no default", good(good(fstest.MapFS{}, "a", false), "b", false),
			[]string{`no bot has "default: true" in its bot.yaml; exactly one must`}},
		{"lone bot is the default", good(fstest.MapFS{}, "a", false), nil},
		{"no bots", fstest.MapFS{"README.md": file("hi")}, []string{"no bots found"}},
		{"other folders are ignored", good(fstest.MapFS{"assets/logo.txt": file("x")}, "a", true), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var errs []error
			if tc.fsys == nil {
				errs = dialogs.Check(bots.FS)
			} else {
				errs = dialogs.Check(tc.fsys)
			}
			if len(errs) != len(tc.want) {
				t.Fatalf("got %q, want %q", errs, tc.want)
			}
			for i, err := range errs {
				if !strings.HasPrefix(err.Error(), tc.want[i]) {
					t.Errorf("error %d: %q, want it to start with %q", i, err, tc.want[i])
				}
			}
		})
	}
}

func TestCheckErrorsNameFileAndLine(t *testing.T) {
	t.Parallel()
	errs := dialogs.Check(fstest.MapFS{"b/bot.yaml": file("name: B"), "b/start.lua": file("\n\nlocal = 1")})
	var se *dialogs.ScriptError
	if len(errs) != 1 || !errors.As(errs[0], &se) || se.Bot != "b" || se.File != "start.lua" || se.Line != 3 {
		t.Fatalf("got %#v", errs)
	}
}

func TestNewFails(t *testing.T) {
	t.Parallel()
	if _, err := dialogs.New(dialogs.Config{}); err == nil {
		t.Error("New without bots succeeded")
	}
	_, err := dialogs.New(dialogs.Config{Bots: fstest.MapFS{"b/bot.yaml": file("name: B")}})
	if err == nil || !strings.Contains(err.Error(), "b/start.lua: file is missing") {
		t.Errorf("New: %v", err)
	}
}

func TestNewDialogUnknownBot(t *testing.T) {
	t.Parallel()
	_, err := newEngine(t, bots.FS).NewDialog(&runtime.Session{BotID: "nope"}, nil, nopHost{})
	if !runtime.IsKind(err, runtime.KindNotFound) {
		t.Errorf("got %v", err)
	}
}

// TestHTTPAllowLoaded: bot.yaml's http_allow reaches the runtime on the
// bot, as written; a bot without one may call nobody.
func TestHTTPAllowLoaded(t *testing.T) {
	t.Parallel()
	e := newEngine(t, fstest.MapFS{
		"a/bot.yaml":  file("name: A\ndefault: true\nhttp_allow:\n  - api.example.com\n  - '*.example.org:8443'\n  - localhost:9000\n"),
		"a/start.lua": file("TALK 'a'"),
		"b/bot.yaml":  file("name: B\n"),
		"b/start.lua": file("TALK 'b'"),
	})
	bots := e.Bots()
	if got := strings.Join(bots[0].HTTPAllow, " "); got != "api.example.com *.example.org:8443 localhost:9000" {
		t.Errorf("a: http_allow %q", got)
	}
	if bots[1].HTTPAllow != nil {
		t.Errorf("b: http_allow %q", bots[1].HTTPAllow)
	}
}
