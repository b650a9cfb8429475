package dialogs

import (
	"context"
	"errors"
	"time"

	lua "github.com/yuin/gopher-lua"

	"parley/runtime"
)

// Limits on what a script sends, so that one bot cannot flood a client.
const (
	maxTalk       = 64 << 10 // bytes of one TALK
	maxSuggestion = 256      // bytes of one quick reply
	maxSuggests   = 20       // quick replies at once
	maxTyping     = 10 * time.Second
)

// TALK(text) or TALK{text=…, attachments={…}}
func luaTalk(L *lua.LState) int {
	if t, ok := L.Get(1).(*lua.LTable); ok {
		th := threadOf(L)
		text, files := checkTalkTable(L, th, t)
		th.talkFiles(text, files)
		return 0
	}
	threadOf(L).talk(L.CheckString(1))
	return 0
}

// SUGGEST(a, b, …) or SUGGEST{a, b, …}; no argument clears.
func luaSuggest(L *lua.LState) int {
	var list []string
	if t, ok := L.Get(1).(*lua.LTable); ok && L.GetTop() == 1 {
		list = checkStrings(L, 1, t)
	} else {
		for i := 1; i <= L.GetTop(); i++ {
			list = append(list, L.CheckString(i))
		}
	}
	if len(list) > maxSuggests {
		L.ArgError(1, "at most 20 suggestions")
	}
	for _, s := range list {
		if len(s) > maxSuggestion || s == "" {
			L.ArgError(1, "a suggestion must have 1 to 256 bytes")
		}
	}
	threadOf(L).suggest(list)
	return 0
}

// TYPING([seconds])
func luaTyping(L *lua.LState) int {
	secs := checkSeconds(L, 1, 0)
	threadOf(L).showTyping(min(secs, maxTyping))
	return 0
}

// checkStrings reads a list of strings (numbers become strings, as Lua's
// own string functions do).
func checkStrings(L *lua.LState, arg int, t *lua.LTable) []string {
	list := make([]string, 0, t.Len())
	for i := 1; i <= t.Len(); i++ {
		switch v := t.RawGetInt(i).(type) {
		case lua.LString, lua.LNumber:
			list = append(list, lua.LVAsString(v))
		default:
			L.ArgError(arg, "the list must hold strings only, found "+v.Type().String())
		}
	}
	return list
}

// talk sends a bot message; the typing indicator goes first. An empty text
// sends nothing: an empty bottle is not a message.
func (th *thread) talk(text string) {
	if text == "" {
		return
	}
	if len(text) > maxTalk {
		th.L.RaiseError("TALK: text longer than %d bytes", maxTalk)
	}
	th.hideTyping()
	th.host(func(ctx context.Context) error { return th.d.host.Talk(ctx, text) })
}

// talkFiles sends a bot message with files (the text may be empty);
// without files it is talk. Files the host could not send raise an error
// the script can pcall: nothing of that TALK was sent.
func (th *thread) talkFiles(text string, files []runtime.BotFile) {
	if len(files) == 0 {
		th.talk(text)
		return
	}
	if len(text) > maxTalk {
		th.L.RaiseError("TALK: text longer than %d bytes", maxTalk)
	}
	th.hideTyping()
	var refused error
	th.host(func(ctx context.Context) error {
		err := th.d.host.TalkFiles(ctx, text, files)
		if te := (*runtime.TalkError)(nil); errors.As(err, &te) {
			refused = te
			return nil
		}
		return err
	})
	if refused != nil {
		th.L.RaiseError("TALK: %v", refused)
	}
}

func (th *thread) suggest(list []string) {
	th.host(func(ctx context.Context) error { return th.d.host.Suggest(ctx, list) })
}

// showTyping shows the indicator (once) and, with d > 0, lets it show for
// that long before the script goes on: a WAIT of the host.
func (th *thread) showTyping(d time.Duration) {
	if !th.typing {
		th.typing = true
		th.host(func(ctx context.Context) error { return th.d.host.Typing(ctx, true) })
	}
	th.wait(d)
}

// hideTyping clears the indicator if it shows.
func (th *thread) hideTyping() {
	if th.typing {
		th.typing = false
		th.host(func(ctx context.Context) error { return th.d.host.Typing(ctx, false) })
	}
}
