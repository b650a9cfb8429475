package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"

	"golang.org/x/tools/txtar"

	"parley/runtime"
)

// A transcript is a bot test: a txtar archive whose "transcript" file holds
// the conversation, one line each:
//
//	> text        the user sends text
//	+ path        the user sends a file, alone: path is in the folder of
//	              the archive's bot (bots/support/tests/cup.png is
//	              "tests/cup.png")
//	< text        the bot says exactly text ("…" or "..." at the end: a prefix)
//	* name        the bot's message has an attachment of this file name
//	              (after its "<" line, left out when it has no text)
//	? a | b       the suggestions in force become a, b
//	! code        the dialog fails with error code (dialog_error)
//	= status      a status frame: waiting_agent (the bot called TRANSFER)
//	              or resolved
//	@ say text    an agent (named Agent) writes text in the conversation
//	@ resolve note   the agent resolves the conversation with note, which
//	              the bot's TRANSFER returns; "@ close note" closes it
//	# comment     (and blank lines) ignored
//
// The archive may also hold bot.yaml and start.lua: the bot under test;
// otherwise the bot is the one whose folder holds the archive.
type transcript struct {
	name  string
	steps []step
	bot   map[string][]byte // inline bot files, or nil
}

type step struct {
	line int
	kind byte // '>', '+', '<', '*', '?', '!', '=', '@'
	text string
}

// parseTranscript reads one archive.
func parseTranscript(name string, data []byte) (*transcript, error) {
	a := txtar.Parse(data)
	t := &transcript{name: name}
	var body []byte
	for _, f := range a.Files {
		switch f.Name {
		case "transcript":
			body = f.Data
		case "bot.yaml", "start.lua":
			if t.bot == nil {
				t.bot = map[string][]byte{}
			}
			t.bot[f.Name] = f.Data
		default:
			return nil, fmt.Errorf("%s: unknown file %q in the archive", name, f.Name)
		}
	}
	if body == nil {
		return nil, fmt.Errorf("%s: no -- transcript -- section", name)
	}
	first := sectionLine(data, "transcript")
	for i, l := range strings.Split(string(body), "\n") {
		l = strings.TrimRight(l, " \t\r")
		if l == "" || l[0] == '#' {
			continue
		}
		if len(l) < 2 || !strings.ContainsRune("><+*?!=@", rune(l[0])) || (len(l) > 1 && l[1] != ' ') {
			return nil, fmt.Errorf("%s:%d: a line starts with \"> \", \"+ \", \"< \", \"* \", \"? \", \"! \", \"= \", \"@ \" or \"#\"", name, first+i)
		}
		if p := l[2:]; l[0] == '+' && (!fs.ValidPath(p) || p == ".") {
			return nil, fmt.Errorf("%s:%d: a file line is \"+ PATH\", a path in the bot's folder like tests/photo.png", name, first+i)
		}
		if verb, _, _ := strings.Cut(l[2:], " "); l[0] == '@' && verb != "say" && verb != "resolve" && verb != "close" {
			return nil, fmt.Errorf("%s:%d: an agent line is \"@ say TEXT\", \"@ resolve NOTE\" or \"@ close NOTE\"", name, first+i)
		}
		t.steps = append(t.steps, step{line: first + i, kind: l[0], text: l[2:]})
	}
	return t, nil
}

// sectionLine returns the line number (from 1) of the first line of a
// txtar section, so that errors point into the archive as editors see it.
func sectionLine(data []byte, name string) int {
	marker := []byte("-- " + name + " --\n")
	i := bytes.Index(data, marker)
	if i < 0 {
		return 1
	}
	return bytes.Count(data[:i], []byte("\n")) + 2
}

// output is one thing the bot did, as a transcript would write it.
type output struct {
	kind byte
	text string
}

// outputsOf is what an event shows in a transcript: a bot message is its
// text (if any) and then the name of each of its attachments.
func outputsOf(e *runtime.Event) []output {
	switch {
	case e.Type == runtime.EventMessage && e.Message.Sender == runtime.SenderBot:
		var atts []runtime.Attachment
		json.Unmarshal(e.Message.Attachments, &atts) // the runtime's own JSON
		var out []output
		if e.Message.Content != "" || len(atts) == 0 {
			out = append(out, output{'<', e.Message.Content})
		}
		for _, a := range atts {
			out = append(out, output{'*', a.Name})
		}
		return out
	case e.Type == runtime.EventStatus && (e.Status == runtime.StatusWaitingAgent || e.Status == runtime.StatusResolved):
		return []output{{'=', e.Status}}
	case e.Type == runtime.EventSuggestion && len(e.Suggestions) > 0:
		return []output{{'?', strings.Join(e.Suggestions, " | ")}}
	case e.Type == runtime.EventError:
		return []output{{'!', string(e.Code)}}
	}
	return nil
}

// matches reports whether the bot's output fits an expectation.
func (s step) matches(o output) bool {
	if s.kind != o.kind {
		return false
	}
	for _, ell := range []string{"…", "..."} {
		if prefix, ok := strings.CutSuffix(s.text, ell); ok && s.kind == '<' {
			return strings.HasPrefix(o.text, prefix)
		}
	}
	return s.text == o.text
}
