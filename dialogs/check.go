package dialogs

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/yuin/gopher-lua/parse"
	"go.yaml.in/yaml/v3"

	"parley/runtime"
)

// Problem is one finding of CheckBots, in a file of the bots directory.
type Problem struct {
	File    string // relative to the bots directory, with slashes ("pizza/start.lua"); "" for the directory
	Line    int    // 0: the file as a whole
	Message string
	Warning bool // the bot loads and runs, but probably not as its author means
}

// String is "pizza/start.lua:12: message", or "…: warning: message".
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			b.WriteString(":" + strconv.Itoa(p.Line))
		}
		b.WriteString(": ")
	}
	if p.Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// CheckBots checks every bot and team under the root of fsys, for
// `parley check`, and returns what it finds sorted by file and line
// (nil when all is well). Errors are what would keep a bot from loading
// (everything Check reports), what fails whenever it runs (check_lua.go)
// and a directory without exactly one default bot, named by the files
// that say "default: true"; warnings are patterns that load and run but
// do not do what they seem to (check_lua.go).
func CheckBots(fsys fs.FS) []Problem {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return []Problem{{Message: fmt.Sprintf("cannot read the bots directory: %v", err)}}
	}
	var slugs []string // the bot folders
	for _, e := range entries {
		if e.IsDir() && isBotDir(fsys, e.Name()) && slugPattern.MatchString(e.Name()) {
			slugs = append(slugs, e.Name())
		}
	}
	bots, errs := loadBots(fsys)
	// A bot that does not load is still a bot a team may name: its own
	// errors say what is wrong with it.
	folders := maps.Clone(bots)
	for _, slug := range slugs {
		if folders[runtime.BotID(slug)] == nil {
			folders[runtime.BotID(slug)] = &bot{}
		}
	}
	_, teamErrs := loadTeams(fsys, folders)
	var out []Problem
	for _, err := range append(errs, flatten(teamErrs)...) {
		out = append(out, problemOf(err))
	}
	for _, slug := range slugs {
		out = append(out, lintBot(fsys, slug)...)
	}
	out = append(out, checkDefault(fsys, slugs)...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out
}

func problemOf(err error) Problem {
	var se *ScriptError
	if errors.As(err, &se) {
		return Problem{File: string(se.Bot) + "/" + se.File, Line: se.Line, Message: se.Err.Error()}
	}
	return Problem{Message: err.Error()}
}

// lintBot walks a bot's start.lua when it parses (a syntax error is
// loadBot's to report).
func lintBot(fsys fs.FS, slug string) []Problem {
	src, err := fs.ReadFile(fsys, path.Join(slug, scriptFile))
	if err != nil {
		return nil
	}
	chunk, err := parse.Parse(strings.NewReader(string(src)), scriptFile)
	if err != nil {
		return nil
	}
	bot := &botFacts{fsys: fsys, slug: slug}
	if m, err := readManifest(fsys, runtime.BotID(slug)); err == nil {
		bot.allow = []runtime.HTTPAllowEntry{}
		for _, h := range m.hosts {
			if e, err := runtime.ParseHTTPAllow(h); err == nil {
				bot.allow = append(bot.allow, e)
			}
		}
	}
	return lintScript(slug+"/"+scriptFile, chunk, bot)
}

// checkDefault checks that exactly one of the bots is the default (a
// lone bot is, whatever it says), naming the files at fault. A bot.yaml
// that does not load might be the one that says so: then a missing
// default is not reported.
func checkDefault(fsys fs.FS, slugs []string) []Problem {
	switch len(slugs) {
	case 0:
		return []Problem{{Message: "no bots found: a bot is a folder with bot.yaml and start.lua"}}
	case 1:
		return nil
	}
	type declaration struct {
		file string
		line int
	}
	var declared []declaration
	unsure := false
	for _, slug := range slugs {
		m, err := readManifest(fsys, runtime.BotID(slug))
		switch {
		case err != nil:
			unsure = true
		case m.Default:
			declared = append(declared, declaration{slug + "/" + manifestFile, defaultLine(fsys, slug)})
		}
	}
	var out []Problem
	switch {
	case len(declared) > 1:
		for i, d := range declared {
			var others []string
			for j, o := range declared {
				if j != i {
					others = append(others, o.file)
				}
			}
			out = append(out, Problem{File: d.file, Line: d.line, Message: fmt.Sprintf(
				`"default: true" here and in %s: exactly one bot may be the default`, strings.Join(others, ", "))})
		}
	case len(declared) == 0 && !unsure:
		files := make([]string, len(slugs))
		for i, slug := range slugs {
			files[i] = slug + "/" + manifestFile
		}
		out = append(out, Problem{Message: fmt.Sprintf(
			`no bot is the default: exactly one bot.yaml must say "default: true" (%s)`, strings.Join(files, ", "))})
	}
	return out
}

// defaultLine is the line of the default key of a bot's bot.yaml (0 if
// it cannot be found).
func defaultLine(fsys fs.FS, slug string) int {
	data, err := fs.ReadFile(fsys, path.Join(slug, manifestFile))
	if err != nil {
		return 0
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return 0
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == "default" {
			return m.Content[i].Line
		}
	}
	return 0
}
