package runtime

import (
	"context"
	"time"
)

// Language models from scripts: LLM reaches the DialogHost's LLM, which
// asks the Hub's LLM client for a chat completion, live, streams the reply
// to the conversation as EventStream events while it is written, and
// journals the outcome (host_llm.go). Talking to an endpoint (the
// OpenAI-compatible protocol, keys, limits per bot) is the client's
// business: package llm has the one Parley uses.

// LLMMessage is one message of a prompt, as chat completions take it.
type LLMMessage struct {
	Role    string `json:"role"` // LLMSystem, LLMUser or LLMAssistant
	Content string `json:"content"`
}

// Roles of an LLMMessage.
const (
	LLMSystem    = "system"
	LLMUser      = "user"
	LLMAssistant = "assistant"
)

// LLMRequest is what a script asks of LLM.
type LLMRequest struct {
	Messages    []LLMMessage
	Model       string   // "": the bot's model, else the server's
	Temperature *float64 // nil: the endpoint's default
	MaxTokens   int      // 0: the bot's max_tokens, if any
	// Silent: the reply is returned to the script only; it is neither
	// streamed nor stored as a message.
	Silent bool
}

// LLMError is a call that failed (no endpoint configured, refused by the
// endpoint, over the bot's limits, timed out, cut off). It is the
// script's to handle, as LLM's nil, err: the host returns it, journaled
// like a reply, so that a replay fails the same way.
type LLMError struct{ Message string }

func (e *LLMError) Error() string { return e.Message }

// BotLLM is the llm section of a bot's bot.yaml: the bot's own endpoint
// and model, which replace the server's, and its limits. Zero fields take
// the server's settings (or mean no limit).
type BotLLM struct {
	BaseURL string
	Model   string
	// APIKeyEnv names the environment variable holding the bot's API key
	// (a key is a secret: it does not go in a bot folder).
	APIKeyEnv      string
	MaxTokens      int           // the most tokens a reply may have
	CallsPerMinute int           // the most calls of the bot, all its conversations together
	Timeout        time.Duration // the most one call may take
}

// LLM makes the chat completions of scripts. partial is called, on the
// goroutine that called Complete, with the whole reply so far each time
// it grows. Every error is an *LLMError, which the script sees, except
// ctx's own when it ends first (the run was stopped: nothing a replay
// must know).
type LLM interface {
	Complete(ctx context.Context, bot *Bot, req LLMRequest, partial func(text string)) (string, error)
}

// ErrNoLLM is the message of every call on a server without an endpoint.
const ErrNoLLM = "no LLM endpoint is configured (--llm-base-url)"

// noLLM is the LLM of a Hub configured without one.
type noLLM struct{}

func (noLLM) Complete(context.Context, *Bot, LLMRequest, func(string)) (string, error) {
	return "", &LLMError{Message: ErrNoLLM}
}

// HistoryMessage is one message of the conversation as HISTORY gives it
// for a prompt: Role is LLMUser for the user's and people's messages and
// LLMAssistant for the bot's; Sender tells people (SenderAgent) from the
// user, Name is who wrote it ("" for the bot).
type HistoryMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
	Sender  Sender `json:"sender"`
	Name    string `json:"name,omitempty"`
}

// MaxHistory bounds HISTORY(n): its answer is journaled whole.
const MaxHistory = 50
