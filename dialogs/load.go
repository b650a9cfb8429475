package dialogs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
	"go.yaml.in/yaml/v3"

	"parley/runtime"
)

// Files of a bot folder.
const (
	manifestFile = "bot.yaml"
	scriptFile   = "start.lua"
)

// bot is a loaded bot: what the API shows and its current script. A bot
// is never changed once loaded: a reload makes a new one.
type bot struct {
	info     runtime.Bot // Default is the engine's choice (pickDefault)
	declared bool        // bot.yaml says "default: true"
	script   *runtime.Script
	proto    *lua.FunctionProto // script compiled; read-only, shared by every dialog
}

// manifest is bot.yaml. Unknown fields are errors, so a typo such as
// "defualt: true" is caught by `parley check` instead of silently ignored.
type manifest struct {
	Name        string      `yaml:"name"`
	Description string      `yaml:"description"`
	Default     bool        `yaml:"default"`
	HTTPAllow   []allowItem `yaml:"http_allow"` // runtime/http_allow.go has the syntax
	LLM         *llmSection `yaml:"llm"`        // load_llm.go

	hosts []string // HTTPAllow, checked
	llm   runtime.BotLLM
}

// allowItem is one http_allow entry and its line, for the error that
// names a bad one.
type allowItem struct {
	host string
	line int
}

func (a *allowItem) UnmarshalYAML(n *yaml.Node) error {
	a.line = n.Line
	return n.Decode(&a.host)
}

// checkHTTPAllow checks the http_allow entries and keeps them in hosts;
// the first bad one is the error.
func (m *manifest) checkHTTPAllow(id runtime.BotID) error {
	for _, a := range m.HTTPAllow {
		if _, err := runtime.ParseHTTPAllow(a.host); err != nil {
			return &ScriptError{Bot: id, File: manifestFile, Line: a.line, Err: fmt.Errorf("http_allow: %w", err)}
		}
		m.hosts = append(m.hosts, a.host)
	}
	return nil
}

// slugPattern keeps bot ids safe in URLs, file names and logs.
var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// ValidBotID reports whether id can be a bot's id, and so its folder's
// name (`parley new` checks a name with it).
func ValidBotID(id string) bool { return slugPattern.MatchString(id) }

// Check loads every bot and team under the root of fsys and returns all the problems
// it finds (each a *ScriptError naming bot, file and line where it can),
// or nil when the bots are fine.
func Check(fsys fs.FS) []error {
	bots, errs := loadBots(fsys)
	_, teamErrs := loadTeams(fsys, bots)
	errs = append(errs, flatten(teamErrs)...)
	if len(errs) == 0 {
		if _, err := pickDefault(bots); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// loadBots loads every folder of fsys that holds a bot.yaml or start.lua.
// Other folders (and files) are ignored. It keeps going after an error so
// that one run reports everything.
func loadBots(fsys fs.FS) (map[runtime.BotID]*bot, []error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, []error{fmt.Errorf("reading bots: %w", err)}
	}
	bots := make(map[runtime.BotID]*bot)
	var errs []error
	for _, e := range entries {
		if !e.IsDir() || !isBotDir(fsys, e.Name()) {
			continue
		}
		b, err := loadBot(fsys, e.Name())
		if err != nil {
			errs = append(errs, err...)
			continue
		}
		bots[b.info.ID] = b
	}
	return bots, errs
}

func isBotDir(fsys fs.FS, dir string) bool {
	return exists(fsys, path.Join(dir, manifestFile)) || exists(fsys, path.Join(dir, scriptFile))
}

func exists(fsys fs.FS, name string) bool {
	_, err := fs.Stat(fsys, name)
	return err == nil
}

// loadBot reads and checks one bot folder; both files are checked even
// when the first is bad.
func loadBot(fsys fs.FS, slug string) (*bot, []error) {
	id := runtime.BotID(slug)
	if !slugPattern.MatchString(slug) {
		return nil, []error{&ScriptError{Bot: id, File: manifestFile, Err: errors.New(
			"the folder name is the bot id: use lowercase letters, digits, '-' and '_' (at most 64)")}}
	}
	m, merr := readManifest(fsys, id)
	sc, proto, serr := compileScript(fsys, id)
	if errs := nonNil(merr, serr); len(errs) > 0 {
		return nil, errs
	}
	if m.Name == "" {
		m.Name = slug
	}
	info := runtime.Bot{ID: id, Name: m.Name, Description: m.Description, HTTPAllow: m.hosts, LLM: m.llm}
	return &bot{info: info, declared: m.Default, script: sc, proto: proto}, nil
}

func readManifest(fsys fs.FS, id runtime.BotID) (manifest, error) {
	var m manifest
	if err := readYAML(fsys, id, manifestFile, &m, nil); err != nil {
		return m, err
	}
	if err := m.checkHTTPAllow(id); err != nil {
		return m, err
	}
	var err error
	m.llm, err = m.LLM.check(id)
	return m, err
}

// readYAML reads the folder id's file strictly into v: an unknown key is
// an error, an empty file (or only comments) is all defaults. A YAML
// error is a *ScriptError with its line, its message worded by word (when
// set) for the author of that file.
func readYAML(fsys fs.FS, id runtime.BotID, file string, v any, word func(string) string) error {
	data, err := fs.ReadFile(fsys, path.Join(string(id), file))
	if err != nil {
		return &ScriptError{Bot: id, File: file, Err: missing(err)}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		line, msg := yamlPosition(err)
		if word != nil {
			msg = word(msg)
		}
		return &ScriptError{Bot: id, File: file, Line: line, Err: errors.New(msg)}
	}
	return nil
}

// yamlPosition pulls the first "line N: " out of a yaml error, which puts
// positions inside its messages rather than in fields.
func yamlPosition(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	var line int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
	}
	msg = strings.ReplaceAll(msg, "into []dialogs.allowItem", "into http_allow, a list of hosts")
	if strings.Contains(msg, "in type dialogs.manifest") { // a Go name means nothing to a bot author
		msg = strings.ReplaceAll(msg, " in type dialogs.manifest", "") + " (bot.yaml has name, description, default, http_allow, llm)"
	}
	msg = strings.ReplaceAll(msg, "into dialogs.plain", "into llm, a mapping")
	return line, msg
}

