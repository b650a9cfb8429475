package runtime_test

import (
	"context"
	"errors"
	"testing"

	"parley/runtime"
)

// A failing Step reaches every subscriber of the conversation as an error
// event: a script's failure as KindDialog with its message; any other
// error (the host's: a store that failed) as KindInternal, without
// leaking its text.
func TestDialogErrorPublished(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		err      error
		wantCode runtime.Kind
		wantText string
	}{
		{"dialog error", runtime.Errorf(runtime.KindDialog, "main.lua:3: boom"), runtime.KindDialog, "main.lua:3: boom"},
		{"foreign error", errors.New("secret internals"), runtime.KindInternal, "the bot could not answer yet; it will try again"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fail := func(ctx context.Context, h runtime.DialogHost, in *runtime.Message) error {
				if in == nil {
					return nil
				}
				return tc.err
			}
			h := newHub(t, fail, runtime.Config{})
			a := h.join(t, alice, runtime.JoinRequest{})
			b := h.join(t, alice, runtime.JoinRequest{SessionID: a.Session.ID})
			h.send(t, alice, a.Session.ID, "hi")
			for _, sub := range []*runtime.Subscription{a, b} {
				expectMessage(t, sub, runtime.SenderUser, "hi")
				e := nextEvent(t, sub)
				if e.Type != runtime.EventError || e.Code != tc.wantCode || e.Text != tc.wantText || e.SessionID != a.Session.ID {
					t.Fatalf("event = %+v, want %s %q", e, tc.wantCode, tc.wantText)
				}
			}
		})
	}
}

// A dialog that cannot be created is reported the same way.
func TestNewDialogErrorPublished(t *testing.T) {
	t.Parallel()
	h := newHub(t, echo, runtime.Config{})
	h.engine.newErr = errors.New("compile error in secret.lua")
	sub := h.join(t, alice, runtime.JoinRequest{})
	e := nextEvent(t, sub)
	if e.Type != runtime.EventError || e.Code != runtime.KindDialog || e.Text != "the bot is not available" {
		t.Fatalf("event = %+v, want dialog_error", e)
	}
}

// The host publishes typing and stores bot messages in order.
func TestDialogHostTypingAndTalk(t *testing.T) {
	t.Parallel()
	typing := func(ctx context.Context, h runtime.DialogHost, in *runtime.Message) error {
		if in == nil {
			return nil
		}
		h.Typing(ctx, true)
		h.Talk(ctx, "one")
		h.Talk(ctx, "two")
		return h.Typing(ctx, false)
	}
	h := newHub(t, typing, runtime.Config{})
	sub := h.join(t, alice, runtime.JoinRequest{})
	// The second message finds the dialog parked in HEAR, and is stored
	// with its answer (early.go): the typing indicator still comes after it.
	for i, text := range []string{"go", "again"} {
		h.send(t, alice, sub.Session.ID, text)
		expectMessage(t, sub, runtime.SenderUser, text)
		if e := nextEvent(t, sub); e.Type != runtime.EventTyping || !e.Active || e.Sender != runtime.SenderBot {
			t.Fatalf("event = %+v, want bot typing", e)
		}
		if m := expectMessage(t, sub, runtime.SenderBot, "one"); m.Seq != int64(2+3*i) {
			t.Fatalf("first bot message has seq %d, want %d", m.Seq, 2+3*i)
		}
		expectMessage(t, sub, runtime.SenderBot, "two")
		if e := nextEvent(t, sub); e.Type != runtime.EventTyping || e.Active {
			t.Fatalf("event = %+v, want typing off", e)
		}
		if err := sub.WaitIdle(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// A bot remembers a user across conversations, and an anonymous visitor
// only within one.
func TestDialogMemoryScope(t *testing.T) {
	t.Parallel()
	remember := func(ctx context.Context, h runtime.DialogHost, in *runtime.Message) error {
		if in == nil {
			return nil
		}
		v, ok, err := h.GetMemory(ctx, "last")
		if err != nil {
			return err
		}
		if !ok {
			v = `"nothing"`
		}
		if err := h.SetMemory(ctx, "last", `"`+in.Content+`"`); err != nil {
			return err
		}
		return h.Talk(ctx, v)
	}
	h := newHub(t, remember, runtime.Config{})
	say := func(sub *runtime.Subscription, text, want string) {
		t.Helper()
		if _, _, err := sub.Send(context.Background(), runtime.SendRequest{Content: text}); err != nil {
			t.Fatal(err)
		}
		expectMessage(t, sub, runtime.SenderUser, text)
		expectMessage(t, sub, runtime.SenderBot, want)
	}
	first := h.join(t, alice, runtime.JoinRequest{})
	say(first, "a", `"nothing"`)
	if _, err := h.SetStatus(context.Background(), alice, first.Session.ID, runtime.StatusArchived); err != nil {
		t.Fatal(err)
	}
	second := h.join(t, alice, runtime.JoinRequest{}) // a new conversation
	if second.Session.ID == first.Session.ID {
		t.Fatal("joined the archived conversation")
	}
	say(second, "b", `"a"`)
	say(h.join(t, bob, runtime.JoinRequest{}), "c", `"nothing"`)

	anonA := h.join(t, anon, runtime.JoinRequest{})
	say(anonA, "x", `"nothing"`)
	say(anonA, "y", `"x"`)
	say(h.join(t, anon, runtime.JoinRequest{}), "z", `"nothing"`)
}
