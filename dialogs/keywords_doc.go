package dialogs

import (
	"slices"
	"strings"
)

// The description of every name a script sees beyond Lua's library: the
// one table that the reference (docs/dialogs.md), the editor annotations
// (bots/.parley/parley.lua, `parley gen-lua`), `parley check` and
// `parley new` read, so that none of them drifts from the engine. A test
// (keywords_doc_test.go) fails when a keyword of the api table has no
// entry here, or an entry no keyword, or an option list differs from what
// the keyword accepts.

// Kinds of KeywordDoc.
const (
	KindFunction = "function" // a keyword of the api table (api.go)
	KindTable    = "table"    // a global table set by installAPI (USER)
)

// KeywordDoc describes one keyword.
//
// Types (ParamDoc.Type, FieldDoc.Type, ReturnDoc.Type, Overloads) are
// written as LuaLS (lua-language-server) types: "string", "integer",
// "string[]", "parley.Attachment", "string|parley.TalkOptions",
// "fun(opts: parley.TalkOptions)"; the type names are those of Types().
type KeywordDoc struct {
	Name      string // "HEAR"
	Kind      string // KindFunction or KindTable
	Signature string // as a script writes it: "HEAR([opts]) → value"
	Summary   string // one sentence
	Doc       string // more, in Markdown (may be empty)

	Params []ParamDoc
	// Options are the fields of the keyword's option table (a parameter
	// whose type names OptionsType); unknown options are errors.
	Options     []FieldDoc
	OptionsType string // "parley.HearOptions", "" without options
	// Overloads are other ways to call it, as LuaLS function types.
	Overloads []string
	Returns   []ReturnDoc
	Type      string // KindTable: the value's type ("parley.User")

	Errors  string // what raises an error (pcall-able) or returns one
	Replay  string // what a replay of the dialog does with this call
	Example string // Lua, a few lines
}

// ParamDoc is a positional parameter. Name "..." is a vararg.
type ParamDoc struct {
	Name, Type, Summary string
	Optional            bool
}

// FieldDoc is a field of a table type or of an option table.
type FieldDoc struct {
	Name, Type, Summary string
	Optional            bool
}

// ReturnDoc is one return value.
type ReturnDoc struct {
	Name, Type, Summary string
}

// TypeDoc is a table type keywords take or return (a LuaLS ---@class), or,
// with Alias set, a named union (a LuaLS ---@alias).
type TypeDoc struct {
	Name    string // "parley.Attachment"
	Summary string
	Fields  []FieldDoc
	Alias   string // `"text"|"number"|…`
}

// Keywords returns the description of every keyword, sorted by name: the
// functions of the api table and the USER table.
func Keywords() []KeywordDoc {
	list := slices.Clone(keywordDocs)
	slices.SortFunc(list, func(a, b KeywordDoc) int { return strings.Compare(a.Name, b.Name) })
	return list
}

// Keyword returns the description of name, if it is a keyword.
func Keyword(name string) (KeywordDoc, bool) {
	for _, k := range keywordDocs {
		if k.Name == name {
			return k, true
		}
	}
	return KeywordDoc{}, false
}

// Types returns the table types the keywords take and return, in the
// order they are best read (options first, then results).
func Types() []TypeDoc {
	list := slices.Clone(typeDocs)
	for _, k := range keywordDocs {
		if k.OptionsType != "" {
			list = append(list, TypeDoc{Name: k.OptionsType, Summary: k.Name + "'s options.", Fields: k.Options})
		}
	}
	slices.SortStableFunc(list, func(a, b TypeDoc) int { return strings.Compare(a.Name, b.Name) })
	return list
}

// answerKinds are HEAR's `as` values, in the order the docs list them.
var answerKinds = []answerKind{asText, asNumber, asInteger, asBoolean, asEmail, asDate, asImage, asAudio, asVideo, asFile}

// kindAlias is parley.AnswerKind: answerKinds as a LuaLS union.
func kindAlias() string {
	quoted := make([]string, len(answerKinds))
	for i, k := range answerKinds {
		quoted[i] = `"` + string(k) + `"`
	}
	return strings.Join(quoted, "|")
}

