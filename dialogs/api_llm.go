package dialogs

import (
	"context"
	"errors"
	"fmt"
	"math"

	lua "github.com/yuin/gopher-lua"

	"parley/runtime"
)

// Limits of a prompt: LLM's request is journaled by a hash only, but it
// is built in Go and sent whole.
const (
	maxPromptBytes    = 256 << 10
	maxPromptMessages = 200
)

// llmOptions names what LLM's table takes, for the error of a bad key.
const llmOptions = "(messages, prompt, system, model, temperature, max_tokens, silent)"

// LLM(prompt) or LLM{messages=…, prompt=…, system=…, model=…,
// temperature=…, max_tokens=…, silent=…} → reply, or nil and the error.
func luaLLM(L *lua.LState) int {
	req := checkLLMRequest(L)
	reply, failed := threadOf(L).llm(req)
	if failed != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(failed.Message))
		return 2
	}
	L.Push(lua.LString(reply))
	return 1
}

// checkLLMRequest reads LLM's argument: a prompt, or a table whose
// messages (a list of {role, content}) get system before them and prompt
// after them.
func checkLLMRequest(L *lua.LState) runtime.LLMRequest {
	var req runtime.LLMRequest
	var system, prompt string
	switch v := L.Get(1).(type) {
	case lua.LString:
		prompt = string(v)
	case *lua.LTable:
		eachInOrder(v, func(k, v lua.LValue) {
			switch k {
			case lua.LString("messages"):
				req.Messages = checkLLMMessages(L, v)
			case lua.LString("prompt"):
				prompt = checkLLMString(L, "prompt", v)
			case lua.LString("system"):
				system = checkLLMString(L, "system", v)
			case lua.LString("model"):
				req.Model = checkLLMString(L, "model", v)
			case lua.LString("temperature"):
				req.Temperature = checkTemperature(L, v)
			case lua.LString("max_tokens"):
				req.MaxTokens = checkMaxTokens(L, v)
			case lua.LString("silent"):
				b, ok := v.(lua.LBool)
				if !ok {
					L.ArgError(1, "silent must be a boolean")
				}
				req.Silent = bool(b)
			default:
				L.ArgError(1, fmt.Sprintf("unknown option %s %s", describe(k), llmOptions))
			}
		})
	default:
		L.ArgError(1, "a prompt (string) or {messages=…, system=…, …} expected, got "+describe(v))
	}
	return finishLLMRequest(L, req, system, prompt)
}

func finishLLMRequest(L *lua.LState, req runtime.LLMRequest, system, prompt string) runtime.LLMRequest {
	if system != "" {
		req.Messages = append([]runtime.LLMMessage{{Role: runtime.LLMSystem, Content: system}}, req.Messages...)
	}
	if prompt != "" {
		req.Messages = append(req.Messages, runtime.LLMMessage{Role: runtime.LLMUser, Content: prompt})
	}
	size := 0
	for _, m := range req.Messages {
		size += len(m.Content)
	}
	switch {
	case len(req.Messages) == 0:
		L.ArgError(1, "the prompt is empty: give a prompt or messages")
	case len(req.Messages) > maxPromptMessages:
		L.ArgError(1, fmt.Sprintf("more than %d messages", maxPromptMessages))
	case size > maxPromptBytes:
		L.ArgError(1, fmt.Sprintf("the prompt is longer than %d bytes", maxPromptBytes))
	}
	return req
}

func checkLLMString(L *lua.LState, name string, v lua.LValue) string {
	s, ok := v.(lua.LString)
	if !ok {
		L.ArgError(1, name+" must be a string")
	}
	return string(s)
}

// checkLLMMessages reads a list of {role=…, content=…}; HISTORY's tables
// fit (their sender and name are not sent).
func checkLLMMessages(L *lua.LState, v lua.LValue) []runtime.LLMMessage {
	t, ok := v.(*lua.LTable)
	if !ok {
		L.ArgError(1, "messages must be a list of {role=…, content=…}")
	}
	n := t.Len()
	if n > maxPromptMessages {
		L.ArgError(1, fmt.Sprintf("more than %d messages", maxPromptMessages))
	}
	list := make([]runtime.LLMMessage, n)
	for i := range list {
		m, ok := t.RawGetInt(i + 1).(*lua.LTable)
		if !ok {
			L.ArgError(1, fmt.Sprintf("messages[%d] must be a table {role=…, content=…}", i+1))
		}
		role, _ := m.RawGetString("role").(lua.LString)
		content, ok := m.RawGetString("content").(lua.LString)
		switch role {
		case runtime.LLMSystem, runtime.LLMUser, runtime.LLMAssistant:
		default:
			L.ArgError(1, fmt.Sprintf("messages[%d].role must be system, user or assistant", i+1))
		}
		if !ok {
			L.ArgError(1, fmt.Sprintf("messages[%d].content must be a string", i+1))
		}
		list[i] = runtime.LLMMessage{Role: string(role), Content: string(content)}
	}
	return list
}

func checkTemperature(L *lua.LState, v lua.LValue) *float64 {
	n, ok := v.(lua.LNumber)
	if !ok || math.IsNaN(float64(n)) || n < 0 || n > 2 {
		L.ArgError(1, "temperature must be a number between 0 and 2")
	}
	f := float64(n)
	return &f
}

func checkMaxTokens(L *lua.LState, v lua.LValue) int {
	n, ok := v.(lua.LNumber)
	if !ok || n != lua.LNumber(math.Trunc(float64(n))) || n < 1 || n > 1<<20 {
		L.ArgError(1, "max_tokens must be a whole number between 1 and 1048576")
	}
	return int(n)
}

// llm asks the host for a reply. An *runtime.LLMError is the call's
// outcome, returned for the script; any other error is the host's and
// ends the run.
func (th *thread) llm(req runtime.LLMRequest) (reply string, failed *runtime.LLMError) {
	th.host(func(ctx context.Context) error {
		var err error
		reply, err = th.d.host.LLM(ctx, req)
		if errors.As(err, &failed) {
			return nil
		}
		return err
	})
	return reply, failed
}

// HISTORY([n]) → the last n messages (default 10, at most 50), oldest
// first, each {role=…, content=…, sender=…, name=…}.
func luaHistory(L *lua.LState) int {
	n := 10
	if L.Get(1) != lua.LNil {
		v := L.CheckNumber(1)
		if v != lua.LNumber(math.Trunc(float64(v))) || v < 1 || v > runtime.MaxHistory {
			L.ArgError(1, fmt.Sprintf("a whole number between 1 and %d expected", runtime.MaxHistory))
		}
		n = int(v)
	}
	list := threadOf(L).history(n)
	t := L.CreateTable(len(list), 0)
	for _, m := range list {
		e := L.CreateTable(0, 4)
		e.RawSetString("role", lua.LString(m.Role))
		e.RawSetString("content", lua.LString(m.Content))
		e.RawSetString("sender", lua.LString(m.Sender))
		e.RawSetString("name", lua.LString(m.Name))
		t.Append(e)
	}
	L.Push(t)
	return 1
}

func (th *thread) history(n int) []runtime.HistoryMessage {
	var list []runtime.HistoryMessage
	th.host(func(ctx context.Context) (err error) {
		list, err = th.d.host.History(ctx, n)
		return err
	})
	return list
}
