---@meta _
-- Parley's keywords, for lua-language-server (LuaLS) and EmmyLua editors.
-- Generated from dialogs/keywords_doc.go by go generate ./dialogs: do not edit.
-- A bot's .luarc.json points workspace.library at this folder (parley new
-- writes both). Reference: docs/dialogs.md.

---A file of a user's message, as HEAR{as="file"} and ATTACHMENTS() give it. The
---script never sees its bytes.
---@class parley.Attachment
---@field id string the upload's id: what to keep with SET
---@field name string the file's name, as the user sent it
---@field content_type string its type, sniffed from its bytes ("image/png")
---@field size integer its size in bytes
---@field url string where people of the conversation read it (with their credentials)
---@field kind "image"|"audio"|"video"|"file" "file" for anything that is not an image, audio or video (SVG included)
---@field width? integer an image's width in pixels, when known
---@field height? integer an image's height in pixels, when known

---HEAR's options; any other key is an error.
---@class parley.HearOptions
---@field as? "text"|"number"|"integer"|"boolean"|"email"|"date"|"image"|"audio"|"video"|"file" the answer's shape (default "text")
---@field choices? string[] the allowed answers (not with a file kind)
---@field retry? string what to say when the answer does not fit, before waiting again

---One message of the conversation, as HISTORY gives it.
---@class parley.HistoryMessage
---@field role "user"|"assistant" "assistant" for the bot's messages, "user" for everyone else's (the user and the support desk's people)
---@field content string the text
---@field sender "user"|"bot"|"agent" who wrote it: the user, the bot, or a person of the support desk
---@field name string the writer's name ("" for the bot)

---One message of a prompt. HISTORY's tables fit (their other fields are
---ignored).
---@class parley.LLMMessage
---@field role "system"|"user"|"assistant" who says it
---@field content string what is said

