package llm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"parley/runtime"
)

// Config is the server's endpoint: what a bot without its own llm
// settings uses. The zero Config has no endpoint: every call fails with
// runtime.ErrNoLLM.
type Config struct {
	BaseURL string // e.g. https://api.openai.com/v1 or http://localhost:11434/v1
	Model   string
	APIKey  string
	// Timeout bounds one call, from the request to the last token
	// (default 60s); a bot's llm.timeout replaces it.
	Timeout time.Duration
	// HTTPClient makes the requests (default: a client of its own).
	HTTPClient *http.Client
	// Now is the clock of the calls-per-minute limit (default time.Now).
	Now func() time.Time
}

// Client implements runtime.LLM. It is safe for concurrent use.
type Client struct {
	cfg    Config
	limits *limits
}

var _ runtime.LLM = (*Client)(nil)

// New returns a Client for cfg.
func New(cfg Config) *Client {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 60 * time.Second
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Client{cfg: cfg, limits: newLimits(cfg.Now)}
}

// call is one call's settings, the bot's over the server's.
type call struct {
	baseURL, model, key string
	maxTokens           int
	timeout             time.Duration
}

// settings resolves the endpoint of a call; a missing one is an error
// that says what to configure.
func (c *Client) settings(bot *runtime.Bot, req runtime.LLMRequest) (call, error) {
	b := bot.LLM
	s := call{baseURL: first(b.BaseURL, c.cfg.BaseURL), model: first(req.Model, b.Model, c.cfg.Model),
		key: c.cfg.APIKey, maxTokens: req.MaxTokens, timeout: c.cfg.Timeout}
	if b.MaxTokens > 0 && (s.maxTokens == 0 || s.maxTokens > b.MaxTokens) {
		s.maxTokens = b.MaxTokens
	}
	if b.Timeout > 0 {
		s.timeout = b.Timeout
	}
	switch {
	case s.baseURL == "":
		return s, &runtime.LLMError{Message: runtime.ErrNoLLM}
	case s.model == "":
		return s, &runtime.LLMError{Message: "no LLM model is configured (--llm-model, or llm.model in bot.yaml)"}
	}
	if b.APIKeyEnv != "" {
		if s.key = os.Getenv(b.APIKeyEnv); s.key == "" {
			return s, &runtime.LLMError{Message: fmt.Sprintf("LLM: the environment variable %s (llm.api_key_env in bot.yaml) is not set", b.APIKeyEnv)}
		}
	}
	return s, nil
}

func first(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// Complete streams a chat completion, calling partial with the text so
// far as it grows.
func (c *Client) Complete(ctx context.Context, bot *runtime.Bot, req runtime.LLMRequest, partial func(string)) (string, error) {
	s, err := c.settings(bot, req)
	if err != nil {
		return "", err
	}
	if err := c.limits.take(bot.ID, bot.LLM.CallsPerMinute); err != nil {
		return "", err
	}
	callCtx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	text, err := c.stream(callCtx, s, req, partial)
	switch {
	case err == nil:
		return text, nil
	case ctx.Err() != nil:
		return "", ctx.Err() // the run was stopped: not the script's
	case callCtx.Err() != nil:
		return "", &runtime.LLMError{Message: fmt.Sprintf("LLM: no complete reply within %v", s.timeout)}
	}
	return "", describe(err)
}

// stream makes the request and reads the reply's chunks.
func (c *Client) stream(ctx context.Context, s call, req runtime.LLMRequest, partial func(string)) (string, error) {
	client := openai.NewClient(
		option.WithBaseURL(s.baseURL), option.WithAPIKey(s.key),
		option.WithHTTPClient(c.cfg.HTTPClient), option.WithMaxRetries(0),
	)
	st := client.Chat.Completions.NewStreaming(ctx, params(s, req))
	defer st.Close()
	var b strings.Builder
	for st.Next() {
		chunk := st.Current()
		if len(chunk.Choices) == 0 || chunk.Choices[0].Delta.Content == "" {
			continue
		}
		b.WriteString(chunk.Choices[0].Delta.Content)
		if b.Len() > runtime.MaxContentLen {
			return "", &runtime.LLMError{Message: fmt.Sprintf("LLM: the reply is longer than %d bytes", runtime.MaxContentLen)}
		}
		if partial != nil {
			partial(b.String())
		}
	}
	return b.String(), st.Err()
}

func params(s call, req runtime.LLMRequest) openai.ChatCompletionNewParams {
	p := openai.ChatCompletionNewParams{Model: s.model}
	for _, m := range req.Messages {
		switch m.Role {
		case runtime.LLMSystem:
			p.Messages = append(p.Messages, openai.SystemMessage(m.Content))
		case runtime.LLMAssistant:
			p.Messages = append(p.Messages, openai.AssistantMessage(m.Content))
		default:
			p.Messages = append(p.Messages, openai.UserMessage(m.Content))
		}
	}
	if req.Temperature != nil {
		p.Temperature = openai.Float(*req.Temperature)
	}
	if s.maxTokens > 0 {
		p.MaxTokens = openai.Int(int64(s.maxTokens))
	}
	return p
}

// describe turns a failed request into what the script sees: the status
// and the endpoint's message, or why it could not be reached.
func describe(err error) error {
	var le *runtime.LLMError
	if errors.As(err, &le) {
		return le
	}
	var ae *openai.Error
	if errors.As(err, &ae) {
		msg := fmt.Sprintf("LLM: the endpoint answered %d %s", ae.StatusCode, http.StatusText(ae.StatusCode))
		if ae.Message != "" {
			msg += ": " + clip(ae.Message, 200)
		}
		return &runtime.LLMError{Message: msg}
	}
	return &runtime.LLMError{Message: "LLM: " + clip(err.Error(), 300)}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
