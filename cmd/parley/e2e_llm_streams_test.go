package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"parley/llm/llmtest"
)

// An LLM reply as it is written, on every channel at once: the
// conversation's SSE stream gets a stream event per chunk (the whole text
// so far), then the stored message; the streaming chat call that asked
// gets each new piece as a text event, then done and [DONE].
func TestLLMOverSSEAndStreamingChat(t *testing.T) {
	stub := llmtest.NewServer(t)
	stub.Reply(func(llmtest.Request) []string { return []string{"Parley ", "is ", "a bot ", "runtime."} })
	stub.Hold(true)
	s := mustStart(t, llmConfig(t, stub))
	tok := tokenFor(t, "lena")
	var c struct{ ID string }
	if st := api(t, s, "POST", "/api/conversations", tok, map[string]any{"bot_id": "assistant"}, &c); st != 201 {
		t.Fatalf("POST /api/conversations: %d", st)
	}
	events := mustSSE(t, s.URL(), "/api/conversations/"+c.ID+"/events?after=0", tok)
	events.expect("message", func(e sseEvent) bool { return e.frame.Sender == "bot" }) // the greeting

	chat := postSSE(t, s.URL()+"/api/bots/assistant/chat/stream", tok, `{"message":"What is Parley?","conversation_id":"`+c.ID+`"}`)
	text := func(want string) {
		t.Helper()
		if e := chat.next(); e.Data != `{"type":"text","content":"`+want+`"}` {
			t.Fatalf("chat stream: %q, want the text %q", e.Data, want)
		}
	}
	so := func(want string) {
		t.Helper()
		if e := events.expect("stream", nil); e.frame.Content != want || e.ID != "" {
			t.Fatalf("SSE stream event %s (id %q), want %q without an id", e.Data, e.ID, want)
		}
	}
	// The conversation's first user message: its answer includes the
	// greeting before it.
	text("Hi! I answer with a language model. Ask me anything.")
	so("Parley ")
	text("Parley ")
	for _, step := range []struct{ piece, whole string }{{"is ", "Parley is "}, {"a bot ", "Parley is a bot "}} {
		stub.Release(1)
		so(step.whole)
		text(step.piece)
	}
	stub.Release(1)
	if e := events.expect("message", func(e sseEvent) bool { return e.frame.Sender == "bot" }); e.frame.Content != "Parley is a bot runtime." || e.ID == "" {
		t.Fatalf("SSE final message %s (id %q)", e.Data, e.ID)
	}
	text("runtime.")
	if e := chat.next(); e.Data != `{"type":"done","content":""}` {
		t.Fatalf("chat stream: %q, want done", e.Data)
	}
	if e := chat.next(); e.Data != "[DONE]" {
		t.Fatalf("chat stream: %q, want [DONE]", e.Data)
	}
	if n := stub.Hits(); n != 1 {
		t.Errorf("%d calls to the model, want 1", n)
	}
}

// postSSE POSTs body and reads the answer as Server-Sent Events.
func postSSE(t *testing.T, url, token, body string) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "POST", url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		cancel()
		t.Fatalf("POST %s: %v %v", url, resp, err)
	}
	c := &sseClient{t: t, resp: resp, cancel: cancel, events: make(chan sseEvent, 4096)}
	go c.read()
	t.Cleanup(c.close)
	return c
}
