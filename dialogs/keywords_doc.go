package dialogs

import (
	"slices"
	"strings"
)

// The description of every name a script sees beyond Lua's library: the
// one table that `parley check` (check_lua.go), the reference
// (docs/dialogs.md), the editor annotations (bots/.parley/parley.lua) and
// `parley new` read, so that none of them drifts from the engine. Tests
// (keywords_doc_test.go) fail when a keyword of the api table has no
// entry here or an entry no keyword, and when an option list or HEAR's
// kinds differ from what the keyword accepts; keywords_gen.go makes the
// reference and the annotations from it.

// KeywordDoc describes one keyword as a script calls it: its parameters,
// the named options of the table it may take, what it returns, and, for
// the reference and hovers, its errors, what a replay does with it and an
// example.
//
// Types are LuaLS (lua-language-server) types: string, number, integer,
// boolean, table, any, a list such as string[] or parley.LLMMessage[], a
// union such as string|table, or a parley.* type of Types(). A parameter
// that is the option table has type table: the annotations name it
// OptionsType.
type KeywordDoc struct {
	Name    string
	Summary string // one sentence, for a reference or a hover
	Doc     string // more, in Markdown (may be empty)

	Params []ParamDoc // the positional parameters, in order
	// Options are the keys of the table the first parameter may be
	// (TALK{…}, HEAR{…}, LLM{…}, TRANSFER{…}); nil when it takes none.
	// Any other key is an error.
	Options     []OptionDoc
	OptionsType string     // the option table's type, "parley.HearOptions"
	Returns     []ParamDoc // the values it returns, in order (Optional: may be nil)
	Type        string     // for a table of Tables() (USER): its type

	Errors  string // what raises an error (pcall can catch it), or is returned as one
	Replay  string // what a replay of the dialog does with the call
	Example string // a few lines of Lua that work
}