var typeDocs = []TypeDoc{
	{
		Name:    "parley.AnswerKind",
		Summary: "What HEAR's answer must be: its `as` option.",
		Alias:   kindAlias(),
	},
	{
		Name:    "parley.Answer",
		Summary: "What HEAR returns, as its `as` says: a string (text, email, date as \"YYYY-MM-DD\"), a number (number, integer), a boolean (boolean) or a parley.Attachment (image, audio, video, file). Typed any, so that editors take it for what your `as` makes it.",
		Alias:   "any",
	},
	{
		Name:    "parley.Value",
		Summary: "What SET stores and GET returns: JSON, so a string, a number, a boolean, or a table of those (a list, keys 1..n, or an object, string keys). Typed any, so that editors take it for what your script stored.",
		Alias:   "any",
	},
	{
		Name:    "parley.Attachment",
		Summary: "A file of a user's message, as HEAR{as=\"file\"} and ATTACHMENTS() give it. The script never sees its bytes.",
		Fields: []FieldDoc{
			{Name: "id", Type: "string", Summary: "the upload's id: what to keep with SET"},
			{Name: "name", Type: "string", Summary: "the file's name, as the user sent it"},
			{Name: "content_type", Type: "string", Summary: "its type, sniffed from its bytes (\"image/png\")"},
			{Name: "size", Type: "integer", Summary: "its size in bytes"},
			{Name: "url", Type: "string", Summary: "where people of the conversation read it (with their credentials)"},
			{Name: "kind", Type: `"image"|"audio"|"video"|"file"`, Summary: "\"file\" for anything that is not an image, audio or video (SVG included)"},
			{Name: "width", Type: "integer", Optional: true, Summary: "an image's width in pixels, when known"},
			{Name: "height", Type: "integer", Optional: true, Summary: "an image's height in pixels, when known"},
		},
	},
	{
		Name:    "parley.LLMMessage",
		Summary: "One message of a prompt. HISTORY's tables fit (their other fields are ignored).",
		Fields: []FieldDoc{
			{Name: "role", Type: `"system"|"user"|"assistant"`, Summary: "who says it"},
			{Name: "content", Type: "string", Summary: "what is said"},
		},
	},
	{
		Name:    "parley.HistoryMessage",
		Summary: "One message of the conversation, as HISTORY gives it.",
		Fields: []FieldDoc{
			{Name: "role", Type: `"user"|"assistant"`, Summary: "\"assistant\" for the bot's messages, \"user\" for everyone else's (the user and the support desk's people)"},
			{Name: "content", Type: "string", Summary: "the text"},
			{Name: "sender", Type: `"user"|"bot"|"agent"`, Summary: "who wrote it: the user, the bot, or a person of the support desk"},
			{Name: "name", Type: "string", Summary: "the writer's name (\"\" for the bot)"},
		},
	},
	{
		Name:    "parley.TransferOutcome",
		Summary: "What TRANSFER returns once people are done with the conversation.",
		Fields: []FieldDoc{
			{Name: "resolved", Type: "boolean", Summary: "true when an agent resolved or closed it; false when the timeout passed"},
			{Name: "status", Type: `"resolved"|"closed"|"timeout"`, Summary: "how it ended"},
			{Name: "agent", Type: "string", Optional: true, Summary: "the agent's name (resolved only)"},
			{Name: "note", Type: "string", Optional: true, Summary: "the agent's note (resolved only)"},
			{Name: "reason", Type: `"timeout"`, Optional: true, Summary: "why it was not resolved (not resolved only)"},
		},
	},
	{
		Name:    "parley.User",
		Summary: "Who the bot talks to.",
		Fields: []FieldDoc{
			{Name: "id", Type: "string", Summary: "the user's id, the same in all their conversations; for an anonymous visitor, \"anon:\" and the conversation's id"},
			{Name: "name", Type: "string", Summary: "the user's display name from their credentials (may be \"\")"},
			{Name: "anonymous", Type: "boolean", Summary: "true for a visitor who did not log in: memory is then the conversation's only"},
		},
	},
}

