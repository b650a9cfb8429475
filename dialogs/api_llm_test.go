package dialogs_test

import (
	"strings"
	"testing"

	"parley/runtime"
)

// TestLLMKeywords: what LLM and HISTORY ask of the host and give the
// script. A failed call is nil and the error, which a script can test;
// bad arguments are Lua errors.
func TestLLMKeywords(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, sourceFS(`
		TALK(LLM("hello"))
		TALK(LLM{system = "be brief", messages = {{role = "user", content = "a"}, {role = "assistant", content = "b"}},
			prompt = "c", model = "m1", temperature = 0.2, max_tokens = 50})
		TALK(LLM{prompt = "quiet", silent = true})
		local reply, err = LLM("fail")
		TALK(tostring(reply) .. " / " .. err)
		local h = HISTORY(2)
		TALK(#h .. " " .. h[1].role .. " " .. h[1].content .. " " .. h[2].sender .. " " .. h[2].name)
		TALK(LLM{messages = HISTORY()})
		for _, bad in ipairs({
			{}, {prompt = 1}, {promt = "x"}, {messages = {{role = "agent", content = "x"}}},
			{messages = {{role = "user"}}}, {prompt = "x", temperature = 3}, {prompt = "x", max_tokens = 0.5},
			{prompt = "x", silent = "yes"},
		}) do
			local ok, e = pcall(LLM, bad)
			TALK(e)
		end
		local ok, e = pcall(LLM)
		TALK(e)
		ok, e = pcall(HISTORY, 51)
		TALK(e)
		HEAR()
		TALK(LLM("fail") .. "!")`)), "t", nil)
	c.host.llm = func(req runtime.LLMRequest) (string, error) {
		if last := req.Messages[len(req.Messages)-1].Content; last == "fail" {
			return "", &runtime.LLMError{Message: "LLM: the endpoint answered 500"}
		}
		return "reply " + req.Messages[len(req.Messages)-1].Content, nil
	}
	c.host.history = []runtime.HistoryMessage{
		{Role: runtime.LLMUser, Content: "old", Sender: runtime.SenderUser},
		{Role: runtime.LLMAssistant, Content: "hi", Sender: runtime.SenderBot},
		{Role: runtime.LLMUser, Content: "help", Sender: runtime.SenderAgent, Name: "Ann"},
	}
	c.begin(
		"llm: user: hello",
		"talk: reply hello",
		"llm: system: be brief | user: a | assistant: b | user: c [model m1] [temperature 0.2] [max_tokens 50]",
		"talk: reply c",
		"llm: user: quiet [silent]",
		"talk: reply quiet",
		"llm: user: fail",
		"talk: nil / LLM: the endpoint answered 500",
		"history: 2",
		"talk: 2 assistant hi agent Ann",
		"history: 10",
		"llm: user: old | assistant: hi | user: help",
		"talk: reply help",
		"talk: start.lua:16: bad argument #1 to (anonymous) (the prompt is empty: give a prompt or messages)",
		"talk: start.lua:16: bad argument #1 to (anonymous) (prompt must be a string)",
		`talk: start.lua:16: bad argument #1 to (anonymous) (unknown option "promt" (messages, prompt, system, model, temperature, max_tokens, silent))`,
		"talk: start.lua:16: bad argument #1 to (anonymous) (messages[1].role must be system, user or assistant)",
		"talk: start.lua:16: bad argument #1 to (anonymous) (messages[1].content must be a string)",
		"talk: start.lua:16: bad argument #1 to (anonymous) (temperature must be a number between 0 and 2)",
		"talk: start.lua:16: bad argument #1 to (anonymous) (max_tokens must be a whole number between 1 and 1048576)",
		"talk: start.lua:16: bad argument #1 to (anonymous) (silent must be a boolean)",
		"talk: start.lua:19: bad argument #1 to (anonymous) (a prompt (string) or {messages=…, system=…, …} expected, got a nil)",
		"talk: start.lua:21: bad argument #1 to (anonymous) (a whole number between 1 and 50 expected)",
	)
	// A script that uses the nil of a failed call fails: dialog_error.
	if err := c.step("go"); !runtime.IsKind(err, runtime.KindDialog) || !strings.Contains(err.Error(), "start.lua:24: cannot perform concat operation between nil and string") {
		t.Errorf("Step = %v, want a dialog error at start.lua:24", err)
	}
	c.expect("llm: user: fail")
}