// ParamDoc is one parameter (or return value) of a keyword.
type ParamDoc struct {
	Name string
	// Type is a LuaLS type (KeywordDoc). In an argument, a number goes
	// where a string does (and a numeric string where a number does), as
	// in Lua's own functions; an option's value is taken as it is.
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

// FieldDoc is a field of a table type (TypeDoc).
type FieldDoc struct {
	Name, Type string
	Optional   bool
	Doc        string
}

// TypeDoc is a table type keywords take or return: a LuaLS ---@class.
type TypeDoc struct {
	Name    string // "parley.Attachment"
	Summary string
	Fields  []FieldDoc
}

// Keywords describes every keyword of the api table, sorted by name. The
// result is a copy: changing it changes nothing here.
func Keywords() []KeywordDoc { return cloneDocs(keywordDocs) }

// Tables describes the global tables a script sees (USER).
func Tables() []KeywordDoc { return cloneDocs(tableDocs) }

// Keyword returns the description of the keyword (or table) name.
func Keyword(name string) (KeywordDoc, bool) {
	if k := keywordDoc(name); k != nil {
		return cloneDocs([]KeywordDoc{*k})[0], true
	}
	for _, k := range tableDocs {
		if k.Name == name {
			return k, true
		}
	}
	return KeywordDoc{}, false
}

func cloneDocs(docs []KeywordDoc) []KeywordDoc {
	out := make([]KeywordDoc, len(docs))
	for i, k := range docs {
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

// Types returns the table types the keywords take and return, sorted by
// name: those of typeDocs and each keyword's option table.
func Types() []TypeDoc {
	list := slices.Clone(typeDocs)
	for _, k := range keywordDocs {
		if k.OptionsType == "" {
			continue
		}
		t := TypeDoc{Name: k.OptionsType, Summary: k.Name + "'s options; any other key is an error."}
		for _, o := range k.Options {
			typ := o.Type
			if len(o.Values) > 0 {
				typ = quotedUnion(o.Values)
			}
			t.Fields = append(t.Fields, FieldDoc{Name: o.Name, Type: typ, Optional: true, Doc: o.Doc})
		}
		list = append(list, t)
	}
	slices.SortFunc(list, func(a, b TypeDoc) int { return strings.Compare(a.Name, b.Name) })
	return list
}

// quotedUnion is values as a LuaLS union of string literals.
func quotedUnion(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = `"` + v + `"`
	}
	return strings.Join(quoted, "|")
}

// answerKinds are the values of HEAR's as, as checkKind accepts them.
var answerKinds = []string{
	string(asText), string(asNumber), string(asInteger), string(asBoolean), string(asEmail),
	string(asDate), string(asImage), string(asAudio), string(asVideo), string(asFile),
}

// readingOrder is the order of the reference and the annotations: the
// conversation first, then memory, time, files, the network, people.
var readingOrder = []string{"TALK", "HEAR", "MENU", "SUGGEST", "TYPING", "SET", "GET", "USER", "NOW", "RANDOM",
	"WAIT", "ATTACHMENTS", "HTTP_GET", "HTTP_POST", "LLM", "HISTORY", "TRANSFER", "LOG"}

var typeDocs = []TypeDoc{
	{
		Name:    "parley.Attachment",
		Summary: "A file of a user's message, as HEAR{as=\"file\"} and ATTACHMENTS() give it. The script never sees its bytes.",
		Fields: []FieldDoc{
			{Name: "id", Type: "string", Doc: "the upload's id: what to keep with SET"},
			{Name: "name", Type: "string", Doc: "the file's name, as the user sent it"},
			{Name: "content_type", Type: "string", Doc: "its type, sniffed from its bytes (\"image/png\")"},
			{Name: "size", Type: "integer", Doc: "its size in bytes"},
			{Name: "url", Type: "string", Doc: "where people of the conversation read it (with their credentials)"},
			{Name: "kind", Type: `"image"|"audio"|"video"|"file"`, Doc: "\"file\" for anything that is not an image, audio or video (SVG included)"},
			{Name: "width", Type: "integer", Optional: true, Doc: "an image's width in pixels, when known"},
			{Name: "height", Type: "integer", Optional: true, Doc: "an image's height in pixels, when known"},
		},
	},
	{
		Name:    "parley.LLMMessage",
		Summary: "One message of a prompt. HISTORY's tables fit (their other fields are ignored).",
		Fields: []FieldDoc{
			{Name: "role", Type: `"system"|"user"|"assistant"`, Doc: "who says it"},
			{Name: "content", Type: "string", Doc: "what is said"},
		},
	},
	{
		Name:    "parley.HistoryMessage",
		Summary: "One message of the conversation, as HISTORY gives it.",
		Fields: []FieldDoc{
			{Name: "role", Type: `"user"|"assistant"`, Doc: "\"assistant\" for the bot's messages, \"user\" for everyone else's (the user and the support desk's people)"},
			{Name: "content", Type: "string", Doc: "the text"},
			{Name: "sender", Type: `"user"|"bot"|"agent"`, Doc: "who wrote it: the user, the bot, or a person of the support desk"},
			{Name: "name", Type: "string", Doc: "the writer's name (\"\" for the bot)"},
		},
	},
	{
		Name:    "parley.TransferOutcome",
		Summary: "What TRANSFER returns once people are done with the conversation.",
		Fields: []FieldDoc{
			{Name: "resolved", Type: "boolean", Doc: "true when an agent resolved or closed it; false when the timeout passed"},
			{Name: "status", Type: `"resolved"|"closed"|"timeout"`, Doc: "how it ended"},
			{Name: "agent", Type: "string", Optional: true, Doc: "the agent's name (resolved only)"},
			{Name: "note", Type: "string", Optional: true, Doc: "the agent's note (resolved only)"},
			{Name: "reason", Type: `"timeout"`, Optional: true, Doc: "why it was not resolved (not resolved only)"},
		},
	},
	{
		Name:    "parley.User",
		Summary: "Who the bot talks to.",
		Fields: []FieldDoc{
			{Name: "id", Type: "string", Doc: "the user's id, the same in all their conversations; for an anonymous visitor, \"anon:\" and the conversation's id"},
			{Name: "name", Type: "string", Doc: "the user's display name from their credentials (may be \"\")"},
			{Name: "anonymous", Type: "boolean", Doc: "true for a visitor who did not log in: memory is then the conversation's only"},
		},
	},
}

// tableDocs describes the global tables installAPI sets besides the api
// table's keywords.
var tableDocs = []KeywordDoc{
	{
		Name:    "USER",
		Summary: "Who the bot talks to.",
		Type:    "parley.User",
		Replay:  "Set from the conversation, the same in every run.",
		Example: "if not USER.anonymous then TALK(\"Hi \" .. USER.name) end",
	},
}

// keywordDocs describes the keywords of api, sorted by name (keywordDoc
// searches it). doc.go and docs/bots.md say the same in prose.
var keywordDocs = []KeywordDoc{
	{
		Name:    "ATTACHMENTS",
		Summary: "The files of the message HEAR (or MENU) took last; {} for none.",
		Returns: []ParamDoc{
			{Name: "list", Type: "parley.Attachment[]", Doc: "each as HEAR{as = \"file\"} returns it"},
		},
		Replay:  "A message's files are journaled with its text: a replay sees the same tables.",
		Example: "local text = HEAR()\nfor _, f in ipairs(ATTACHMENTS()) do TALK(\"Got \" .. f.name) end",
	},
	{
		Name:    "GET",
		Summary: "What SET stored under key, or nil.",
		Params: []ParamDoc{
			{Name: "key", Type: "string", Doc: "1 to 200 bytes"},
		},
		Returns: []ParamDoc{
			{Name: "value", Type: "any", Optional: true, Doc: "the stored value (a table comes back with its keys in sorted order), or nil"},
		},
		Errors:  "An empty key or one over 200 bytes.",
		Replay:  "Journaled: a replay gets the value the first run got, even if memory changed since.",
		Example: "local name = GET(\"name\")\nif name then TALK(\"Welcome back, \" .. name .. \"!\") end",
	},
	{
		Name:    "HEAR",
		Summary: "Wait for the user's next message and return it, converted and checked as the options ask.",
		Doc: "Without options, the message is returned exactly as sent (\"\" for a message with files only: see ATTACHMENTS). " +
			"With `as`, the answer must have that shape and is converted: `number` (`3`, `-2.5`, `2,5`; `1,000` is refused), " +
			"`integer` (digits, an optional sign and leading `#`, up to ±2^53), `boolean` (yes/no words in several languages → true/false), " +
			"`email` (`name@example.com` or `Name <name@example.com>` → the address), " +
			"`date` (`2025-12-31`, `31/12/2025`, `31.12.2025`, `today`, `tomorrow`, `yesterday`… → \"YYYY-MM-DD\"; day first, never month first), " +
			"`image`, `audio`, `video` (the first file of that kind) or `file` (the first file) → a parley.Attachment. " +
			"With `choices`, the answer must be one of them, ignoring case and extra spaces, and is returned as written in the list. " +
			"An answer that does not fit is answered with `retry` (or a default such as \"Please answer with a whole number.\"), " +
			"the choices are suggested again, and HEAR waits again: the script goes on only with a valid answer.",
		Params: []ParamDoc{
			{Name: "options", Type: "table", Optional: true, Doc: "what the answer must be"},
		},
		Options: []OptionDoc{
			{Name: "as", Type: "string", Values: answerKinds, Doc: "the answer's shape (default \"text\")"},
			{Name: "choices", Type: "string[]", Doc: "the allowed answers (not with a file kind)"},
			{Name: "retry", Type: "string", Doc: "what to say when the answer does not fit, before waiting again"},
		},
		OptionsType: "parley.HearOptions",
		Returns: []ParamDoc{
			{Name: "answer", Type: "any", Doc: "a string (text, email, date), a number (number, integer), a boolean or a parley.Attachment (image, audio, video, file), as `as` says"},
		},
		Errors: "An unknown option (a misspelt `choises` is caught), an `as` not in the list, choices with a file kind, " +
			"a retry that is not a string. A user's bad answer is never an error: HEAR asks again.",
		Replay: "The user's messages (and their files) are journaled: a replay gets the same answers, retries included. " +
			"`today`/`tomorrow` ask the host for the date, which is journaled too.",
		Example: "local age = HEAR{as = \"integer\", retry = \"Your age in years, please (like 42).\"}\n" +
			"local email = HEAR{as = \"email\"}\nlocal size = HEAR{choices = {\"Small\", \"Large\"}}",
	},
	{
		Name:    "HISTORY",
		Summary: "The last n messages of the conversation (default 10, at most 50), oldest first.",
		Params: []ParamDoc{
			{Name: "n", Type: "integer", Optional: true, Doc: "how many (1 to 50, default 10)"},
		},
		Returns: []ParamDoc{
			{Name: "list", Type: "parley.HistoryMessage[]", Doc: "so that LLM{messages = HISTORY(10)} works"},
		},
		Errors:  "n that is not a whole number from 1 to 50.",
		Replay:  "The list is journaled: a replay builds the same prompt.",
		Example: "local last = HISTORY(1)[1]",
	},
	{
		Name:    "HTTP_GET",
		Summary: "Fetch a URL of a host listed in bot.yaml's http_allow.",
		Doc:     "Any status is returned: a 404 or a 500 is not an error; the script decides. Limits: 10 s, 3 redirects, a 256 KiB body.",
		Params: []ParamDoc{
			{Name: "url", Type: "string", Doc: "an http or https URL (at most 4 KiB)"},
		},
		Returns: []ParamDoc{
			{Name: "body", Type: "string", Doc: "the response body, byte for byte"},
			{Name: "status", Type: "integer", Doc: "the HTTP status"},
		},
		Errors: "A refused or failed request raises an error the script can pcall: not http(s), a host not in http_allow, " +
			"a private address reached through a wildcard, unreachable, over 10 s, a body over 256 KiB, too many redirects.",
		Replay: "The status and body (or the error) are journaled: a replay does not send the request again. A request cut by a crash is sent again (at least once).",
		Example: "local ok, body, status = pcall(HTTP_GET, \"https://api.example.com/orders/42\")\n" +
			"if ok and status == 200 then TALK(body) else TALK \"The order service is not answering.\" end",
	},
	{
		Name:    "HTTP_POST",
		Summary: "HTTP_GET with a body: a string (text/plain), a table (JSON) or nil.",
		Params: []ParamDoc{
			{Name: "url", Type: "string", Doc: "an http or https URL of an http_allow host"},
			{Name: "body", Type: "string|table", Optional: true, Doc: "at most 64 KiB; a table is sent as JSON, as SET encodes it"},
		},
		Returns: []ParamDoc{
			{Name: "body", Type: "string", Doc: "the response body"},
			{Name: "status", Type: "integer", Doc: "the HTTP status"},
		},
		Errors:  "As HTTP_GET; also a body that is not a string, table or nil, or a table that is not JSON.",
		Replay:  "As HTTP_GET: requests are at least once, so give a POST that must not happen twice an idempotency key of your own.",
		Example: "local ok, err = pcall(HTTP_POST, \"https://api.example.com/tickets\", {subject = \"help\", user = USER.id})",
	},
	{
		Name:    "LLM",
		Summary: "Ask the language model of bot.yaml's llm section (or the server's); the reply streams to the chat and is then a bot message.",
		Doc:     "`system` goes first, `messages` next, `prompt` last (as the user's). With `silent = true` the reply is only returned.",
		Params: []ParamDoc{
			{Name: "prompt", Type: "string|table", Doc: "one user message, or the table form"},
		},
		Options: []OptionDoc{
			{Name: "messages", Type: "parley.LLMMessage[]", Doc: "the conversation so far (HISTORY's list fits)"},
			{Name: "prompt", Type: "string", Doc: "put last, as the user's message"},
			{Name: "system", Type: "string", Doc: "put first, as the system message"},
			{Name: "model", Type: "string", Doc: "the model for this call"},
			{Name: "temperature", Type: "number", Doc: "0 to 2"},
			{Name: "max_tokens", Type: "integer", Doc: "at least 1 (capped by bot.yaml's llm.max_tokens)"},
			{Name: "silent", Type: "boolean", Doc: "true: return the reply only, neither streamed nor stored"},
		},
		OptionsType: "parley.LLMOptions",
		Returns: []ParamDoc{
			{Name: "reply", Type: "string", Optional: true, Doc: "the model's reply, or nil when the call failed"},
			{Name: "err", Type: "string", Optional: true, Doc: "why it failed (no endpoint, an error status, a timeout, the bot's limit)"},
		},
		Errors: "Raised: an unknown option, a bad role, an empty prompt, more than 200 messages or 256 KiB, a temperature or max_tokens out of range. " +
			"A failed call is not raised: it returns nil and the error text. `parley test` never calls a model: LLM returns nil there.",
		Replay:  "The reply (or the error) is journaled with a hash of the request: a replay never calls the model again; a different request there ends the dialog.",
		Example: "local reply, err = LLM{system = \"Answer briefly.\", messages = HISTORY(10)}\nif not reply then TALK(\"Sorry: \" .. err) end",
	},
	{
		Name:    "LOG",
		Summary: "Write a server log line of its arguments (as tostring shows them), tagged with the bot, the conversation, the file and the line.",
		Params: []ParamDoc{
			{Name: "values", Type: "any", Optional: true, Variadic: true, Doc: "what to log (at most 4 KiB in all)"},
		},
		Replay:  "Not journaled, and not written again by a replay.",
		Example: "LOG(\"order\", order, \"for\", USER.id)",
	},
	{
		Name:    "MENU",
		Summary: "Ask a question with quick replies and wait for one of them: TALK(prompt), SUGGEST(choices), HEAR{choices = choices}.",
		Doc:     "Any other answer is met with \"Please choose one of: A, B.\" and the suggestions again.",
		Params: []ParamDoc{
			{Name: "prompt", Type: "string", Doc: "the question"},
			{Name: "choices", Type: "string[]", Doc: "the answers offered (at least one)"},
		},
		Returns: []ParamDoc{
			{Name: "choice", Type: "string", Doc: "the choice, as written in the list"},
		},
		Errors:  "A prompt that is not a string; no choices, or choices that are not a list of strings.",
		Replay:  "As TALK, SUGGEST and HEAR.",
		Example: "local size = MENU(\"Which size?\", {\"Small\", \"Medium\", \"Large\"})\nTALK(\"One \" .. size .. \" pizza.\")",
	},
	{
		Name:    "NOW",
		Summary: "The current time, an RFC 3339 string in UTC (\"2026-01-01T12:00:00Z\").",
		Returns: []ParamDoc{
			{Name: "time", Type: "string", Doc: "RFC 3339, UTC"},
		},
		Replay:  "Journaled: a replay gets the time of the first run. There is no other clock (no os.time).",
		Example: "local today = NOW():sub(1, 10)  -- \"YYYY-MM-DD\"",
	},
	{
		Name:    "RANDOM",
		Summary: "A whole number in [m, n].",
		Params: []ParamDoc{
			{Name: "m", Type: "integer", Doc: "the smallest"},
			{Name: "n", Type: "integer", Doc: "the largest"},
		},
		Returns: []ParamDoc{
			{Name: "number", Type: "integer", Doc: "m ≤ number ≤ n"},
		},
		Errors:  "Arguments that are not numbers; n < m.",
		Replay:  "Journaled: a replay gets the same numbers (math.random draws from the same source).",
		Example: "local die = RANDOM(1, 6)",
	},
	{
		Name:    "SET",
		Summary: "Remember a value for this user with this bot; nil forgets the key.",
		Doc: "Memory survives the end of the script, restarts and the user's next conversations with the bot " +
			"(for an anonymous visitor, it lasts as long as the conversation). Values are stored as JSON: strings, numbers, booleans " +
			"and tables of them (keys 1..n make a list, string keys an object). Plain Lua variables do not survive from one run of the script to the next: SET does.",
		Params: []ParamDoc{
			{Name: "key", Type: "string", Doc: "1 to 200 bytes"},
			{Name: "value", Type: "any", Optional: true, Doc: "a string, number, boolean or table of them, at most 64 KiB of JSON; nil forgets the key"},
		},
		Errors:  "An empty key or one over 200 bytes; a function, a table mixing list and object keys or with holes, a cycle, NaN, nesting deeper than 20, over 64 KiB.",
		Replay:  "Journaled: a replay does not store again.",
		Example: "SET(\"name\", name)\nSET(\"order\", {id = 123456, items = {\"Margherita\"}})",
	},
	{
		Name:    "SUGGEST",
		Summary: "Show quick replies under the bot's last message; no argument clears them.",
		Doc:     "The user's next message clears them too. MENU calls SUGGEST for you.",
		Params: []ParamDoc{
			{Name: "replies", Type: "string|string[]", Optional: true, Variadic: true, Doc: "the replies, or one list of them (at most 20, each 1 to 256 bytes)"},
		},
		Errors:  "More than 20 replies, an empty one, or one over 256 bytes; a table holding anything but strings and numbers.",
		Replay:  "Journaled: a replay shows nothing again.",
		Example: "TALK \"Coffee or tea?\"\nSUGGEST(\"Coffee\", \"Tea\")\nlocal drink = HEAR{choices = {\"Coffee\", \"Tea\"}}",
	},
	{
		Name:    "TALK",
		Summary: "Send a bot message; the table form sends files too.",
		Doc: "The typing indicator is hidden first. An empty text sends nothing (but the table form may send files without text). " +
			"Each attachment is a path in the bot's folder (`files/a.png`) or an http(s) URL of a host in `http_allow`; " +
			"it is stored as an upload of the bot, checked like a person's (type, size). At most 10 files.",
		Params: []ParamDoc{
			{Name: "text", Type: "string|table", Doc: "the message (at most 64 KiB), or the table form"},
		},
		Options: []OptionDoc{
			{Name: "text", Type: "string|number", Doc: "the message; may be empty when there are attachments"},
			{Name: "attachments", Type: "string|string[]", Doc: "paths in the bot's folder (\"files/packing.png\") and http(s) URLs of http_allow hosts"},
		},
		OptionsType: "parley.TalkOptions",
		Errors: "A text over 64 KiB; in the table form, an unknown option, a bad path (absolute, `..`, a backslash), more than 10 files, " +
			"and a file that cannot be sent (missing, too large, a type not allowed, a host not in http_allow): `pcall` can catch these, and then nothing of that TALK was sent.",
		Replay: "Journaled: a replay sends nothing again, and reads, fetches and stores no file (a TALK refused is refused again from the journal).",
		Example: "TALK \"Hello!\"\n" +
			"local ok, err = pcall(TALK, {text = \"Pack it like this:\", attachments = {\"files/packing.png\"}})\n" +
			"if not ok then LOG(err) end -- a file that cannot be sent is an error, and nothing was sent",
	},
	{
		Name:    "TRANSFER",
		Summary: "Hand the conversation to people of the support desk and wait, durably, until they are done with it.",
		Doc: "The conversation enters the support queue (status waiting_agent); meanwhile the user's messages go to the people, not to HEAR. " +
			"TRANSFER returns when an agent resolves or closes it, or when the timeout (at most 7 days) passes with nobody taking it. See docs/support.md.",
		Params: []ParamDoc{
			{Name: "reason", Type: "string|table", Optional: true, Doc: "what agents see in the queue (at most 500 bytes), or the table form"},
		},
		Options: []OptionDoc{
			{Name: "reason", Type: "string", Doc: "what agents see in the queue (at most 500 bytes)"},
			{Name: "timeout", Type: "number", Doc: "seconds to wait for an agent (above 0, at most 604800)"},
		},
		OptionsType: "parley.TransferOptions",
		Returns: []ParamDoc{
			{Name: "outcome", Type: "parley.TransferOutcome", Doc: "how it ended"},
		},
		Errors:  "A reason that is not a string or over 500 bytes; an unknown option; a timeout that is not a number of seconds in (0, 604800].",
		Replay:  "The outcome is journaled: a replay does not enter the queue again.",
		Example: "local r = TRANSFER{reason = \"refund\", timeout = 3600}\nif not r.resolved then TALK \"Nobody is free; we'll email you.\" end",
	},
	{
		Name:    "TYPING",
		Summary: "Show the typing indicator; with seconds, also pause (at most 10 s).",
		Doc:     "The next TALK or HEAR hides it. The pause is a WAIT: it does not count against the turn's Lua time budget.",
		Params: []ParamDoc{
			{Name: "seconds", Type: "number", Optional: true, Doc: "how long to pause with the indicator showing (capped at 10)"},
		},
		Errors:  "Seconds that are not a number, negative, or over 86400.",
		Replay:  "Journaled like WAIT: a replay does not pause again.",
		Example: "TYPING(1.5)\nTALK \"Let me think… 42.\"",
	},
	{
		Name:    "WAIT",
		Summary: "Pause the script (0 to 86400 s).",
		Doc:     "The pause does not count against the turn's Lua time budget, and it is durable: a WAIT pending at a restart fires at its deadline.",
		Params: []ParamDoc{
			{Name: "seconds", Type: "number", Doc: "0 to 86400"},
		},
		Errors:  "Seconds missing, not a number, negative or over 86400.",
		Replay:  "Journaled: a replay does not pause again for a WAIT that is over.",
		Example: "TALK \"I'll remind you in a minute.\"\nWAIT(60)\nTALK \"Reminder!\"",
	},
}
