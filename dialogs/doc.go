// Package dialogs is Parley's Lua engine: it implements
// runtime.DialogEngine with gopher-lua.
//
// # Where to start
//
// New (engine.go) loads every bot of a bots directory (load.go): bot.yaml
// is read and start.lua compiled once to a *lua.FunctionProto that all the
// bot's dialogs share. Check reports every problem of a bots directory with
// file:line, for `parley check`. NewDialog returns a dialog (dialog.go)
// whose Step runs the script until it waits in HEAR (api_hear.go).
//
// A run (run.go) executes the script once from its first line in a fresh
// sandboxed Lua state (sandbox.go). When the script returns or fails, the
// next Step starts another run from the top; only memory (SET/GET, kept by
// the DialogHost) survives.
//
// # Concurrency invariants
//
//   - Each live dialog has one goroutine and one *lua.LState, and only that
//     goroutine touches the state: an LState is not goroutine-safe.
//   - Step hands a turn to the dialog's goroutine and waits for the result,
//     so the caller and the script never work at the same time. The script
//     therefore calls the DialogHost only while Step runs.
//   - HEAR blocks in a select on the dialog's inbox and its lifetime
//     context; Close cancels that context and waits for the goroutine.
//   - Lua runs under L.SetContext(run): cancelling run (Close, the caller's
//     Step context, the time budget, a failed host call) stops the script
//     at its next instruction, and every later instruction too, so pcall
//     cannot swallow it.
//   - The compiled *lua.FunctionProto is read-only and shared between
//     states; nothing else is shared between dialogs.
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
//	TALK(text)            send a bot message (hides the typing indicator first)
//	HEAR([opts]) → value  wait for the next user message; opts.as = "text"
//	                      (default, exactly as sent), "number", "integer",
//	                      "boolean", "email", "date" (→ "YYYY-MM-DD");
//	                      opts.choices = allowed answers (case-insensitive,
//	                      returned as written in the list); opts.retry = what
//	                      to say when the answer does not fit (then HEAR again)
//	MENU(prompt, choices) → choice   TALK + SUGGEST + HEAR{choices=…}
//	SUGGEST(a, b, …)      show quick replies; SUGGEST{…} too; SUGGEST() clears
//	TYPING([seconds])     show the typing indicator (and pause, at most 10 s)
//	SET(key, value)       remember a value (JSON; nil forgets the key)
//	GET(key) → value      what SET stored, or nil
//	USER                  table: id, name, anonymous
//	NOW() → string        the time, RFC 3339 UTC
//	RANDOM(m, n) → int    an integer in [m, n]
//	WAIT(seconds)         pause the script (at most 24 h)
//	LOG(…)                a log line tagged with bot, session, file and line
//
// The standard library is a whitelist: of the base library only assert,
// error, getmetatable, ipairs, next, pairs, pcall, rawequal, rawget, rawset,
// select, setmetatable, tonumber, tostring, type, unpack, xpcall and _G;
// and the string, table and math libraries, less string.dump. getmetatable
// and setmetatable work on tables only; string.rep builds at most 1 MiB;
// string.format widths have at most two digits; math.random draws from the
// engine's source (like RANDOM) and math.randomseed does nothing.
//
// # Limits, and what a later security issue must add
//
// A turn may run Lua for Config.TurnTimeout (10 s); waiting in HEAR, WAIT
// and TYPING does not count. The call stack holds 200 frames and the data
// stack 64 Ki slots. gopher-lua has no memory accounting, so the 16 MiB
// memory budget of protocol §2 is not enforced yet. Still open:
//   - memory: s = s .. s, table.concat, string.gsub and ever-growing tables
//     allocate freely until the time budget ends the turn; a budget needs
//     allocation hooks in the VM, or a sampling of the heap per dialog;
//   - Go-side loops: a pathological pattern in string.find/match/gsub runs
//     in Go and is not interrupted by the context until it returns;
//   - one dialog's goroutine and LState are alive while it waits in HEAR;
//     many parked dialogs cost memory until the runtime evicts them.
package dialogs
