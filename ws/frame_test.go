package ws

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"parley/runtime"
)

func TestDecodeFrame(t *testing.T) {
	t.Parallel()
	seq := int64(12)
	cases := []struct {
		in   string
		want *inFrame // nil: KindInvalid
	}{
		{`{"type":"message","content":"Hello","session_id":"s1","client_id":"c1"}`,
			&inFrame{Type: "message", Content: "Hello", SessionID: "s1", ClientID: "c1"}},
		{`{"type":"message","content":"","attachments":[{"url":"u"}]}`,
			&inFrame{Type: "message", Attachments: json.RawMessage(`[{"url":"u"}]`)}},
		{`{"type":"read","seq":12}`, &inFrame{Type: "read", Seq: &seq}},
		{`{"type":"typing","active":true}`, &inFrame{Type: "typing", Active: true}},
		{`{"type":"typing","session_id":"s1"}`, &inFrame{Type: "typing", SessionID: "s1"}},
		{`{"type":"read"}`, nil},
		{`{"type":"read","seq":null}`, nil},
		{`{"type":"read","seq":"12"}`, nil},
		{`{"content":"no type"}`, nil},
		{`{"type":""}`, nil},
		{`{"type":"Message"}`, nil},
		{`{"type":"subscribe"}`, nil},
		{`null`, nil},
		{`[]`, nil},
		{`"message"`, nil},
		{`{"type":"message"`, nil},
		{`not json`, nil},
		{``, nil},
	}
	for _, tc := range cases {
		got, err := decodeFrame([]byte(tc.in))
		if tc.want == nil {
			if !runtime.IsKind(err, runtime.KindInvalid) || got != nil {
				t.Errorf("decodeFrame(%s) = %+v, %v; want invalid_request", tc.in, got, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("decodeFrame(%s) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestEncodeEvent(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 3, 1, 13, 4, 5, 123456000, time.FixedZone("CET", 3600))
	msg := &runtime.Message{ID: "m1", SessionID: "s1", Seq: 7, Sender: runtime.SenderUser, Content: "hi", CreatedAt: at}
	full := *msg
	full.ClientID, full.Attachments, full.Metadata = "c1", json.RawMessage(`[{"url":"u"}]`), json.RawMessage(`{"k":1}`)
	cases := []struct {
		name string
		e    runtime.Event
		want string
	}{
		{"message", runtime.Event{Type: runtime.EventMessage, SessionID: "s1", Message: msg},
			`{"type":"message","id":"m1","seq":7,"session_id":"s1","sender":"user","content":"hi","timestamp":"2025-03-01T12:04:05.123456Z"}`},
		{"message, all fields", runtime.Event{Type: runtime.EventMessage, SessionID: "s1", Message: &full},
			`{"type":"message","id":"m1","seq":7,"session_id":"s1","sender":"user","content":"hi","timestamp":"2025-03-01T12:04:05.123456Z","client_id":"c1","attachments":[{"url":"u"}],"metadata":{"k":1}}`},
		{"typing", runtime.Event{Type: runtime.EventTyping, SessionID: "s1", Sender: runtime.SenderBot, Active: true},
			`{"type":"typing","session_id":"s1","sender":"bot","active":true}`},
		{"typing off", runtime.Event{Type: runtime.EventTyping, SessionID: "s1", Sender: runtime.SenderBot},
			`{"type":"typing","session_id":"s1","sender":"bot","active":false}`},
		{"a person typing", runtime.Event{Type: runtime.EventTyping, SessionID: "s1", Sender: runtime.SenderAgent, User: "ann", Active: true},
			`{"type":"typing","session_id":"s1","sender":"agent","user":"ann","active":true}`},
		{"read", runtime.Event{Type: runtime.EventRead, SessionID: "s1", User: "bea", Seq: 4},
			`{"type":"read","session_id":"s1","seq":4,"reader":"bea"}`},
		{"suggestion", runtime.Event{Type: runtime.EventSuggestion, SessionID: "s1", Suggestions: []string{"yes", "no"}},
			`{"type":"suggestion","session_id":"s1","suggestions":["yes","no"]}`},
		{"suggestion cleared (nil)", runtime.Event{Type: runtime.EventSuggestion, SessionID: "s1"},
			`{"type":"suggestion","session_id":"s1","suggestions":[]}`},
		{"suggestion cleared (empty)", runtime.Event{Type: runtime.EventSuggestion, SessionID: "s1", Suggestions: []string{}},
			`{"type":"suggestion","session_id":"s1","suggestions":[]}`},
		{"status", runtime.Event{Type: runtime.EventStatus, SessionID: "s1", Status: runtime.StatusShuttingDown},
			`{"type":"status","status":"shutting_down","session_id":"s1"}`},
		{"error", runtime.Event{Type: runtime.EventError, SessionID: "s1", Code: runtime.KindInvalidMsg, Text: "content is empty", ClientID: "c1"},
			`{"type":"error","code":"invalid_message","message":"content is empty","session_id":"s1","client_id":"c1"}`},
		{"error, rate limited", runtime.Event{Type: runtime.EventError, SessionID: "s1", Code: runtime.KindRateLimited, Text: "slow down", RetryAfter: 1500 * time.Millisecond},
			`{"type":"error","code":"rate_limited","message":"slow down","session_id":"s1","retry_after_ms":1500}`},
		{"error, too many connections", runtime.Event{Type: runtime.EventError, Code: runtime.KindTooMany, Text: "too many"},
			`{"type":"error","code":"rate_limited","message":"too many"}`},
		{"error, dialog", runtime.Event{Type: runtime.EventError, SessionID: "s1", Code: runtime.KindDialog, Text: "the bot failed"},
			`{"type":"error","code":"dialog_error","message":"the bot failed","session_id":"s1"}`},
	}
	for _, tc := range cases {
		got, err := encodeEvent(&tc.e)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !sameJSON(t, got, tc.want) {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

// The connected frame always carries last_seq and anonymous, even when
// they are zero, and the resume token only when there is one.
func TestConnectedFrame(t *testing.T) {
	t.Parallel()
	sub := &runtime.Subscription{Session: &runtime.Session{ID: "s1", BotID: "echo"}}
	got, _ := json.Marshal(connectedFrame(sub))
	want := `{"type":"status","status":"connected","session_id":"s1","bot_id":"echo","last_seq":0,"anonymous":false}`
	if !sameJSON(t, got, want) {
		t.Errorf("user:\n got %s\nwant %s", got, want)
	}
	sub = &runtime.Subscription{Session: &runtime.Session{ID: "s2", BotID: "echo", LastSeq: 12, Anonymous: true}, ResumeToken: "tok"}
	got, _ = json.Marshal(connectedFrame(sub))
	want = `{"type":"status","status":"connected","session_id":"s2","bot_id":"echo","last_seq":12,"anonymous":true,"resume_token":"tok"}`
	if !sameJSON(t, got, want) {
		t.Errorf("anonymous:\n got %s\nwant %s", got, want)
	}
}

// sameJSON compares two JSON objects field by field, ignoring order.
func sameJSON(t *testing.T, got []byte, want string) bool {
	t.Helper()
	var g, w map[string]any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: %v", want, err)
	}
	if !slices.Equal(slices.Sorted(maps.Keys(g)), slices.Sorted(maps.Keys(w))) {
		return false
	}
	return reflect.DeepEqual(g, w)
}
