package llm_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"parley/llm"
	"parley/llm/llmtest"
	"parley/runtime"
)

var bot = &runtime.Bot{ID: "b"}

func ask(content string) runtime.LLMRequest {
	return runtime.LLMRequest{Messages: []runtime.LLMMessage{{Role: runtime.LLMSystem, Content: "be brief"}, {Role: runtime.LLMUser, Content: content}}}
}

// llmError returns the message of an *runtime.LLMError, failing otherwise.
func llmError(t *testing.T, err error) string {
	t.Helper()
	var le *runtime.LLMError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v, want an *runtime.LLMError", err)
	}
	return le.Message
}

// The reply streams: partial sees the text grow chunk by chunk, and the
// request carries the prompt, model, key and options.
func TestComplete(t *testing.T) {
	t.Parallel()
	stub := llmtest.NewServer(t)
	c := llm.New(llm.Config{BaseURL: stub.BaseURL(), Model: "m-server", APIKey: "sk-test"})
	var seen []string
	temp := 0.3
	req := ask("hello there")
	req.Temperature, req.MaxTokens = &temp, 99
	text, err := c.Complete(context.Background(), bot, req, func(s string) { seen = append(seen, s) })
	if err != nil || text != "You said: hello there" {
		t.Fatalf("Complete = %q, %v", text, err)
	}
	if got := strings.Join(seen, "|"); got != "You |You said: |You said: hello |You said: hello there" {
		t.Errorf("partials %s", got)
	}
	r := stub.Requests()[0]
	if r.Model != "m-server" || r.Auth != "Bearer sk-test" || !r.Stream || r.MaxTokens != 99 || r.Temperature == nil || *r.Temperature != 0.3 ||
		len(r.Messages) != 2 || r.Messages[0] != (llmtest.Message{Role: "system", Content: "be brief"}) {
		t.Errorf("request %+v", r)
	}
}

// A bot's llm section replaces the server's endpoint, model and key, and
// caps max_tokens; a script's model replaces both.
func TestBotSettings(t *testing.T) {
	stub := llmtest.NewServer(t)
	t.Setenv("PARLEY_TEST_BOT_KEY", "sk-bot")
	c := llm.New(llm.Config{BaseURL: "http://127.0.0.1:1/v1", Model: "m-server", APIKey: "sk-server"})
	b := &runtime.Bot{ID: "b", LLM: runtime.BotLLM{BaseURL: stub.BaseURL(), Model: "m-bot", APIKeyEnv: "PARLEY_TEST_BOT_KEY", MaxTokens: 10}}
	req := ask("x")
	req.MaxTokens = 500
	if _, err := c.Complete(context.Background(), b, req, nil); err != nil {
		t.Fatal(err)
	}
	req.Model, req.MaxTokens = "m-script", 5
	if _, err := c.Complete(context.Background(), b, req, nil); err != nil {
		t.Fatal(err)
	}
	rs := stub.Requests()
	if rs[0].Model != "m-bot" || rs[0].Auth != "Bearer sk-bot" || rs[0].MaxTokens != 10 || rs[1].Model != "m-script" || rs[1].MaxTokens != 5 {
		t.Errorf("requests %+v", rs)
	}
	b.LLM.APIKeyEnv = "PARLEY_TEST_UNSET_KEY"
	_, err := c.Complete(context.Background(), b, req, nil)
	if msg := llmError(t, err); !strings.Contains(msg, "PARLEY_TEST_UNSET_KEY") {
		t.Errorf("unset key: %s", msg)
	}
}

// What a script sees of each failure.
func TestErrors(t *testing.T) {
	t.Parallel()
	stub := llmtest.NewServer(t)
	ctx := context.Background()
	_, err := llm.New(llm.Config{}).Complete(ctx, bot, ask("x"), nil)
	if msg := llmError(t, err); msg != runtime.ErrNoLLM {
		t.Errorf("no endpoint: %s", msg)
	}
	_, err = llm.New(llm.Config{BaseURL: stub.BaseURL()}).Complete(ctx, bot, ask("x"), nil)
	if msg := llmError(t, err); !strings.HasPrefix(msg, "no LLM model is configured") {
		t.Errorf("no model: %s", msg)
	}

	c := llm.New(llm.Config{BaseURL: stub.BaseURL(), Model: "m", Timeout: 200 * time.Millisecond})
	stub.Fail(500, "the model is on fire")
	_, err = c.Complete(ctx, bot, ask("x"), nil)
	if msg := llmError(t, err); msg != "LLM: the endpoint answered 500 Internal Server Error: the model is on fire" {
		t.Errorf("500: %s", msg)
	}
	if n := stub.Hits(); n != 1 {
		t.Errorf("%d hits for one failed call: the client retried", n)
	}
	stub.Fail(0, "")

	stub.Hold(true) // the first chunk comes, the rest never does
	var partial string
	_, err = c.Complete(ctx, bot, ask("x"), func(s string) { partial = s })
	if msg := llmError(t, err); msg != "LLM: no complete reply within 200ms" || partial != "You " {
		t.Errorf("stalled: %s (partial %q)", msg, partial)
	}

	// The caller's own end is not the script's: ctx's error, as it is.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Complete(cctx, bot, ask("x"), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}

	_, err = llm.New(llm.Config{BaseURL: "http://127.0.0.1:1/v1", Model: "m"}).Complete(ctx, bot, ask("x"), nil)
	if msg := llmError(t, err); !strings.HasPrefix(msg, "LLM: ") || !strings.Contains(msg, "127.0.0.1:1") {
		t.Errorf("unreachable: %s", msg)
	}
}

// calls_per_minute: a bot's calls beyond it within a minute are refused
// without reaching the endpoint; other bots are not affected.
func TestCallsPerMinute(t *testing.T) {
	t.Parallel()
	stub := llmtest.NewServer(t)
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	c := llm.New(llm.Config{BaseURL: stub.BaseURL(), Model: "m", Now: func() time.Time { return now }})
	limited := &runtime.Bot{ID: "lim", LLM: runtime.BotLLM{CallsPerMinute: 2}}
	ctx := context.Background()
	for range 2 {
		if _, err := c.Complete(ctx, limited, ask("x"), nil); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.Complete(ctx, limited, ask("x"), nil)
	if msg := llmError(t, err); msg != "LLM: this bot's limit of 2 calls a minute is reached; try again in 60s" {
		t.Errorf("over the limit: %s", msg)
	}
	if _, err := c.Complete(ctx, bot, ask("x"), nil); err != nil {
		t.Errorf("another bot: %v", err)
	}
	now = now.Add(time.Minute)
	if _, err := c.Complete(ctx, limited, ask("x"), nil); err != nil {
		t.Errorf("a minute later: %v", err)
	}
	if n := stub.Hits(); n != 4 {
		t.Errorf("%d hits, want 4", n)
	}
}
