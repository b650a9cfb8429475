package ws

import (
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/coder/websocket"

	"parley/runtime"
)

func TestOriginAllowed(t *testing.T) {
	t.Parallel()
	patterns := []string{"*.example.com", "localhost:*", "https://app.partner.org/"}
	cases := []struct {
		origin   string
		patterns []string
		want     bool
	}{
		{"", nil, true}, // not a browser
		{"http://chat.local:8080", nil, true},
		{"https://CHAT.local:8080", nil, true}, // host compare ignores case
		{"http://chat.local", nil, false},      // another port is another host
		{"http://evil.com", nil, false},
		{"http://evil.com", patterns, false},
		{"https://a.example.com", patterns, true},
		{"https://A.Example.COM", patterns, true},
		{"https://example.com", patterns, false},
		{"https://a.example.com.evil.com", patterns, false},
		{"http://localhost:3000", patterns, true},
		{"http://localhost", patterns, false},
		{"https://app.partner.org", patterns, true},
		{"http://app.partner.org", patterns, false}, // the pattern names the scheme
		{"https://app.partner.org:8443", patterns, false},
		{"https://anything.at.all", []string{"*"}, true},
		{"null", []string{"*"}, false}, // sandboxed frames, file://
		{"null", nil, false},
		{"file:///etc/passwd", []string{"*"}, false},
		{"://garbage", []string{"*"}, false},
		{"http://[::1", []string{"*"}, false},
		{"https://x.example.com", []string{"[invalid"}, false},
	}
	for _, tc := range cases {
		h := New(Config{AllowedOrigins: tc.patterns})
		r := httptest.NewRequest("GET", "http://chat.local:8080/ws", nil)
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		if got := h.originAllowed(r); got != tc.want {
			t.Errorf("origin %q with patterns %q: allowed = %v, want %v", tc.origin, tc.patterns, got, tc.want)
		}
	}
}

func TestCloseCode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err  error
		want websocket.StatusCode
	}{
		{runtime.Errorf(runtime.KindUnauthorized, "x"), 4001},
		{runtime.Errorf(runtime.KindForbidden, "x"), 4003},
		{runtime.Errorf(runtime.KindNotFound, "x"), 4004},
		{runtime.Errorf(runtime.KindTooMany, "x"), 4029},
		{runtime.Errorf(runtime.KindRateLimited, "x"), 4029},
		{runtime.Errorf(runtime.KindUnavailable, "x"), websocket.StatusGoingAway},
		{runtime.Errorf(runtime.KindInternal, "x"), websocket.StatusInternalError},
		{errors.New("a foreign error"), websocket.StatusInternalError},
		{runtime.Errorf(runtime.KindInvalid, "x"), websocket.StatusPolicyViolation},
		{runtime.Errorf(runtime.KindInvalidMsg, "x"), websocket.StatusPolicyViolation},
		{runtime.Errorf(runtime.KindDialog, "x"), websocket.StatusPolicyViolation},
	}
	for _, tc := range cases {
		if got := closeCode(tc.err); got != tc.want {
			t.Errorf("closeCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}
