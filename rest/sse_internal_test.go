package rest

import (
	"net/http/httptest"
	"testing"
	"time"

	"parley/runtime"
)

// Every event is written as its /ws frame under event: its type; only
// stored messages have an id (their seq), so a stream event (an LLM reply
// being written, not stored) never moves a client's Last-Event-ID.
func TestSSEEventFormat(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 3, 1, 13, 4, 5, 0, time.UTC)
	cases := []struct {
		e    runtime.Event
		want string
	}{
		{runtime.Event{Type: runtime.EventMessage, SessionID: "s1", Message: &runtime.Message{ID: "m1", SessionID: "s1", Seq: 7, Sender: runtime.SenderBot, Content: "hi", CreatedAt: at}},
			"event: message\nid: 7\ndata: {\"type\":\"message\",\"id\":\"m1\",\"seq\":7,\"session_id\":\"s1\",\"sender\":\"bot\",\"content\":\"hi\",\"timestamp\":\"2025-03-01T13:04:05Z\"}\n\n"},
		{runtime.Event{Type: runtime.EventStream, SessionID: "s1", Message: &runtime.Message{ID: "m2", Sender: runtime.SenderBot, Content: "Once upon"}},
			"event: stream\ndata: {\"type\":\"stream\",\"session_id\":\"s1\",\"id\":\"m2\",\"sender\":\"bot\",\"content\":\"Once upon\"}\n\n"},
		{runtime.Event{Type: runtime.EventTyping, SessionID: "s1", Sender: runtime.SenderBot, Active: true},
			"event: typing\ndata: {\"type\":\"typing\",\"session_id\":\"s1\",\"sender\":\"bot\",\"active\":true}\n\n"},
	}
	for _, tc := range cases {
		w := httptest.NewRecorder()
		s := (&Handler{cfg: Config{SSEWriteTimeout: time.Second}}).startSSE(w)
		if err := s.event(&tc.e); err != nil {
			t.Fatal(err)
		}
		if got := w.Body.String(); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.e.Type, got, tc.want)
		}
		if !w.Flushed {
			t.Errorf("%s: not flushed", tc.e.Type)
		}
	}
}
