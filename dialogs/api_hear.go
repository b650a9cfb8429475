package dialogs

import (
	"context"
	"fmt"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"parley/runtime"
)

// hearOpts are HEAR's options.
type hearOpts struct {
	as      answerKind
	choices []string
	retry   string // "" = defaultRetry
}

// HEAR([{as=…, choices={…}, retry=…}]) → value
func luaHear(L *lua.LState) int {
	o := checkHearOpts(L, 1)
	return threadOf(L).listen(L, o, false)
}

// MENU(prompt, {choices}) → choice: TALK + SUGGEST + HEAR{choices=…}.
func luaMenu(L *lua.LState) int {
	prompt := L.CheckString(1)
	choices := checkStrings(L, 2, L.CheckTable(2))
	if len(choices) == 0 {
		L.ArgError(2, "MENU needs at least one choice")
	}
	th := threadOf(L)
	th.talk(prompt)
	th.suggest(choices)
	return th.listen(L, hearOpts{as: asText, choices: choices}, false)
}

// checkHearOpts reads HEAR's optional table. Unknown keys are errors: a
// misspelt "choises" would otherwise accept any answer without a word.
func checkHearOpts(L *lua.LState, arg int) hearOpts {
	o := hearOpts{as: asText}
	if L.Get(arg) == lua.LNil {
		return o
	}
	eachInOrder(L.CheckTable(arg), func(k, v lua.LValue) {
		switch k {
		case lua.LString("as"):
			o.as = checkKind(L, arg, v)
		case lua.LString("choices"):
			t, ok := v.(*lua.LTable)
			if !ok {
				L.ArgError(arg, "choices must be a list of strings")
			}
			o.choices = checkStrings(L, arg, t)
		case lua.LString("retry"):
			s, ok := v.(lua.LString)
			if !ok {
				L.ArgError(arg, "retry must be a string")
			}
			o.retry = string(s)
		default:
			L.ArgError(arg, fmt.Sprintf("unknown option %s (as, choices, retry)", describe(k)))
		}
	})
	if o.as.takesFile() && len(o.choices) > 0 {
		L.ArgError(arg, fmt.Sprintf("choices are answers in words: they do not go with as=%q", o.as))
	}
	return o
}

func checkKind(L *lua.LState, arg int, v lua.LValue) answerKind {
	if s, ok := v.(lua.LString); ok {
		switch k := answerKind(s); k {
		case asText, asNumber, asInteger, asBoolean, asEmail, asDate, asImage, asAudio, asVideo, asFile:
			return k
		}
	}
	L.ArgError(arg, fmt.Sprintf("as must be text, number, integer, boolean, email, date, image, audio, video or file, not %s", describe(v)))
	return ""
}

// eachInOrder calls f for each pair of t in the order pairs() gives them,
// which is the same in every run (doc.go, "Determinism"); LTable.ForEach
// walks Go maps, in an order that changes from one call to the next.
func eachInOrder(t *lua.LTable, f func(k, v lua.LValue)) {
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		f(k, v)
	}
}

func pushAnswer(L *lua.LState, v any) {
	switch v := v.(type) {
	case runtime.Attachment:
		L.Push(attachmentTable(L, v))
	case string:
		L.Push(lua.LString(v))
	case float64:
		L.Push(lua.LNumber(v))
	case int64:
		L.Push(lua.LNumber(v))
	case bool:
		L.Push(lua.LBool(v))
	default:
		L.Push(lua.LNil)
	}
}

// listen is HEAR's Go part (and MENU's): it takes the turn's message if
// the run has not heard it yet, else waits for the next, until an answer
// fits o, re-asking with the retry text (and the choices again, since the
// user's message cleared them); it pushes that answer. The host is asked
// for the date only when an answer is relative ("today"). The message
// taken last is the one ATTACHMENTS reads.
//
// Waiting yields L when it can (yield.go), so that no goroutine waits
// with it; answering is true when listen runs for the HEAR L yielded in
// (thread.answer), and then waiting returns no result instead.
func (th *thread) listen(L *lua.LState, o hearOpts, answering bool) int {
	for {
		m := th.input
		th.input = nil
		if m == nil {
			th.endTurn()
			switch {
			case answering:
				return 0
			case L.CallDepth() == 0:
				th.wants = o
				return L.Yield()
			}
			m = th.block()
		}
		th.heard = m
		if v, ok := o.accept(m, th.now); ok {
			pushAnswer(L, v)
			return 1
		}
		th.talk(o.retryText())
		if len(o.choices) > 0 {
			th.suggest(o.choices)
		}
	}
}

// accept checks an answer: an attachment of the kind asked for, or its
// text, first against the choices, then its shape.
func (o hearOpts) accept(m *runtime.Message, now func() time.Time) (any, bool) {
	if o.as.takesFile() {
		return pickAttachment(o.as, m.Attachments)
	}
	text := m.Content
	if len(o.choices) > 0 {
		c, ok := matchChoice(text, o.choices)
		if !ok {
			return nil, false
		}
		text = c
	}
	return parseAnswer(o.as, text, now)
}

// defaultRetry is what HEAR says when an answer does not fit and the
// script gave no retry text.
var defaultRetry = map[answerKind]string{
	asNumber:  "Please answer with a number.",
	asInteger: "Please answer with a whole number.",
	asBoolean: "Please answer yes or no.",
	asEmail:   "Please enter an email address, like name@example.com.",
	asDate:    "Please enter a date, like 2025-12-31 or 31/12/2025.",
	asImage:   "Please send a photo.",
	asAudio:   "Please send an audio recording.",
	asVideo:   "Please send a video.",
	asFile:    "Please send a file.",
}

func (o hearOpts) retryText() string {
	switch {
	case o.retry != "":
		return o.retry
	case len(o.choices) > 0:
		return "Please choose one of: " + strings.Join(o.choices, ", ") + "."
	}
	return defaultRetry[o.as]
}

// endTurn ends the turn before HEAR waits: a bot waiting for the user is
// not typing, and the wait does not count against the Lua time budget.
func (th *thread) endTurn() {
	th.hideTyping()
	th.finish()
	if th.run.Err() != nil { // stopped meanwhile: do not park a dead run
		th.L.RaiseError("%v", context.Cause(th.run))
	}
}

// block waits on the run's goroutine for the next turn's message, for a
// HEAR that cannot yield: the goroutine parks, and Step hands it the turn.
func (th *thread) block() *runtime.Message {
	for {
		t, ok := th.d.park(result{waiting: true})
		if !ok {
			th.L.RaiseError("the dialog was closed")
		}
		if t.input != nil {
			th.begin(t)
			return t.input
		}
	}
}
