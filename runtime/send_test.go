package runtime_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"parley/runtime"
)

var sendCases = []struct {
	name string
	req  runtime.SendRequest
	want runtime.Kind // "" means accepted
}{
	{"plain", runtime.SendRequest{Content: "hello"}, ""},
	{"empty", runtime.SendRequest{Content: ""}, runtime.KindInvalidMsg},
	{"whitespace", runtime.SendRequest{Content: " \t\r\n "}, runtime.KindInvalidMsg},
	{"whitespace with empty attachments", runtime.SendRequest{Content: " ", Attachments: json.RawMessage(" [] ")}, runtime.KindInvalidMsg},
	{"whitespace with null attachments", runtime.SendRequest{Content: " ", Attachments: json.RawMessage("null")}, runtime.KindInvalidMsg},
	{"attachments that are not upload ids", runtime.SendRequest{Attachments: json.RawMessage(`[{"url":"https://x/y.png"}]`)}, runtime.KindInvalidMsg},
	{"an upload that does not exist", runtime.SendRequest{Attachments: json.RawMessage(`["no-such-upload"]`)}, runtime.KindInvalidMsg},
	{"attachments not a list", runtime.SendRequest{Attachments: json.RawMessage(`0`)}, runtime.KindInvalidMsg},
	{"attachments an object", runtime.SendRequest{Attachments: json.RawMessage(`{}`)}, runtime.KindInvalidMsg},
	{"client_id of 64 characters, more bytes", runtime.SendRequest{Content: "x", ClientID: strings.Repeat("é", 64)}, ""},
	{"at the size limit", runtime.SendRequest{Content: strings.Repeat("a", runtime.MaxContentLen)}, ""},
	{"over the size limit", runtime.SendRequest{Content: strings.Repeat("a", runtime.MaxContentLen+1)}, runtime.KindTooLarge},
	{"client_id at the limit", runtime.SendRequest{Content: "x", ClientID: strings.Repeat("c", runtime.MaxClientIDLen)}, ""},
	{"client_id over the limit", runtime.SendRequest{Content: "x", ClientID: strings.Repeat("c", runtime.MaxClientIDLen+1)}, runtime.KindInvalidMsg},
	{"invalid UTF-8", runtime.SendRequest{Content: "caf\xe9"}, runtime.KindInvalidMsg},
}

// Hub.Send and Subscription.Send apply the same validation, and a refused
// message is neither stored nor published.
func TestSendValidation(t *testing.T) {
	t.Parallel()
	paths := map[string]func(*testHub, *runtime.Subscription, runtime.SendRequest) error{
		"Hub.Send": func(h *testHub, sub *runtime.Subscription, req runtime.SendRequest) error {
			req.SessionID = sub.Session.ID
			_, _, err := h.Send(context.Background(), alice, req)
			return err
		},
		"Subscription.Send": func(h *testHub, sub *runtime.Subscription, req runtime.SendRequest) error {
			_, _, err := sub.Send(context.Background(), req)
			return err
		},
	}
	for name, send := range paths {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range sendCases {
				h := newHub(t, silent, runtime.Config{})
				sub := h.join(t, alice, runtime.JoinRequest{})
				err := send(h, sub, tc.req)
				if tc.want == "" {
					if err != nil {
						t.Fatalf("%s: %v", tc.name, err)
					}
					nextEvent(t, sub)
					continue
				}
				if !runtime.IsKind(err, tc.want) {
					t.Fatalf("%s: err = %v, want %s", tc.name, err, tc.want)
				}
				if n := len(h.stored(t, sub.Session.ID)); n != 0 {
					t.Fatalf("%s: refused message was stored (%d messages)", tc.name, n)
				}
				expectQuiet(t, sub)
			}
		})
	}
}

