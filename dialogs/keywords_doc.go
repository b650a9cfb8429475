package dialogs

import (
	"slices"
	"strings"
)

// KeywordDoc describes one keyword as a script calls it: its parameters,
// the named options of the table it may take, and what it returns. The
// table of them (keywordDocs) is the one description of the keywords'
// signatures: `parley check` validates calls against it (check_lua.go),
// and editor annotations and reference pages can be generated from it.
// TestKeywordDocs holds it equal to the api table (api.go) and to what the
// keywords accept at run time (their errors name the same options).
type KeywordDoc struct {
	Name    string
	Summary string     // one sentence, for a reference or a hover
	Params  []ParamDoc // the positional parameters, in order
	// Options are the keys of the table the first parameter may be
	// (TALK{…}, HEAR{…}, LLM{…}, TRANSFER{…}); nil when it takes none.
	Options []OptionDoc
	Returns []ParamDoc // the values it returns, in order (Optional: may be nil)
	Example string     // a call that works
}

// ParamDoc is one parameter (or return value) of a keyword.
type ParamDoc struct {
	Name string
	// Type is a LuaLS type: string, number, integer, boolean, table, any,
	// a list such as string[] or table[], or a union such as string|table.
	// In an argument, a number goes where a string does (and a numeric
	// string where a number does), as in Lua's own functions; an option's
	// value is taken as it is.
	Type     string
	Optional bool // may be left out, or nil
	Variadic bool // the last parameter, repeated any number of times
	Doc      string
}

// OptionDoc is one named option of a keyword's table.
type OptionDoc struct {
	Name   string
	Type   string   // as ParamDoc.Type
	Values []string // the only values it takes, when it is one of a set
	Doc    string
}

// Keywords describes every keyword, sorted by name. The result is a copy:
// changing it changes nothing here.
func Keywords() []KeywordDoc {
	out := make([]KeywordDoc, len(keywordDocs))
	for i, k := range keywordDocs {
		k.Params = slices.Clone(k.Params)
		k.Returns = slices.Clone(k.Returns)
		k.Options = slices.Clone(k.Options)
		for j := range k.Options {
			k.Options[j].Values = slices.Clone(k.Options[j].Values)
		}
		out[i] = k
	}
	return out
}

// keywordDoc returns the description of the keyword name, or nil.
func keywordDoc(name string) *KeywordDoc {
	i, ok := slices.BinarySearchFunc(keywordDocs, name, func(k KeywordDoc, name string) int {
		return strings.Compare(k.Name, name)
	})
	if !ok {
		return nil
	}
	return &keywordDocs[i]
}

// Signature is how the keyword is called, e.g. "RANDOM(m, n)",
// "HEAR([options])", "LOG(...)".
func (k KeywordDoc) Signature() string {
	var b strings.Builder
	b.WriteString(k.Name + "(")
	opened := 0
	for i, p := range k.Params {
		sep := ""
		if i > 0 {
			sep = ", "
		}
		switch {
		case p.Variadic:
			b.WriteString(sep + "...")
		case p.Optional:
			b.WriteString("[" + sep + p.Name)
			opened++
		default:
			b.WriteString(sep + p.Name)
		}
	}
	b.WriteString(strings.Repeat("]", opened) + ")")
	return b.String()
}

// arity is how many arguments the keyword takes: at least min, at most
// max (-1: any number).
func (k KeywordDoc) arity() (min, max int) {
	for _, p := range k.Params {
		if p.Variadic {
			return min, -1
		}
		if !p.Optional {
			min++
		}
		max++
	}
	return min, max
}

// option returns k's option name, or nil.
func (k KeywordDoc) option(name string) *OptionDoc {
	for i := range k.Options {
		if k.Options[i].Name == name {
			return &k.Options[i]
		}
	}
	return nil
}

// optionNames lists k's options as its errors do: "as, choices, retry".
func (k KeywordDoc) optionNames() string {
	names := make([]string, len(k.Options))
	for i, o := range k.Options {
		names[i] = o.Name
	}
	return strings.Join(names, ", ")
}

