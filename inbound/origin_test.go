package inbound_test

import (
	"testing"

	"parley/inbound"
)

func TestOriginAllowed(t *testing.T) {
	patterns := []string{"*.example.com", "https://app.example.org"}
	for _, tc := range []struct {
		origin string
		want   bool
	}{
		{"", true},                              // not a browser
		{"http://chat.local:8080", true},        // the server's own host
		{"https://a.example.com", true},         // a host pattern
		{"https://app.example.org", true},       // a whole origin
		{"http://app.example.org", false},       // another scheme
		{"https://example.com.evil.net", false}, // a pattern is not a prefix
		{"null", false},                         // no host
	} {
		if got := inbound.OriginAllowed(tc.origin, "chat.local:8080", patterns); got != tc.want {
			t.Errorf("OriginAllowed(%q) = %v, want %v", tc.origin, got, tc.want)
		}
	}
	if !inbound.OriginAllowed("https://anything.net", "h", []string{"*"}) {
		t.Error(`"*" allows every origin`)
	}
}