// A repeated client_id stores one message and the dialog answers it once;
// the repeat gets the stored message back and publishes nothing.
func TestSendClientIDDedupe(t *testing.T) {
	t.Parallel()
	h := newHub(t, echo, runtime.Config{})
	sub := h.join(t, alice, runtime.JoinRequest{})
	req := runtime.SendRequest{SessionID: sub.Session.ID, Content: "once", ClientID: "c1"}
	first, created, err := h.Send(context.Background(), alice, req)
	if err != nil || !created {
		t.Fatalf("first send: created %v, err %v", created, err)
	}
	got := expectMessage(t, sub, runtime.SenderUser, "once")
	if got.ClientID != "c1" {
		t.Fatalf("published client_id = %q, want c1", got.ClientID)
	}
	expectMessage(t, sub, runtime.SenderBot, "echo: once")

	req.Content = "twice" // the client_id decides, not the content
	again, created, err := sub.Send(context.Background(), req)
	if err != nil || created {
		t.Fatalf("repeat: created %v, err %v", created, err)
	}
	if again.ID != first.ID || again.Seq != first.Seq || again.Content != "once" {
		t.Fatalf("repeat returned %+v, want the stored message %+v", again, first)
	}
	h.send(t, alice, sub.Session.ID, "marker")
	expectMessage(t, sub, runtime.SenderUser, "marker") // not a second "once"
	expectMessage(t, sub, runtime.SenderBot, "echo: marker")
	// The repeat was answered by nothing: the dialog, parked in HEAR, heard
	// it before the store found its client id, and was rebuilt from its
	// journal (runtime/early.go); "echo: twice" was never stored.
	if n := len(h.stored(t, sub.Session.ID)); n != 4 {
		t.Fatalf("%d messages stored, want 4", n)
	}
}

// suggest offers quick replies when the conversation starts and echoes.
func suggest(ctx context.Context, h runtime.DialogHost, in *runtime.Message) error {
	if in == nil {
		return h.Suggest(ctx, []string{"yes", "no"})
	}
	return echo(ctx, h, in)
}

// The next user message clears the suggestions in force with an empty
// suggestion event, once.
func TestSuggestionsClearedByUserMessage(t *testing.T) {
	t.Parallel()
	h := newHub(t, suggest, runtime.Config{})
	sub := h.join(t, alice, runtime.JoinRequest{})
	if e := nextEvent(t, sub); e.Type != runtime.EventSuggestion || strings.Join(e.Suggestions, ",") != "yes,no" {
		t.Fatalf("first event = %s %v, want the suggestions", describe(e), e.Suggestions)
	}
	if s := h.join(t, alice, runtime.JoinRequest{SessionID: sub.Session.ID}).Session; strings.Join(s.Suggestions, ",") != "yes,no" {
		t.Fatalf("snapshot suggestions = %v, want [yes no]", s.Suggestions)
	}

	h.send(t, alice, sub.Session.ID, "yes")
	expectMessage(t, sub, runtime.SenderUser, "yes")
	if e := nextEvent(t, sub); e.Type != runtime.EventSuggestion || e.Suggestions == nil || len(e.Suggestions) != 0 {
		t.Fatalf("after the user message: %s %#v, want an empty suggestion event", describe(e), e.Suggestions)
	}
	expectMessage(t, sub, runtime.SenderBot, "echo: yes")

	h.send(t, alice, sub.Session.ID, "again") // nothing in force: no event
	expectMessage(t, sub, runtime.SenderUser, "again")
	expectMessage(t, sub, runtime.SenderBot, "echo: again")

	if s := h.join(t, alice, runtime.JoinRequest{SessionID: sub.Session.ID}).Session; len(s.Suggestions) != 0 {
		t.Fatalf("snapshot suggestions after clearing = %v", s.Suggestions)
	}
	if s, _ := h.store.FindSession(context.Background(), sub.Session.ID); len(s.Suggestions) != 0 {
		t.Fatalf("stored suggestions after clearing = %v", s.Suggestions)
	}
}

// A first message that would be refused leaves no conversation behind.
func TestStartConversationValidatesFirstMessage(t *testing.T) {
	t.Parallel()
	h := newHub(t, echo, runtime.Config{})
	for _, initial := range []string{"   ", strings.Repeat("x", runtime.MaxContentLen+1)} {
		if _, err := h.StartConversation(context.Background(), alice, "echo", initial); err == nil {
			t.Fatalf("initial message %.10q accepted", initial)
		}
	}
	if _, total, _ := h.Conversations(context.Background(), alice, runtime.ConversationFilter{Limit: 10}); total != 0 {
		t.Fatalf("%d conversations left behind", total)
	}
}