// keywordDocs is the table itself, in the order the reference reads best.
var keywordDocs = []KeywordDoc{
	{
		Name:      "TALK",
		Kind:      KindFunction,
		Signature: "TALK(text) · TALK{text = …, attachments = {…}}",
		Summary:   "Send a bot message; the table form sends files too.",
		Doc: "The typing indicator is hidden first. An empty text sends nothing (but the table form may send files without text). " +
			"Each attachment is a path in the bot's folder (`files/a.png`) or an http(s) URL of a host in `http_allow`; " +
			"it is stored as an upload of the bot, checked like a person's (type, size). At most 10 files.",
		Params: []ParamDoc{
			{Name: "text", Type: "string|parley.TalkOptions", Summary: "the message (at most 64 KiB), or the table form"},
		},
		Options: []FieldDoc{
			{Name: "text", Type: "string", Optional: true, Summary: "the message; may be empty when there are attachments"},
			{Name: "attachments", Type: "string|string[]", Optional: true, Summary: "paths in the bot's folder (\"files/packing.png\") and http(s) URLs of http_allow hosts"},
		},
		OptionsType: "parley.TalkOptions",
		Errors: "A text over 64 KiB; in the table form, an unknown option, a bad path (absolute, `..`, a backslash), more than 10 files, " +
			"and a file that cannot be sent (missing, too large, a type not allowed, a host not in http_allow): `pcall` can catch these, and then nothing of that TALK was sent.",
		Replay:  "Journaled: a replay sends nothing again, and reads, fetches and stores no file (a TALK refused is refused again from the journal).",
		Example: "TALK \"Hello!\"\nTALK{text = \"Pack it like this:\", attachments = {\"files/packing.png\"}}",
	},
	{
		Name:      "HEAR",
		Kind:      KindFunction,
		Signature: "HEAR([opts]) → answer",
		Summary:   "Wait for the user's next message and return it, converted and checked as opts ask.",
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
			{Name: "opts", Type: "parley.HearOptions", Optional: true, Summary: "what the answer must be"},
		},
		Options: []FieldDoc{
			{Name: "as", Type: "parley.AnswerKind", Optional: true, Summary: "the answer's shape (default \"text\")"},
			{Name: "choices", Type: "string[]", Optional: true, Summary: "the allowed answers (not with a file kind)"},
			{Name: "retry", Type: "string", Optional: true, Summary: "what to say when the answer does not fit, before waiting again"},
		},
		OptionsType: "parley.HearOptions",
		Returns: []ReturnDoc{
			{Name: "answer", Type: "parley.Answer", Summary: "a string, number, boolean or attachment, as `as` says"},
		},
		Errors: "An unknown option (a misspelt `choises` is caught), an `as` not in the list, choices with a file kind, " +
			"a retry that is not a string. A user's bad answer is never an error: HEAR asks again.",
		Replay: "The user's messages (and their files) are journaled: a replay gets the same answers, retries included. " +
			"`today`/`tomorrow` ask the host for the date, which is journaled too.",
		Example: "local age = HEAR{as = \"integer\", retry = \"Your age in years, please (like 42).\"}\n" +
			"local email = HEAR{as = \"email\"}\nlocal size = HEAR{choices = {\"Small\", \"Large\"}}",
	},
	{
		Name:      "MENU",
		Kind:      KindFunction,
		Signature: "MENU(prompt, choices) → choice",
		Summary:   "Ask a question with quick replies and wait for one of them: TALK(prompt), SUGGEST(choices), HEAR{choices = choices}.",
		Doc:       "Any other answer is met with \"Please choose one of: A, B.\" and the suggestions again.",
		Params: []ParamDoc{
			{Name: "prompt", Type: "string", Summary: "the question"},
			{Name: "choices", Type: "string[]", Summary: "the answers offered (at least one)"},
		},
		Returns: []ReturnDoc{
			{Name: "choice", Type: "string", Summary: "the choice, as written in the list"},
		},
		Errors:  "A prompt that is not a string; no choices, or choices that are not a list of strings.",
		Replay:  "As TALK, SUGGEST and HEAR.",
		Example: "local size = MENU(\"Which size?\", {\"Small\", \"Medium\", \"Large\"})\nTALK(\"One \" .. size .. \" pizza.\")",
	},
	{
		Name:      "SUGGEST",
		Kind:      KindFunction,
		Signature: "SUGGEST(a, b, …) · SUGGEST{a, b, …} · SUGGEST()",
		Summary:   "Show quick replies under the bot's last message; no argument clears them.",
		Doc:       "The user's next message clears them too. MENU calls SUGGEST for you.",
		Params: []ParamDoc{
			{Name: "...", Type: "string", Optional: true, Summary: "the replies (at most 20, each 1 to 256 bytes)"},
		},
		Overloads: []string{"fun(replies: string[])"},
		Errors:    "More than 20 replies, an empty one, or one over 256 bytes; a table holding anything but strings and numbers.",
		Replay:    "Journaled: a replay shows nothing again.",
		Example:   "TALK \"Coffee or tea?\"\nSUGGEST(\"Coffee\", \"Tea\")\nlocal drink = HEAR{choices = {\"Coffee\", \"Tea\"}}",
	},
	{
		Name:      "TYPING",
		Kind:      KindFunction,
		Signature: "TYPING([seconds])",
		Summary:   "Show the typing indicator; with seconds, also pause (at most 10 s).",
		Doc:       "The next TALK or HEAR hides it. The pause is a WAIT: it does not count against the turn's Lua time budget.",
		Params: []ParamDoc{
			{Name: "seconds", Type: "number", Optional: true, Summary: "how long to pause with the indicator showing (capped at 10)"},
		},
		Errors:  "Seconds that are not a number, negative, or over 86400.",
		Replay:  "Journaled like WAIT: a replay does not pause again.",
		Example: "TYPING(1.5)\nTALK \"Let me think… 42.\"",
	},
	{
		Name:      "SET",
		Kind:      KindFunction,
		Signature: "SET(key, value)",
		Summary:   "Remember a value for this user with this bot; nil forgets the key.",
		Doc: "Memory survives the end of the script, restarts and the user's next conversations with the bot " +
			"(for an anonymous visitor, it lasts as long as the conversation). Values are stored as JSON: strings, numbers, booleans " +
			"and tables of them (keys 1..n make a list, string keys an object). Plain Lua variables do not survive from one run of the script to the next: SET does.",
		Params: []ParamDoc{
			{Name: "key", Type: "string", Summary: "1 to 200 bytes"},
			{Name: "value", Type: "parley.Value?", Summary: "at most 64 KiB of JSON; nil forgets the key"},
		},
		Errors:  "An empty key or one over 200 bytes; a function, a table mixing list and object keys or with holes, a cycle, NaN, nesting deeper than 20, over 64 KiB.",
		Replay:  "Journaled: a replay does not store again.",
		Example: "SET(\"name\", name)\nSET(\"order\", {id = 123456, items = {\"Margherita\"}})",
	},
	{
		Name:      "GET",
		Kind:      KindFunction,
		Signature: "GET(key) → value",
		Summary:   "What SET stored under key, or nil.",
		Params: []ParamDoc{
			{Name: "key", Type: "string", Summary: "1 to 200 bytes"},
		},
		Returns: []ReturnDoc{
			{Name: "value", Type: "parley.Value?", Summary: "the stored value (a table comes back with its keys in sorted order), or nil"},
		},
		Errors:  "An empty key or one over 200 bytes.",
		Replay:  "Journaled: a replay gets the value the first run got, even if memory changed since.",
		Example: "local name = GET(\"name\")\nif name then TALK(\"Welcome back, \" .. name .. \"!\") end",
	},
	{
		Name:      "USER",
		Kind:      KindTable,
		Signature: "USER.id · USER.name · USER.anonymous",
		Summary:   "Who the bot talks to.",
		Type:      "parley.User",
		Replay:    "Set from the conversation, the same in every run.",
		Example:   "if not USER.anonymous then TALK(\"Hi \" .. USER.name) end",
	},
	{
		Name:      "NOW",
		Kind:      KindFunction,
		Signature: "NOW() → time",
		Summary:   "The current time, an RFC 3339 string in UTC (\"2026-01-01T12:00:00Z\").",
		Returns: []ReturnDoc{
			{Name: "time", Type: "string", Summary: "RFC 3339, UTC"},
		},
		Replay:  "Journaled: a replay gets the time of the first run. There is no other clock (no os.time).",
		Example: "local today = NOW():sub(1, 10)  -- \"YYYY-MM-DD\"",
	},
	{
		Name:      "RANDOM",
		Kind:      KindFunction,
		Signature: "RANDOM(m, n) → integer",
		Summary:   "A whole number in [m, n].",
		Params: []ParamDoc{
			{Name: "m", Type: "integer", Summary: "the smallest"},
			{Name: "n", Type: "integer", Summary: "the largest"},
		},
		Returns: []ReturnDoc{
			{Name: "n", Type: "integer", Summary: "m ≤ n' ≤ n"},
		},
		Errors:  "Arguments that are not numbers; n < m.",
		Replay:  "Journaled: a replay gets the same numbers (math.random draws from the same source).",
		Example: "local die = RANDOM(1, 6)",
	},
	{
		Name:      "WAIT",
		Kind:      KindFunction,
		Signature: "WAIT(seconds)",
		Summary:   "Pause the script (0 to 86400 s).",
		Doc:       "The pause does not count against the turn's Lua time budget, and it is durable: a WAIT pending at a restart fires at its deadline.",
		Params: []ParamDoc{
			{Name: "seconds", Type: "number", Summary: "0 to 86400"},
		},
		Errors:  "Seconds missing, not a number, negative or over 86400.",
		Replay:  "Journaled: a replay does not pause again for a WAIT that is over.",
		Example: "TALK \"I'll remind you in a minute.\"\nWAIT(60)\nTALK \"Reminder!\"",
	},
	{
		Name:      "ATTACHMENTS",
		Kind:      KindFunction,
		Signature: "ATTACHMENTS() → list",
		Summary:   "The files of the message HEAR (or MENU) took last; {} for none.",
		Returns: []ReturnDoc{
			{Name: "list", Type: "parley.Attachment[]", Summary: "each as HEAR{as = \"file\"} returns it"},
		},
		Replay:  "A message's files are journaled with its text: a replay sees the same tables.",
		Example: "local text = HEAR()\nfor _, f in ipairs(ATTACHMENTS()) do TALK(\"Got \" .. f.name) end",
	},
	{
		Name:      "HTTP_GET",
		Kind:      KindFunction,
		Signature: "HTTP_GET(url) → body, status",
		Summary:   "Fetch a URL of a host listed in bot.yaml's http_allow.",
		Doc:       "Any status is returned: a 404 or a 500 is not an error; the script decides. Limits: 10 s, 3 redirects, a 256 KiB body.",
		Params: []ParamDoc{
			{Name: "url", Type: "string", Summary: "an http or https URL (at most 4 KiB)"},
		},
		Returns: []ReturnDoc{
			{Name: "body", Type: "string", Summary: "the response body, byte for byte"},
			{Name: "status", Type: "integer", Summary: "the HTTP status"},
		},
		Errors: "A refused or failed request raises an error the script can pcall: not http(s), a host not in http_allow, " +
			"a private address reached through a wildcard, unreachable, over 10 s, a body over 256 KiB, too many redirects.",
		Replay:  "The status and body (or the error) are journaled: a replay does not send the request again. A request cut by a crash is sent again (at least once).",
		Example: "local ok, body, status = pcall(HTTP_GET, \"https://api.example.com/orders/\" .. id)\nif ok and status == 200 then TALK(body) end",
	},
	{
		Name:      "HTTP_POST",
		Kind:      KindFunction,
		Signature: "HTTP_POST(url, body) → body, status",
		Summary:   "HTTP_GET with a body: a string (text/plain), a table (JSON) or nil.",
		Params: []ParamDoc{
			{Name: "url", Type: "string", Summary: "an http or https URL of an http_allow host"},
			{Name: "body", Type: "string|table|nil", Summary: "at most 64 KiB; a table is sent as JSON, as SET encodes it"},
		},
		Returns: []ReturnDoc{
			{Name: "body", Type: "string", Summary: "the response body"},
			{Name: "status", Type: "integer", Summary: "the HTTP status"},
		},
		Errors:  "As HTTP_GET; also a body that is not a string, table or nil, or a table that is not JSON.",
		Replay:  "As HTTP_GET: requests are at least once, so give a POST that must not happen twice an idempotency key of your own.",
		Example: "local ok, err = pcall(HTTP_POST, \"https://api.example.com/tickets\", {subject = \"help\", user = USER.id})",
	},
	{
		Name:      "LLM",
		Kind:      KindFunction,
		Signature: "LLM(prompt) · LLM{messages = …, system = …, prompt = …, …} → reply | nil, err",
		Summary:   "Ask the language model of bot.yaml's llm section (or the server's); the reply streams to the chat and is then a bot message.",
		Doc:       "`system` goes first, `messages` next, `prompt` last (as the user's). With `silent = true` the reply is only returned.",
		Params: []ParamDoc{
			{Name: "prompt", Type: "string|parley.LLMOptions", Summary: "one user message, or the table form"},
		},
		Options: []FieldDoc{
			{Name: "messages", Type: "parley.LLMMessage[]", Optional: true, Summary: "the conversation so far (HISTORY's list fits)"},
			{Name: "prompt", Type: "string", Optional: true, Summary: "put last, as the user's message"},
			{Name: "system", Type: "string", Optional: true, Summary: "put first, as the system message"},
			{Name: "model", Type: "string", Optional: true, Summary: "the model for this call"},
			{Name: "temperature", Type: "number", Optional: true, Summary: "0 to 2"},
			{Name: "max_tokens", Type: "integer", Optional: true, Summary: "at least 1 (capped by bot.yaml's llm.max_tokens)"},
			{Name: "silent", Type: "boolean", Optional: true, Summary: "true: return the reply only, neither streamed nor stored"},
		},
		OptionsType: "parley.LLMOptions",
		Returns: []ReturnDoc{
			{Name: "reply", Type: "string?", Summary: "the model's reply, or nil when the call failed"},
			{Name: "err", Type: "string?", Summary: "why it failed (no endpoint, an error status, a timeout, the bot's limit)"},
		},
		Errors: "Raised: an unknown option, a bad role, an empty prompt, more than 200 messages or 256 KiB, a temperature or max_tokens out of range. " +
			"A failed call is not raised: it returns nil and the error text. `parley test` never calls a model: LLM returns nil there.",
		Replay:  "The reply (or the error) is journaled with a hash of the request: a replay never calls the model again; a different request there ends the dialog.",
		Example: "local reply, err = LLM{system = \"Answer briefly.\", messages = HISTORY(10)}\nif not reply then TALK(\"Sorry: \" .. err) end",
	},
	{
		Name:      "HISTORY",
		Kind:      KindFunction,
		Signature: "HISTORY([n]) → list",
		Summary:   "The last n messages of the conversation (default 10, at most 50), oldest first.",
		Params: []ParamDoc{
			{Name: "n", Type: "integer", Optional: true, Summary: "how many (1 to 50, default 10)"},
		},
		Returns: []ReturnDoc{
			{Name: "list", Type: "parley.HistoryMessage[]", Summary: "so that LLM{messages = HISTORY(10)} works"},
		},
		Errors:  "n that is not a whole number from 1 to 50.",
		Replay:  "The list is journaled: a replay builds the same prompt.",
		Example: "local last = HISTORY(1)[1]",
	},
	{
		Name:      "TRANSFER",
		Kind:      KindFunction,
		Signature: "TRANSFER([reason]) · TRANSFER{reason = …, timeout = seconds} → outcome",
		Summary:   "Hand the conversation to people of the support desk and wait, durably, until they are done with it.",
		Doc: "The conversation enters the support queue (status waiting_agent); meanwhile the user's messages go to the people, not to HEAR. " +
			"TRANSFER returns when an agent resolves or closes it, or when the timeout (at most 7 days) passes with nobody taking it. See docs/support.md.",
		Params: []ParamDoc{
			{Name: "reason", Type: "string|parley.TransferOptions", Optional: true, Summary: "what agents see in the queue (at most 500 bytes), or the table form"},
		},
		Options: []FieldDoc{
			{Name: "reason", Type: "string", Optional: true, Summary: "what agents see in the queue (at most 500 bytes)"},
			{Name: "timeout", Type: "number", Optional: true, Summary: "seconds to wait for an agent (above 0, at most 604800)"},
		},
		OptionsType: "parley.TransferOptions",
		Returns: []ReturnDoc{
			{Name: "outcome", Type: "parley.TransferOutcome", Summary: "how it ended"},
		},
		Errors:  "A reason that is not a string or over 500 bytes; an unknown option; a timeout that is not a number of seconds in (0, 604800].",
		Replay:  "The outcome is journaled: a replay does not enter the queue again.",
		Example: "local r = TRANSFER{reason = \"refund\", timeout = 3600}\nif not r.resolved then TALK \"Nobody is free; we'll email you.\" end",
	},
	{
		Name:      "LOG",
		Kind:      KindFunction,
		Signature: "LOG(…)",
		Summary:   "Write a server log line of its arguments (as tostring shows them), tagged with the bot, the conversation, the file and the line.",
		Params: []ParamDoc{
			{Name: "...", Type: "any", Optional: true, Summary: "what to log (at most 4 KiB in all)"},
		},
		Replay:  "Not journaled, and not written again by a replay.",
		Example: "LOG(\"order\", order, \"for\", USER.id)",
	},
}
