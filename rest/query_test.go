package rest

import (
	"net/url"
	"testing"
	"time"

	"parley/runtime"
)

func TestParseHistoryQuery(t *testing.T) {
	t.Parallel()
	cases := []struct {
		query string
		want  runtime.HistoryQuery
		bad   bool
	}{
		{"", runtime.HistoryQuery{Limit: 50}, false},
		{"limit=1", runtime.HistoryQuery{Limit: 1}, false},
		{"limit=100", runtime.HistoryQuery{Limit: 100}, false},
		{"limit=101", runtime.HistoryQuery{Limit: 100}, false},
		{"limit=99999999", runtime.HistoryQuery{Limit: 100}, false},
		{"limit=0", runtime.HistoryQuery{}, true},
		{"limit=-5", runtime.HistoryQuery{}, true},
		{"limit=ten", runtime.HistoryQuery{}, true},
		{"limit=1.5", runtime.HistoryQuery{}, true},
		{"before=m-42", runtime.HistoryQuery{Limit: 50, BeforeID: "m-42"}, false},
		{"after=m-42", runtime.HistoryQuery{Limit: 50, AfterID: "m-42"}, false},
		{"before=2025-03-01T13:00:00.123456%2B01:00",
			runtime.HistoryQuery{Limit: 50, BeforeTime: time.Date(2025, 3, 1, 12, 0, 0, 123456000, time.UTC)}, false},
		{"after=2025-03-01T12:00:00Z&before=m-9&limit=7",
			runtime.HistoryQuery{Limit: 7, AfterTime: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC), BeforeID: "m-9"}, false},
		{"after=2025-03-01", runtime.HistoryQuery{}, true}, // a date without a time: not RFC 3339
		{"after=2026-13-01", runtime.HistoryQuery{}, true},
		{"before=2026-01-01T25:00:00Z", runtime.HistoryQuery{}, true},
		{"after=0f1e2d3c-0000-4000-8000-000000000000", runtime.HistoryQuery{Limit: 50, AfterID: "0f1e2d3c-0000-4000-8000-000000000000"}, false},
	}
	for _, tc := range cases {
		v, _ := url.ParseQuery(tc.query)
		got, err := parseHistoryQuery(v)
		if tc.bad {
			if !runtime.IsKind(err, runtime.KindInvalid) {
				t.Errorf("%q: err = %v, want invalid_request", tc.query, err)
			}
			continue
		}
		if err != nil || !got.BeforeTime.Equal(tc.want.BeforeTime) || !got.AfterTime.Equal(tc.want.AfterTime) ||
			got.Limit != tc.want.Limit || got.BeforeID != tc.want.BeforeID || got.AfterID != tc.want.AfterID {
			t.Errorf("%q: got %+v, %v; want %+v", tc.query, got, err, tc.want)
		}
		if got.BeforeTime.Location() != time.UTC || got.AfterTime.Location() != time.UTC {
			t.Errorf("%q: times not in UTC: %+v", tc.query, got)
		}
	}
}

func TestParseListQuery(t *testing.T) {
	t.Parallel()
	cases := []struct {
		query string
		want  runtime.ConversationFilter
		bad   bool
	}{
		{"", runtime.ConversationFilter{Limit: 20}, false},
		{"limit=100&offset=40", runtime.ConversationFilter{Limit: 100, Offset: 40}, false},
		{"limit=500", runtime.ConversationFilter{Limit: 100}, false},
		{"bot_id=echo&status=active", runtime.ConversationFilter{BotID: "echo", Status: "active", Limit: 20}, false},
		{"status=archived&offset=0", runtime.ConversationFilter{Status: "archived", Limit: 20}, false},
		{"status=deleted", runtime.ConversationFilter{}, true},
		{"limit=0", runtime.ConversationFilter{}, true},
		{"offset=-1", runtime.ConversationFilter{}, true},
		{"offset=x", runtime.ConversationFilter{}, true},
	}
	for _, tc := range cases {
		v, _ := url.ParseQuery(tc.query)
		got, err := parseListQuery(v)
		if tc.bad {
			if !runtime.IsKind(err, runtime.KindInvalid) {
				t.Errorf("%q: err = %v, want invalid_request", tc.query, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: got %+v, %v; want %+v", tc.query, got, err, tc.want)
		}
	}
}
