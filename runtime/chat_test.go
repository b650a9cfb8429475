package runtime_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"parley/runtime"
)

// chatty greets, streams its answer to "stream" as an LLM reply would,
// holds its answer to "hold" until the test lets go, and echoes the rest.
func chatty(release <-chan struct{}) stepFunc {
	return func(ctx context.Context, h runtime.DialogHost, in *runtime.Message) error {
		switch {
		case in == nil:
			return h.Talk(ctx, "hello")
		case in.Content == "stream":
			for _, so := range []string{"Hel", "Hello, w", "Hello, world"} {
				if err := runtime.StreamForTest(ctx, h, "L-"+in.ID, so); err != nil {
					return err
				}
			}
			if err := runtime.TalkIDForTest(ctx, h, "L-"+in.ID, "Hello, world!"); err != nil {
				return err
			}
			return h.Talk(ctx, "bye")
		case in.Content == "rewrite":
			if err := runtime.StreamForTest(ctx, h, "R", "abc"); err != nil {
				return err
			}
			return runtime.TalkIDForTest(ctx, h, "R", "xyz")
		case in.Content == "hold":
			if err := runtime.TalkIDForTest(ctx, h, "part-"+in.ID, "part 1"); err != nil {
				return err
			}
			<-release
			return h.Talk(ctx, "part 2")
		}
		return h.Talk(ctx, "echo: "+in.Content)
	}
}

func chat(t *testing.T, h *testHub, id runtime.Identity, req runtime.ChatRequest) *runtime.Turn {
	t.Helper()
	turn, err := h.Chat(context.Background(), id, req)
	if err != nil {
		t.Fatalf("Chat(%+v): %v", req, err)
	}
	t.Cleanup(turn.Close)
	return turn
}

// answer waits for the turn and returns its stored answer, joined by |.
func answer(t *testing.T, turn *runtime.Turn) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := turn.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	msgs, err := turn.Reply(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, m := range msgs {
		texts = append(texts, m.Content)
	}
	return strings.Join(texts, "|")
}

// A first message's answer includes the greeting, later ones only what
// follows them; a retry with the same client_id gets the same answer
// and stores nothing; without a conversation id, the latest is used.
func TestChatAnswers(t *testing.T) {
	h := newHub(t, chatty(nil), runtime.Config{})
	first := chat(t, h, alice, runtime.ChatRequest{BotID: "other", Content: "hi", ClientID: "c1"})
	if got := answer(t, first); got != "hello|echo: hi" {
		t.Fatalf("first answer %q", got)
	}
	sid := first.Session.ID
	second := chat(t, h, alice, runtime.ChatRequest{BotID: "other", Content: "again"})
	if second.Session.ID != sid || answer(t, second) != "echo: again" {
		t.Fatalf("second turn in %s: %q", second.Session.ID, answer(t, second))
	}
	stored := len(h.stored(t, sid))
	retry := chat(t, h, alice, runtime.ChatRequest{BotID: "other", SessionID: sid, Content: "hi", ClientID: "c1"})
	if !retry.Repeat || retry.Message.ID != first.Message.ID || answer(t, retry) != "hello|echo: hi" {
		t.Fatalf("retry: repeat %v, answer %q", retry.Repeat, answer(t, retry))
	}
	if n := len(h.stored(t, sid)); n != stored {
		t.Fatalf("a retry stored %d messages more", n-stored)
	}
}

// The conversation named must be the bot's and the caller's.
func TestChatRefusals(t *testing.T) {
	h := newHub(t, chatty(nil), runtime.Config{})
	turn := chat(t, h, alice, runtime.ChatRequest{BotID: "other", Content: "hi"})
	_, err := h.Chat(context.Background(), alice, runtime.ChatRequest{BotID: "echo", SessionID: turn.Session.ID, Content: "x"})
	expectKind(t, err, runtime.KindInvalid)
	_, err = h.Chat(context.Background(), bob, runtime.ChatRequest{BotID: "other", SessionID: turn.Session.ID, Content: "x"})
	expectKind(t, err, runtime.KindForbidden)
	_, err = h.Chat(context.Background(), alice, runtime.ChatRequest{BotID: "nope", Content: "x"})
	expectKind(t, err, runtime.KindNotFound)
	_, err = h.Chat(context.Background(), alice, runtime.ChatRequest{BotID: "other", Content: " "})
	expectKind(t, err, runtime.KindInvalidMsg)
	_, err = h.Chat(context.Background(), anon, runtime.ChatRequest{BotID: "echo", Content: "x"})
	expectKind(t, err, runtime.KindUnauthorized)
}

// pieces reads a turn's pieces to the end, joined by |.
func pieces(t *testing.T, turn *runtime.Turn) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	var got []string
	for {
		p, err := turn.Next(ctx)
		if errors.Is(err, io.EOF) {
			return strings.Join(got, "|")
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p.Text)
	}
}

// A streamed reply comes as what each stream event added, then what the
// final message adds; a rewrite comes whole once final.
func TestChatPieces(t *testing.T) {
	h := newHub(t, chatty(nil), runtime.Config{})
	if got := pieces(t, chat(t, h, alice, runtime.ChatRequest{BotID: "other", Content: "one"})); got != "hello|echo: one" {
		t.Fatalf("first turn pieces %q", got)
	}
	if got := pieces(t, chat(t, h, alice, runtime.ChatRequest{BotID: "other", Content: "stream", ClientID: "s"})); got != "Hel|lo, w|orld|!|bye" {
		t.Fatalf("streamed pieces %q", got)
	}
	if got := pieces(t, chat(t, h, alice, runtime.ChatRequest{BotID: "other", Content: "rewrite"})); got != "abc|xyz" {
		t.Fatalf("rewritten pieces %q", got)
	}
	// A retry gets the stored answer, whole messages.
	if got := pieces(t, chat(t, h, alice, runtime.ChatRequest{BotID: "other", Content: "stream", ClientID: "s"})); got != "Hello, world!|bye" {
		t.Fatalf("retried pieces %q", got)
	}
}

// A turn that takes too long: Wait gives up with the caller's deadline,
// and Reply has what was stored so far.
func TestChatTimeout(t *testing.T) {
	release := make(chan struct{})
	h := newHub(t, chatty(release), runtime.Config{})
	defer close(release)
	turn := chat(t, h, alice, runtime.ChatRequest{BotID: "other", Content: "hold"})
	// Next gives "hello" and "part 1" once stored, and the turn is
	// still on: part 1 is stored before the dialog blocks.
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	for _, want := range []string{"hello", "part 1"} {
		if p, err := turn.Next(ctx); err != nil || p.Text != want {
			t.Fatalf("Next = %q, %v; want %q", p.Text, err, want)
		}
	}
	short, cancelShort := context.WithCancel(context.Background())
	cancelShort()
	if err := turn.Wait(short); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait = %v, want the context's error", err)
	}
	msgs, err := turn.Reply(ctx)
	if err != nil || len(msgs) != 2 || msgs[1].Content != "part 1" {
		t.Fatalf("Reply = %v, %v", msgs, err)
	}
}