// answerKinds are the values of HEAR's as, as checkKind accepts them.
var answerKinds = []string{
	string(asText), string(asNumber), string(asInteger), string(asBoolean), string(asEmail),
	string(asDate), string(asImage), string(asAudio), string(asVideo), string(asFile),
}

// keywordDocs describes the keywords of api, sorted by name. doc.go and
// docs/bots.md say the same in prose.
var keywordDocs = []KeywordDoc{
	{
		Name:    "ATTACHMENTS",
		Summary: "The files of the message HEAR took last, each a table as HEAR{as = \"file\"} returns ({} for none).",
		Returns: []ParamDoc{{Name: "files", Type: "table[]"}},
		Example: `local files = ATTACHMENTS()`,
	},
	{
		Name:    "GET",
		Summary: "The value SET stored under key, or nil.",
		Params:  []ParamDoc{{Name: "key", Type: "string", Doc: "1 to 200 bytes"}},
		Returns: []ParamDoc{{Name: "value", Type: "any", Optional: true}},
		Example: `local name = GET("name")`,
	},
	{
		Name:    "HEAR",
		Summary: "Wait for the user's next message and return it, converted as options.as says.",
		Params:  []ParamDoc{{Name: "options", Type: "table", Optional: true}},
		Options: []OptionDoc{
			{Name: "as", Type: "string", Values: answerKinds, Doc: "what the answer must be (default text)"},
			{Name: "choices", Type: "string[]", Doc: "the allowed answers, matched ignoring case; not with a file kind"},
			{Name: "retry", Type: "string", Doc: "what to say when the answer does not fit"},
		},
		Returns: []ParamDoc{{Name: "answer", Type: "any", Doc: "a string, number, boolean or file table"}},
		Example: `local n = HEAR{as = "integer", retry = "A whole number, please."}`,
	},
	{
		Name:    "HISTORY",
		Summary: "The last n messages of the conversation (default 10, at most 50), oldest first, each {role, content, sender, name}.",
		Params:  []ParamDoc{{Name: "n", Type: "integer", Optional: true}},
		Returns: []ParamDoc{{Name: "messages", Type: "table[]"}},
		Example: `local last = HISTORY(10)`,
	},
	{
		Name:    "HTTP_GET",
		Summary: "Fetch a URL of a host in bot.yaml's http_allow; any status is returned, a refused or failed request raises an error.",
		Params:  []ParamDoc{{Name: "url", Type: "string"}},
		Returns: []ParamDoc{{Name: "body", Type: "string"}, {Name: "status", Type: "integer"}},
		Example: `local body, status = HTTP_GET("https://api.example.com/orders/1")`,
	},
	{
		Name:    "HTTP_POST",
		Summary: "HTTP_GET with a body: a string (text/plain), a table (JSON) or nil.",
		Params: []ParamDoc{
			{Name: "url", Type: "string"},
			{Name: "body", Type: "string|table", Optional: true},
		},
		Returns: []ParamDoc{{Name: "body", Type: "string"}, {Name: "status", Type: "integer"}},
		Example: `local body, status = HTTP_POST("https://api.example.com/tickets", {subject = "help"})`,
	},
	{
		Name:    "LLM",
		Summary: "Ask the language model; the reply streams to the conversation and is returned, or nil and the error.",
		Params:  []ParamDoc{{Name: "prompt", Type: "string|table", Doc: "a prompt, or a table of options"}},
		Options: []OptionDoc{
			{Name: "messages", Type: "table[]", Doc: "the conversation: {role = system|user|assistant, content = …}"},
			{Name: "prompt", Type: "string", Doc: "a user message, put last"},
			{Name: "system", Type: "string", Doc: "a system message, put first"},
			{Name: "model", Type: "string", Doc: "the model for this call"},
			{Name: "temperature", Type: "number", Doc: "0 to 2"},
			{Name: "max_tokens", Type: "integer", Doc: "at least 1"},
			{Name: "silent", Type: "boolean", Doc: "true: only returned, neither streamed nor stored"},
		},
		Returns: []ParamDoc{
			{Name: "reply", Type: "string", Optional: true},
			{Name: "err", Type: "string", Optional: true},
		},
		Example: `local reply, err = LLM{system = "Answer briefly.", prompt = "Hello"}`,
	},
	{
		Name:    "LOG",
		Summary: "Write a log line of its arguments, tagged with bot, conversation, file and line.",
		Params:  []ParamDoc{{Name: "values", Type: "any", Optional: true, Variadic: true}},
		Example: `LOG("order", 42)`,
	},
	{
		Name:    "MENU",
		Summary: "TALK(prompt), SUGGEST(choices), then HEAR{choices = choices}: the choice made.",
		Params: []ParamDoc{
			{Name: "prompt", Type: "string"},
			{Name: "choices", Type: "string[]", Doc: "at least one"},
		},
		Returns: []ParamDoc{{Name: "choice", Type: "string"}},
		Example: `local size = MENU("Which size?", {"Small", "Large"})`,
	},
	{
		Name:    "NOW",
		Summary: "The time, an RFC 3339 string in UTC.",
		Returns: []ParamDoc{{Name: "time", Type: "string"}},
		Example: `local now = NOW()`,
	},
	{
		Name:    "RANDOM",
		Summary: "A whole number in [m, n].",
		Params:  []ParamDoc{{Name: "m", Type: "integer"}, {Name: "n", Type: "integer"}},
		Returns: []ParamDoc{{Name: "number", Type: "integer"}},
		Example: `local die = RANDOM(1, 6)`,
	},
	{
		Name:    "SET",
		Summary: "Remember a value (stored as JSON) under key; nil forgets the key.",
		Params: []ParamDoc{
			{Name: "key", Type: "string", Doc: "1 to 200 bytes"},
			{Name: "value", Type: "any", Optional: true, Doc: "a string, number, boolean or table of them; nil forgets"},
		},
		Example: `SET("name", "Ada")`,
	},
	{
		Name:    "SUGGEST",
		Summary: "Show quick replies (at most 20); SUGGEST() clears them.",
		Params:  []ParamDoc{{Name: "choices", Type: "string|string[]", Optional: true, Variadic: true}},
		Example: `SUGGEST("Yes", "No")`,
	},
	{
		Name:    "TALK",
		Summary: "Send a bot message: a text, or a table with text and attachments (files of the bot's folder or URLs).",
		Params:  []ParamDoc{{Name: "text", Type: "string|table", Doc: "the text, or a table of options"}},
		Options: []OptionDoc{
			{Name: "text", Type: "string|number", Doc: "the text (may be empty)"},
			{Name: "attachments", Type: "string|string[]", Doc: "paths in the bot's folder and http(s) URLs, at most 10"},
		},
		Example: `TALK("Hello!")`,
	},
	{
		Name:    "TRANSFER",
		Summary: "Hand the conversation to people and wait until they resolve or close it (or the timeout passes).",
		Params:  []ParamDoc{{Name: "reason", Type: "string|table", Optional: true, Doc: "the reason, or a table of options"}},
		Options: []OptionDoc{
			{Name: "reason", Type: "string", Doc: "what agents see in the queue, at most 500 bytes"},
			{Name: "timeout", Type: "number", Doc: "seconds to wait for someone, at most 7 days"},
		},
		Returns: []ParamDoc{{Name: "outcome", Type: "table", Doc: "{resolved, status, agent, note} or {resolved = false, reason = \"timeout\"}"}},
		Example: `local r = TRANSFER{reason = "billing", timeout = 600}`,
	},
	{
		Name:    "TYPING",
		Summary: "Show the typing indicator; with seconds, also pause (at most 10).",
		Params:  []ParamDoc{{Name: "seconds", Type: "number", Optional: true}},
		Example: `TYPING(1)`,
	},
	{
		Name:    "WAIT",
		Summary: "Pause the script for seconds (0 to 86400); durable across restarts.",
		Params:  []ParamDoc{{Name: "seconds", Type: "number"}},
		Example: `WAIT(60)`,
	},
}