// compileScript reads and compiles a bot's start.lua.
func compileScript(fsys fs.FS, id runtime.BotID) (*runtime.Script, *lua.FunctionProto, error) {
	src, err := fs.ReadFile(fsys, path.Join(string(id), scriptFile))
	if err != nil {
		return nil, nil, &ScriptError{Bot: id, File: scriptFile, Err: missing(err)}
	}
	sc := &runtime.Script{Bot: id, Version: versionOf(string(src)), Source: string(src)}
	proto, err := compileSource(id, sc.Source)
	if err != nil {
		return nil, nil, err
	}
	return sc, proto, nil
}

// compileSource parses and compiles one version of a start.lua once; every
// dialog running that version then shares the *lua.FunctionProto, which
// Lua code cannot modify.
func compileSource(id runtime.BotID, src string) (*lua.FunctionProto, error) {
	chunk, err := parse.Parse(strings.NewReader(src), scriptFile)
	if err != nil {
		return nil, syntaxError(id, src, err)
	}
	proto, err := lua.Compile(chunk, scriptFile)
	if err != nil {
		var ce *lua.CompileError
		if errors.As(err, &ce) {
			return nil, &ScriptError{Bot: id, File: scriptFile, Line: ce.Line, Err: errors.New(ce.Message)}
		}
		return nil, &ScriptError{Bot: id, File: scriptFile, Err: err}
	}
	return proto, nil
}

// syntaxError is a parse error of src with its line, even at the end of
// the file (check_syntax.go).
func syntaxError(id runtime.BotID, src string, err error) error {
	var pe *parse.Error
	if !errors.As(err, &pe) {
		return &ScriptError{Bot: id, File: scriptFile, Err: err}
	}
	line, msg := syntaxPosition(src, pe)
	return &ScriptError{Bot: id, File: scriptFile, Line: line, Err: errors.New(msg)}
}

func missing(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return errors.New("file is missing")
	}
	return err
}

// pickDefault enforces "exactly one bot is the default" and returns it; a
// lone bot is the default whatever its manifest says.
func pickDefault(bots map[runtime.BotID]*bot) (runtime.BotID, error) {
	if len(bots) == 0 {
		return "", errors.New("no bots found: a bot is a folder with bot.yaml and start.lua")
	}
	var defaults []string
	for id, b := range bots {
		if len(bots) == 1 {
			return id, nil
		}
		if b.declared {
			defaults = append(defaults, string(id))
		}
	}
	sort.Strings(defaults)
	switch len(defaults) {
	case 1:
		return runtime.BotID(defaults[0]), nil
	case 0:
		return "", errors.New("no bot has \"default: true\" in its bot.yaml; exactly one must")
	default:
		return "", fmt.Errorf("bots %s all have \"default: true\"; exactly one may", strings.Join(defaults, ", "))
	}
}

// withDefault returns bots with def, and only def, marked Default. Bots
// whose mark changes are copied: a published bot never changes.
func withDefault(bots map[runtime.BotID]*bot, def runtime.BotID) map[runtime.BotID]*bot {
	out := make(map[runtime.BotID]*bot, len(bots))
	for id, b := range bots {
		if b.info.Default != (id == def) {
			c := *b
			c.info.Default = id == def
			b = &c
		}
		out[id] = b
	}
	return out
}

func nonNil(errs ...error) []error {
	var out []error
	for _, err := range errs {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}
