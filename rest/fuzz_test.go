package rest

import (
	"net/url"
	"testing"

	"parley/runtime"
)

// FuzzQuery: any query string parses into values within the documented
// ranges, or into an invalid_request error, never a panic.
//
//	go test -run '^$' -fuzz FuzzQuery -fuzztime 30s ./rest
func FuzzQuery(f *testing.F) {
	for _, s := range []string{
		"limit=10&before=2026-01-01T00:00:00Z", "after=abc&limit=1000", "limit=-1", "limit=0",
		"status=archived&offset=5&bot_id=x", "limit=99999999999999999999", "before=%zz", "offset=-3",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return // the server answers 400 before the handler
		}
		h, err := parseHistoryQuery(v)
		check(t, err)
		if err == nil && (h.Limit < 1 || h.Limit > maxHistoryLimit) {
			t.Fatalf("history limit %d out of range", h.Limit)
		}
		l, err := parseListQuery(v)
		check(t, err)
		if err == nil && (l.Limit < 1 || l.Limit > maxListLimit || l.Offset < 0) {
			t.Fatalf("list limit %d offset %d out of range", l.Limit, l.Offset)
		}
		if err == nil && l.Status != "" && l.Status != runtime.StatusActive && l.Status != runtime.StatusArchived {
			t.Fatalf("status %q accepted", l.Status)
		}
	})
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil && runtime.ErrorKind(err) != runtime.KindInvalid {
		t.Fatalf("error of kind %s: %v", runtime.ErrorKind(err), err)
	}
}
