package runtime

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestHTTPEntry: a journaled outcome comes back exactly, bytes that are
// not UTF-8 included (the journal is text), and only for the same request.
func TestHTTPEntry(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"", "plain", "a\x00b", "\xff\xfe binary", "ünïcode ✓"} {
		v := encodeHTTPEntry("k", HTTPResponse{Status: 201, Body: body}, nil)
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			t.Errorf("%q: the entry %q is not storable text", body, v)
		}
		resp, err := decodeHTTPEntry(JournalEntry{Kind: EntryHTTP, Value: v}, "k")
		if err != nil || resp.Status != 201 || resp.Body != body {
			t.Errorf("%q: back as %d %q, %v", body, resp.Status, resp.Body, err)
		}
	}
	v := encodeHTTPEntry("k", HTTPResponse{}, &HTTPError{Message: "x is not in this bot's http_allow"})
	_, err := decodeHTTPEntry(JournalEntry{Kind: EntryHTTP, Value: v}, "k")
	if he := (*HTTPError)(nil); !errors.As(err, &he) || he.Message != "x is not in this bot's http_allow" {
		t.Errorf("a journaled error came back as %v", err)
	}
	for _, value := range []string{v, "not json"} {
		if _, err := decodeHTTPEntry(JournalEntry{Kind: EntryHTTP, Value: value}, "other"); !errors.Is(err, errDiverged) {
			t.Errorf("another request, or a bad entry: %v; want a divergence", err)
		}
	}
}
