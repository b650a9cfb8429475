// Package dialogs is Parley's Lua engine: it implements
// runtime.DialogEngine with gopher-lua.
//
// # Where to start
//
// New (engine.go) loads every bot of a bots directory (load.go): bot.yaml
// is read and start.lua compiled once to a *lua.FunctionProto that all the
// bot's dialogs share. Check reports what keeps a bots directory from
// loading, with file:line; CheckBots (check.go) adds, for `parley check`,
// what the scripts' syntax trees show (check_lua.go), keyword calls
// judged by Keywords (keywords_doc.go), the one description of the
// keywords' parameters and options. NewDialog returns a dialog (dialog.go)
// whose Step runs the script until it waits in HEAR (api_hear.go,
// yield.go).
//
// A run (run.go) executes the script once from its first line in a fresh
// sandboxed Lua state (sandbox.go). When the script returns or fails, the
// next Step starts another run from the top; only memory (SET/GET, kept by
// the DialogHost) survives.
//
// keywords_gen.go makes the reference (docs/dialogs.md) and the editor
// annotations (bots/.parley/parley.lua) from the same description, which
// also holds each keyword's results, errors, replay and an example; tests
// keep the committed files equal to it (go generate ./dialogs).
//
// # Versions and hot reload
//
// A script version is the hex of the first 16 bytes of the SHA-256 of
// start.lua (versions.go); Script returns the current one. A dialog runs
// the version it was made with (NewDialog's sc) for all its runs: the
// runtime pins a conversation's run to a version and makes a new dialog
// to move it to another. Old versions are compiled on demand and the last
// 64 are kept; the current ones always are.
//
// Watch (watch.go) follows Config.Dir with fsnotify and reloads a bot
// folder 150 ms after its last change. A folder that loads replaces the
// bot for new dialogs; one that does not keeps the last good version and
// is reported by Problems (and the log) with file:line; a new folder adds
// a bot; a removed one keeps its last good version until a restart. The
// "exactly one default" rule is checked on every reload: when it breaks,
// the default stays where it was and Problems says so. The set of bots is
// an immutable snapshot swapped atomically, so Bots, Script and NewDialog
// never wait for a reload and never see half of one.
//
// # Concurrency invariants
//
//   - Each live run has one *lua.LState, and one goroutine at a time
//     touches it: an LState is not goroutine-safe. A turn's Lua runs on a
//     worker, a goroutine shared by all dialogs that keeps its grown
//     stack (workers.go); a dialog parked by a yield is touched by nobody
//     until the next Step (or Close, on the caller's goroutine, which
//     frees the state).
//   - Step hands a turn to that goroutine and waits for the result, so
//     the caller and the script never work at the same time. The script
//     therefore calls the DialogHost only while Step runs.
//   - HEAR (and MENU) at the top of the script yields: the state is run
//     by LState.Resume from a parent state (pooled, it holds nothing
//     between resumes), the VM leaves its frames in place, and the worker
//     reports and is free for other turns. The next turn runs HEAR's Go
//     part again (the answer's check, a retry) through PCall on the
//     parked state and resumes it with the answer (yield.go). A HEAR inside pcall, xpcall,
//     a metamethod or a library callback cannot yield (gopher-lua runs
//     those calls on the Go stack; LState.CallDepth, a PATCH(parley)):
//     it blocks its worker in a select on the dialog's inbox and its
//     lifetime context, as every HEAR once did, and Step hands it the
//     next turns until the run yields or ends. Close cancels that context
//     and waits for the worker to let go of the dialog.
//   - Lua runs under L.SetContext(run): cancelling run (Close, the caller's
//     Step context, the time budget, a failed host call) stops the script
//     at its next instruction, and every later instruction too, so pcall
//     cannot swallow it.
//   - Every DialogHost call goes through thread.host: not after the run is
//     stopped, outside the time budget, with a context that ends when the
//     run is stopped, at most 1000 per turn. A host error stops the run
//     (Step returns it with done true).
//   - The compiled *lua.FunctionProto is read-only and shared between
//     states, and so are the *lua.LFunction values of the standard library
//     and the keywords (sandbox.go, shared): Go functions that keep
//     nothing per state (what they need per state, the memory budget, the
//     namer, the random numbers, they find in the state's context, its
//     run), which no state can change (their environment cannot be read
//     or set). A state's global and library tables are its own:
//     copy-on-write copies of templates made once (sandbox.go, templates),
//     which read the templates' entries until the script writes to them;
//     a write copies them first (gopher-lua's LTable.CopyOnWrite, a
//     patch), and nothing writes the templates. The metatables of _G and
//     of the string table, which no script can reach, are shared as they
//     are. Nothing else is shared between dialogs.
//
// # Naming rule
//
// Conversation keywords are UPPERCASE globals (TALK, HEAR, …), so they
// stand out from the script's own names and Lua's lowercase library.
// Optional libraries, when they come, will be lowercase modules.
//
// # The Lua names a script sees
//
// Keywords (api.go is the single table of them):
//
//	TALK(text)            send a bot message (hides the typing indicator first);
//	                      TALK{text=…, attachments={…}} sends files too: paths
//	                      in the bot's folder ("files/a.png") or http(s) URLs
//	                      of http_allow, stored as the bot's uploads (checked
//	                      like a person's); a file that cannot be sent raises
//	                      an error the script can pcall (api_files.go)
//	HEAR([opts]) → value  wait for the next user message; opts.as = "text"
//	                      (default, exactly as sent), "number", "integer",
//	                      "boolean", "email", "date" (→ "YYYY-MM-DD"),
//	                      "image", "audio", "video" (the first attachment of
//	                      that kind), "file" (the first attachment), each a
//	                      table {id, name, content_type, size, url, kind,
//	                      width, height}; opts.choices = allowed answers
//	                      (case-insensitive, returned as written in the
//	                      list); opts.retry = what to say when the answer
//	                      does not fit (then HEAR again)
//	ATTACHMENTS() → list  the attachments of the message HEAR took last, each
//	                      a table as HEAR{as="file"} returns ({} for none)
//	MENU(prompt, choices) → choice   TALK + SUGGEST + HEAR{choices=…}
//	SUGGEST(a, b, …)      show quick replies; SUGGEST{…} too; SUGGEST() clears
//	TYPING([seconds])     show the typing indicator (and pause, at most 10 s)
//	SET(key, value)       remember a value (JSON; nil forgets the key)
//	GET(key) → value      what SET stored, or nil
//	USER                  table: id, name, anonymous
//	NOW() → string        the time, RFC 3339 UTC, from the host
//	RANDOM(m, n) → int    an integer in [m, n], from the host
//	WAIT(seconds)         pause the script (at most 24 h; durable: a WAIT
//	                      pending at a restart fires at its deadline)
//	HTTP_GET(url) → body, status     a request to a host of bot.yaml's
//	                      http_allow; any status is returned, a refused or
//	                      failed request (not allowed, timed out, response
//	                      over 256 KiB) raises an error the script can pcall
//	HTTP_POST(url, body) → body, status   the same with a body: a string
//	                      (text/plain), a table (JSON) or nil; at most 64 KiB
//	LLM(prompt) → reply   ask the language model of bot.yaml's llm section
//	                      (else the server's --llm-base-url, --llm-model);
//	                      LLM{messages={{role=…, content=…}, …}, system=…,
//	                      prompt=…, model=…, temperature=0..2, max_tokens=N,
//	                      silent=true} takes a conversation (roles system,
//	                      user, assistant; system goes first, prompt last).
//	                      The reply streams to the conversation as it is
//	                      written and is then a bot message (silent: only
//	                      returned). A failed call (no endpoint, refused,
//	                      over the bot's limits, timed out) returns nil and
//	                      the error text: `local r, err = LLM(…)`
//	HISTORY([n]) → list   the last n messages of the conversation (default
//	                      10, at most 50), oldest first, each {role, content,
//	                      sender, name}: role "assistant" for the bot's,
//	                      "user" for the user's and people's (sender
//	                      "agent"), so LLM{messages=HISTORY(10)} works
//	LOG(…)                a log line tagged with bot, session, file and line
//	TRANSFER([reason]) → outcome   hand the conversation to people: it
//	                      enters the support queue (support status
//	                      waiting) and the script waits, durably, until an
//	                      agent resolves or closes it: {resolved=true,
//	                      agent=NAME, note=TEXT, status="resolved"|"closed"};
//	                      meanwhile user messages go to the people, not to
//	                      HEAR. TRANSFER{reason=…, timeout=SECONDS} returns
//	                      {resolved=false, reason="timeout", status="timeout"}
//	                      if nobody took it in time (at most 7 days)
//
// The standard library is a whitelist: of the base library only assert,
// error, getmetatable, ipairs, next, pairs, pcall, rawequal, rawget, rawset,
// select, setmetatable, tonumber, tostring, type, unpack, xpcall and _G;
// and the string, table and math libraries, less string.dump. getmetatable
// and setmetatable work on tables only; string.rep builds at most 1 MiB;
// string.format widths have at most two digits; math.random draws from the
// host (like RANDOM) and math.randomseed does nothing; tostring (and
// string.format's %s) names tables and functions "table: 1",
// "function: 2", … in the order the run first shows them, not by address.
//
// # Determinism: what makes a script replayable
//
// A dialog is durable because the runtime can run its script again from
// the top and reach the same place: during that replay the DialogHost
// answers every call from the journal of the first run (runtime/journal.go)
// and checks that the script asks the same things in the same order. So a
// script must do the same thing every time it is given the same inputs,
// and its only inputs are what the host gives it:
//
//   - the user's messages (HEAR, MENU, ATTACHMENTS: the journal keeps a
//     message's attachments with its text),
//   - the time: NOW(), and "today"/"tomorrow" in HEAR{as="date"} (the
//     host is asked for the date only when the answer is such a word),
//   - randomness: RANDOM and math.random,
//   - memory: GET,
//   - pauses: WAIT, and TYPING(seconds) (Typing, then Wait),
//   - handovers: what TRANSFER returned,
//   - the network: HTTP_GET and HTTP_POST (the status and body, or the
//     error, are journaled; a replay does not send the request again),
//   - language models: LLM (the reply or the error is journaled with a
//     hash of the request; a replay does not call the endpoint again),
//   - the conversation: HISTORY (the messages it returned are journaled),
//   - files: whether TALK's attachments could be sent (an error is
//     journaled; a replay reads, fetches and stores no file).
//
// Everything else a script can reach is pure Lua computation, which
// gopher-lua runs deterministically: arithmetic, strings, string patterns,
// table.sort (Go's sort.Sort, whose pattern breaking is seeded by the
// length, not by a random source), # and ipairs, and pairs/next (below).
// There is no os, io, coroutine or debug library, collectgarbage is gone,
// and gopher-lua has neither finalizers (__gc) nor weak tables (__mode),
// so garbage collection is invisible to a script.
//
// pairs and next are deterministic: in gopher-lua v1.1.2 LTable.Next
// (table.go) walks the array part in index order, then tb.keys, a slice
// to which RawSetString and RawSetH append a key the first time it is set
// (k2i remembers it; a key set to nil stays in place and is skipped, and
// setting it again keeps its first place). So the order is the order of
// first insertion, the same for the same sequence of assignments in every
// state. Two things in gopher-lua broke that and are fixed here: the
// standard library tables (_G, string, table, math) are filled from Go
// maps by RegisterModule (auxlib.go: "for fname, fn := range funcs"), in
// an order that changes from one state to the next, so the templates a
// state's tables are copies of (sandbox.go, templates) are filled from
// the library opened once, in sorted key order, then the keywords in
// sorted order (a copy shares its template's key order, and a key a
// script adds goes after them, as in any table); and
// tostring and
// string.format printed addresses ("table: 0xc000123456"), which differ
// between a run and its replay, so tables, functions and userdata are
// numbered in the order a run first shows them (the first 10000; later
// ones show as their type alone). Go code here never lets a script see a
// Go map's order either: LTable.ForEach walks Go maps, so HEAR's options
// and SET's tables are walked with Next, and JSON objects from GET become
// tables with their keys inserted in sorted order.
//
// Authors must not make a run depend on anything else, and cannot in
// practice: there is no clock, file, network or process to read but
// through the host. What they must not do:
//   - rely on how long a turn takes: a turn over the Lua time budget
//     fails, and how far it got is not repeatable (such a run ends and is
//     not replayed); a turn that needs nearly all of its budget may run
//     out of it in a replay on a busier machine;
//   - expect the conversations in progress to follow an edit of their
//     bot: a run keeps its version; a conversation takes the new one when
//     its dialog next starts from the top.
//
// LOG lines are not journaled: a replay writes them again.
//
// # Limits
//
// A turn may run Lua for Config.TurnTimeout (10 s); waiting in HEAR, and
// time in the DialogHost (WAIT and TYPING's pauses, HTTP requests, LLM
// calls, commits), does not count. Pattern matches (string.find, match, gmatch, gsub) count too:
// they run in Go, in a copy of gopher-lua's matcher that looks at the
// run's context every 1024 of its steps (patterns.go, internal/luapattern),
// so a backtracking pattern stops with the budget's error like a loop. Since host time is free, a turn may make at most 1000 host calls
// (TALK, SUGGEST, TYPING, GET, SET, NOW, RANDOM, WAIT, HTTP_GET,
// HTTP_POST, LLM, HISTORY, TRANSFER, math.random): a loop of TALK cannot flood a conversation or
// grow its journal for ever.
// The call stack holds 200 frames and the data stack 64 Ki slots.
// A run's Lua values may hold Config.MemoryBudget (16 MiB): the run walks
// what it can reach at safe points, `..`, gap-leaving stores and the
// string and table functions weigh what they build first, and a process
// sentinel asks long turns to walk (memory.go, docs/security.md). A
// dialog parked in HEAR holds its LState but no goroutine (unless the
// HEAR is inside pcall and the like, above); many parked dialogs still
// cost memory until the runtime evicts them.
package dialogs
