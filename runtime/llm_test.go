package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"parley/runtime"
)

// fakeLLM answers with chunks, each given to partial as the text so far;
// with gate set, every chunk after the first waits for a receive on it.
type fakeLLM struct {
	chunks []string
	gate   chan struct{}
	err    error // returned after the chunks
	calls  atomic.Int64

	mu   sync.Mutex
	reqs []runtime.LLMRequest
}

func (f *fakeLLM) Complete(ctx context.Context, bot *runtime.Bot, req runtime.LLMRequest, partial func(string)) (string, error) {
	f.calls.Add(1)
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()
	text := ""
	for i, c := range f.chunks {
		if i > 0 && f.gate != nil {
			select {
			case <-f.gate:
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
		text += c
		partial(text)
	}
	if f.err != nil {
		return "", f.err
	}
	return text, nil
}

// askLLM asks the model about each user message, with the conversation so
// far, and says the error when the call fails.
func askLLM(ctx context.Context, h runtime.DialogHost, in *runtime.Message) error {
	if in == nil {
		return nil
	}
	hist, err := h.History(ctx, 5)
	if err != nil {
		return err
	}
	msgs := make([]runtime.LLMMessage, len(hist))
	for i, m := range hist {
		msgs[i] = runtime.LLMMessage{Role: m.Role, Content: m.Content}
	}
	_, err = h.LLM(ctx, runtime.LLMRequest{Messages: msgs})
	if le := (*runtime.LLMError)(nil); errors.As(err, &le) {
		return h.Talk(ctx, "error: "+le.Message)
	}
	return err
}

// The reply streams as it is written, under the ID of the message that
// then replaces it; only that message is stored. A replay gives the
// dialog the reply without calling the model again, and the prompt had
// the conversation (HISTORY) in it.
func TestLLMStreamsAndJournals(t *testing.T) {
	llm := &fakeLLM{chunks: []string{"Hel", "lo", "!"}, gate: make(chan struct{})}
	h := newHub(t, askLLM, runtime.Config{LLM: llm})
	sub := h.join(t, alice, runtime.JoinRequest{})
	h.send(t, alice, sub.Session.ID, "hi")
	expectMessage(t, sub, runtime.SenderUser, "hi")
	first := nextEvent(t, sub)
	if first.Type != runtime.EventStream || first.Message.Content != "Hel" || first.Message.ID == "" || first.Message.Seq != 0 {
		t.Fatalf("first event %s %+v, want a stream of \"Hel\" with an id and no seq", describe(first), first.Message)
	}
	id := first.Message.ID
	llm.gate <- struct{}{}
	llm.gate <- struct{}{}
	var final *runtime.Event
	for final == nil {
		e := nextEvent(t, sub)
		switch {
		case e.Type == runtime.EventStream && e.Message.ID == id && strings.HasPrefix("Hello!", e.Message.Content):
		case e.Type == runtime.EventMessage:
			final = e
		default:
			t.Fatalf("event %s %+v during the stream", describe(e), e.Message)
		}
	}
	if m := final.Message; m.ID != id || m.Content != "Hello!" || m.Seq != 2 || string(m.Metadata) != `{"automated":true}` {
		t.Fatalf("final message %+v, want Hello! with the stream's id, seq 2, automated", m)
	}
	expectQuiet(t, sub)
	if got := contents(h.stored(t, sub.Session.ID)); got != "hi|Hello!" {
		t.Fatalf("stored %s, want hi|Hello!", got)
	}

	if err := h.Reload(context.Background(), sub.Session.ID); err != nil {
		t.Fatal(err)
	}
	expectQuiet(t, sub)
	if n := llm.calls.Load(); n != 1 {
		t.Fatalf("%d calls after the replay, want 1", n)
	}
	llm.gate = nil
	h.send(t, alice, sub.Session.ID, "more")
	expectMessage(t, sub, runtime.SenderUser, "more")
	for e := nextEvent(t, sub); e.Type != runtime.EventMessage; e = nextEvent(t, sub) {
	}
	if n := llm.calls.Load(); n != 2 {
		t.Fatalf("%d calls, want 2", n)
	}
	want := "user: hi | assistant: Hello! | user: more"
	if got := prompt(llm.reqs[1]); got != want {
		t.Fatalf("second prompt %q, want %q", got, want)
	}
}

// A failed call is the script's: an *LLMError, journaled, so that a replay
// fails alike without calling. What was streamed of it is taken back (a
// stream with no text), and nothing of it is stored.
func TestLLMErrors(t *testing.T) {
	llm := &fakeLLM{chunks: []string{"par"}, err: &runtime.LLMError{Message: "LLM: timed out"}}
	h := newHub(t, askLLM, runtime.Config{LLM: llm})
	sub := h.join(t, alice, runtime.JoinRequest{})
	h.send(t, alice, sub.Session.ID, "hi")
	expectEvents(t, sub, "message user hi", "stream", "stream", "message bot error: LLM: timed out")
	if got := contents(h.stored(t, sub.Session.ID)); got != "hi|error: LLM: timed out" {
		t.Fatalf("stored %s", got)
	}
	if err := h.Reload(context.Background(), sub.Session.ID); err != nil {
		t.Fatal(err)
	}
	if n := llm.calls.Load(); n != 1 {
		t.Fatalf("%d calls after the replay, want 1", n)
	}
	h.send(t, alice, sub.Session.ID, "again")
	expectEvents(t, sub, "message user again", "stream", "stream", "message bot error: LLM: timed out")
	if n := llm.calls.Load(); n != 2 {
		t.Fatalf("%d calls, want 2", n)
	}

	// A hub without an LLM says so to the script.
	bare := newHub(t, askLLM, runtime.Config{})
	sub = bare.join(t, alice, runtime.JoinRequest{})
	bare.send(t, alice, sub.Session.ID, "hi")
	expectEvents(t, sub, "message user hi", "message bot error: "+runtime.ErrNoLLM)
}

// Silent calls return the reply to the script only.
func TestLLMSilent(t *testing.T) {
	llm := &fakeLLM{chunks: []string{"yes"}}
	h := newHub(t, func(ctx context.Context, h runtime.DialogHost, in *runtime.Message) error {
		if in == nil {
			return nil
		}
		reply, err := h.LLM(ctx, runtime.LLMRequest{Messages: []runtime.LLMMessage{{Role: "user", Content: in.Content}}, Silent: true})
		if err != nil {
			return err
		}
		return h.Talk(ctx, fmt.Sprintf("the model said %q", reply))
	}, runtime.Config{LLM: llm})
	sub := h.join(t, alice, runtime.JoinRequest{})
	h.send(t, alice, sub.Session.ID, "ok?")
	expectEvents(t, sub, "message user ok?", `message bot the model said "yes"`)
}

func contents(msgs []*runtime.Message) string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Content)
	}
	return strings.Join(out, "|")
}

func prompt(req runtime.LLMRequest) string {
	var out []string
	for _, m := range req.Messages {
		out = append(out, m.Role+": "+m.Content)
	}
	return strings.Join(out, " | ")
}