---LLM's options; any other key is an error.
---@class parley.LLMOptions
---@field messages? parley.LLMMessage[] the conversation so far (HISTORY's list fits)
---@field prompt? string put last, as the user's message
---@field system? string put first, as the system message
---@field model? string the model for this call
---@field temperature? number 0 to 2
---@field max_tokens? integer at least 1 (capped by bot.yaml's llm.max_tokens)
---@field silent? boolean true: return the reply only, neither streamed nor stored

---TALK's options; any other key is an error.
---@class parley.TalkOptions
---@field text? string|number the message; may be empty when there are attachments
---@field attachments? string|string[] paths in the bot's folder ("files/packing.png") and http(s) URLs of http_allow hosts

---TRANSFER's options; any other key is an error.
---@class parley.TransferOptions
---@field reason? string what agents see in the queue (at most 500 bytes)
---@field timeout? number seconds to wait for an agent (above 0, at most 604800)

---What TRANSFER returns once people are done with the conversation.
---@class parley.TransferOutcome
---@field resolved boolean true when an agent resolved or closed it; false when the timeout passed
---@field status "resolved"|"closed"|"timeout" how it ended
---@field agent? string the agent's name (resolved only)
---@field note? string the agent's note (resolved only)
---@field reason? "timeout" why it was not resolved (not resolved only)

---Who the bot talks to.
---@class parley.User
---@field id string the user's id, the same in all their conversations; for an anonymous visitor, "anon:" and the conversation's id
---@field name string the user's display name from their credentials (may be "")
---@field anonymous boolean true for a visitor who did not log in: memory is then the conversation's only

---Send a bot message; the table form sends files too.
---
---The typing indicator is hidden first. An empty text sends nothing (but the
---table form may send files without text). Each attachment is a path in the
---bot's folder (`files/a.png`) or an http(s) URL of a host in `http_allow`; it
---is stored as an upload of the bot, checked like a person's (type, size). At
---most 10 files.
---
---Errors: A text over 64 KiB; in the table form, an unknown option, a bad path
---(absolute, `..`, a backslash), more than 10 files, and a file that cannot be
---sent (missing, too large, a type not allowed, a host not in http_allow):
---`pcall` can catch these, and then nothing of that TALK was sent.
---
---Replay: Journaled: a replay sends nothing again, and reads, fetches and
---stores no file (a TALK refused is refused again from the journal).
---
---```lua
---TALK "Hello!"
---local ok, err = pcall(TALK, {text = "Pack it like this:", attachments = {"files/packing.png"}})
---if not ok then LOG(err) end -- a file that cannot be sent is an error, and nothing was sent
---```
---@param text string|parley.TalkOptions the message (at most 64 KiB), or the table form
function TALK(text) end

---Wait for the user's next message and return it, converted and checked as the
---options ask.
---
---Without options, the message is returned exactly as sent ("" for a message
---with files only: see ATTACHMENTS). With `as`, the answer must have that shape
---and is converted: `number` (`3`, `-2.5`, `2,5`; `1,000` is refused),
---`integer` (digits, an optional sign and leading `#`, up to ±2^53), `boolean`
---(yes/no words in several languages → true/false), `email`
---(`name@example.com` or `Name <name@example.com>` → the address), `date`
---(`2025-12-31`, `31/12/2025`, `31.12.2025`, `today`, `tomorrow`,
---`yesterday`… → "YYYY-MM-DD"; day first, never month first), `image`,
---`audio`, `video` (the first file of that kind) or `file` (the first file) →
---a parley.Attachment. With `choices`, the answer must be one of them, ignoring
---case and extra spaces, and is returned as written in the list. An answer that
---does not fit is answered with `retry` (or a default such as "Please answer
---with a whole number."), the choices are suggested again, and HEAR waits
---again: the script goes on only with a valid answer.
---
---Errors: An unknown option (a misspelt `choises` is caught), an `as` not in
---the list, choices with a file kind, a retry that is not a string. A user's
---bad answer is never an error: HEAR asks again.
---
---Replay: The user's messages (and their files) are journaled: a replay gets
---the same answers, retries included. `today`/`tomorrow` ask the host for the
---date, which is journaled too.
---
---```lua
---local age = HEAR{as = "integer", retry = "Your age in years, please (like 42)."}
---local email = HEAR{as = "email"}
---local size = HEAR{choices = {"Small", "Large"}}
---```
---@param options? parley.HearOptions what the answer must be
---@return any answer # a string (text, email, date), a number (number, integer), a boolean or a parley.Attachment (image, audio, video, file), as `as` says
function HEAR(options) end

---Ask a question with quick replies and wait for one of them: TALK(prompt),
---SUGGEST(choices), HEAR{choices = choices}.
---
---Any other answer is met with "Please choose one of: A, B." and the
---suggestions again.
---
---Errors: A prompt that is not a string; no choices, or choices that are not a
---list of strings.
---
---Replay: As TALK, SUGGEST and HEAR.
---
---```lua
---local size = MENU("Which size?", {"Small", "Medium", "Large"})
---TALK("One " .. size .. " pizza.")
---```
---@param prompt string the question
---@param choices string[] the answers offered (at least one)
---@return string choice # the choice, as written in the list
function MENU(prompt, choices) end

---Show quick replies under the bot's last message; no argument clears them.
---
---The user's next message clears them too. MENU calls SUGGEST for you.
---
---Errors: More than 20 replies, an empty one, or one over 256 bytes; a table
---holding anything but strings and numbers.
---
---Replay: Journaled: a replay shows nothing again.
---
---```lua
---TALK "Coffee or tea?"
---SUGGEST("Coffee", "Tea")
---local drink = HEAR{choices = {"Coffee", "Tea"}}
---```
---@param ... string|string[] the replies, or one list of them (at most 20, each 1 to 256 bytes)
function SUGGEST(...) end

---Show the typing indicator; with seconds, also pause (at most 10 s).
---
---The next TALK or HEAR hides it. The pause is a WAIT: it does not count
---against the turn's Lua time budget.
---
---Errors: Seconds that are not a number, negative, or over 86400.
---
---Replay: Journaled like WAIT: a replay does not pause again.
---
---```lua
---TYPING(1.5)
---TALK "Let me think… 42."
---```
---@param seconds? number how long to pause with the indicator showing (capped at 10)
function TYPING(seconds) end

---Remember a value for this user with this bot; nil forgets the key.
---
---Memory survives the end of the script, restarts and the user's next
---conversations with the bot (for an anonymous visitor, it lasts as long as the
---conversation). Values are stored as JSON: strings, numbers, booleans and
---tables of them (keys 1..n make a list, string keys an object). Plain Lua
---variables do not survive from one run of the script to the next: SET does.
---
---Errors: An empty key or one over 200 bytes; a function, a table mixing list
---and object keys or with holes, a cycle, NaN, nesting deeper than 20, over 64
---KiB.
---
---Replay: Journaled: a replay does not store again.
---
---```lua
---SET("name", name)
---SET("order", {id = 123456, items = {"Margherita"}})
---```
---@param key string 1 to 200 bytes
---@param value? any a string, number, boolean or table of them, at most 64 KiB of JSON; nil forgets the key
function SET(key, value) end

---What SET stored under key, or nil.
---
---Errors: An empty key or one over 200 bytes.
---
---Replay: Journaled: a replay gets the value the first run got, even if memory
---changed since.
---
---```lua
---local name = GET("name")
---if name then TALK("Welcome back, " .. name .. "!") end
---```
---@param key string 1 to 200 bytes
---@return any? value # the stored value (a table comes back with its keys in sorted order), or nil
function GET(key) end

---Who the bot talks to.
---
---Replay: Set from the conversation, the same in every run.
---
---```lua
---if not USER.anonymous then TALK("Hi " .. USER.name) end
---```
---@type parley.User
USER = {}

---The current time, an RFC 3339 string in UTC ("2026-01-01T12:00:00Z").
---
---Replay: Journaled: a replay gets the time of the first run. There is no other
---clock (no os.time).
---
---```lua
---local today = NOW():sub(1, 10)  -- "YYYY-MM-DD"
---```
---@return string time # RFC 3339, UTC
function NOW() end

---A whole number in [m, n].
---
---Errors: Arguments that are not numbers; n < m.
---
---Replay: Journaled: a replay gets the same numbers (math.random draws from the
---same source).
---
---```lua
---local die = RANDOM(1, 6)
---```
---@param m integer the smallest
---@param n integer the largest
---@return integer number # m ≤ number ≤ n
function RANDOM(m, n) end

---Pause the script (0 to 86400 s).
---
---The pause does not count against the turn's Lua time budget, and it is
---durable: a WAIT pending at a restart fires at its deadline.
---
---Errors: Seconds missing, not a number, negative or over 86400.
---
---Replay: Journaled: a replay does not pause again for a WAIT that is over.
---
---```lua
---TALK "I'll remind you in a minute."
---WAIT(60)
---TALK "Reminder!"
---```
---@param seconds number 0 to 86400
function WAIT(seconds) end

---The files of the message HEAR (or MENU) took last; {} for none.
---
---Replay: A message's files are journaled with its text: a replay sees the same
---tables.
---
---```lua
---local text = HEAR()
---for _, f in ipairs(ATTACHMENTS()) do TALK("Got " .. f.name) end
---```
---@return parley.Attachment[] list # each as HEAR{as = "file"} returns it
function ATTACHMENTS() end

---Fetch a URL of a host listed in bot.yaml's http_allow.
---
---Any status is returned: a 404 or a 500 is not an error; the script decides.
---Limits: 10 s, 3 redirects, a 256 KiB body.
---
---Errors: A refused or failed request raises an error the script can pcall: not
---http(s), a host not in http_allow, a private address reached through a
---wildcard, unreachable, over 10 s, a body over 256 KiB, too many redirects.
---
---Replay: The status and body (or the error) are journaled: a replay does not
---send the request again. A request cut by a crash is sent again (at least
---once).
---
---```lua
---local ok, body, status = pcall(HTTP_GET, "https://api.example.com/orders/42")
---if ok and status == 200 then TALK(body) else TALK "The order service is not answering." end
---```
---@param url string an http or https URL (at most 4 KiB)
---@return string body # the response body, byte for byte
---@return integer status # the HTTP status
function HTTP_GET(url) end

---HTTP_GET with a body: a string (text/plain), a table (JSON) or nil.
---
---Errors: As HTTP_GET; also a body that is not a string, table or nil, or a
---table that is not JSON.
---
---Replay: As HTTP_GET: requests are at least once, so give a POST that must not
---happen twice an idempotency key of your own.
---
---```lua
---local ok, err = pcall(HTTP_POST, "https://api.example.com/tickets", {subject = "help", user = USER.id})
---```
---@param url string an http or https URL of an http_allow host
---@param body? string|table at most 64 KiB; a table is sent as JSON, as SET encodes it
---@return string body # the response body
---@return integer status # the HTTP status
function HTTP_POST(url, body) end

---Ask the language model of bot.yaml's llm section (or the server's); the reply
---streams to the chat and is then a bot message.
---
---`system` goes first, `messages` next, `prompt` last (as the user's). With
---`silent = true` the reply is only returned.
---
---Errors: Raised: an unknown option, a bad role, an empty prompt, more than 200
---messages or 256 KiB, a temperature or max_tokens out of range. A failed call
---is not raised: it returns nil and the error text. `parley test` never calls a
---model: LLM returns nil there.
---
---Replay: The reply (or the error) is journaled with a hash of the request: a
---replay never calls the model again; a different request there ends the
---dialog.
---
---```lua
---local reply, err = LLM{system = "Answer briefly.", messages = HISTORY(10)}
---if not reply then TALK("Sorry: " .. err) end
---```
---@param prompt string|parley.LLMOptions one user message, or the table form
---@return string? reply # the model's reply, or nil when the call failed
---@return string? err # why it failed (no endpoint, an error status, a timeout, the bot's limit)
function LLM(prompt) end

---The last n messages of the conversation (default 10, at most 50), oldest
---first.
---
---Errors: n that is not a whole number from 1 to 50.
---
---Replay: The list is journaled: a replay builds the same prompt.
---
---```lua
---local last = HISTORY(1)[1]
---```
---@param n? integer how many (1 to 50, default 10)
---@return parley.HistoryMessage[] list # so that LLM{messages = HISTORY(10)} works
function HISTORY(n) end

---Hand the conversation to people of the support desk and wait, durably, until
---they are done with it.
---
---The conversation enters the support queue (status waiting_agent); meanwhile
---the user's messages go to the people, not to HEAR. TRANSFER returns when an
---agent resolves or closes it, or when the timeout (at most 7 days) passes with
---nobody taking it. See docs/support.md.
---
---Errors: A reason that is not a string or over 500 bytes; an unknown option; a
---timeout that is not a number of seconds in (0, 604800].
---
---Replay: The outcome is journaled: a replay does not enter the queue again.
---
---```lua
---local r = TRANSFER{reason = "refund", timeout = 3600}
---if not r.resolved then TALK "Nobody is free; we'll email you." end
---```
---@param reason? string|parley.TransferOptions what agents see in the queue (at most 500 bytes), or the table form
---@return parley.TransferOutcome outcome # how it ended
function TRANSFER(reason) end

---Write a server log line of its arguments (as tostring shows them), tagged
---with the bot, the conversation, the file and the line.
---
---Replay: Not journaled, and not written again by a replay.
---
---```lua
---LOG("order", order, "for", USER.id)
---```
---@param ... any what to log (at most 4 KiB in all)
function LOG(...) end
