package inbound_test

import (
	"net/http"
	"testing"

	"parley/inbound"
)

func TestClientIP(t *testing.T) {
	trusted, err := inbound.ParseTrustedProxies([]string{"10.0.0.0/8", "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, remote, xff string
		trusted           bool
		want              string
	}{
		{"no proxies configured", "127.0.0.1:5000", "1.2.3.4", false, "127.0.0.1"},
		{"untrusted peer's header is ignored", "8.8.8.8:5000", "1.2.3.4", true, "8.8.8.8"},
		{"trusted peer", "127.0.0.1:5000", "1.2.3.4", true, "1.2.3.4"},
		{"chain of trusted proxies", "127.0.0.1:5000", "1.2.3.4, 10.1.1.1, 10.2.2.2", true, "1.2.3.4"},
		{"spoofed left part", "127.0.0.1:5000", "6.6.6.6, 1.2.3.4", true, "1.2.3.4"},
		{"garbage", "127.0.0.1:5000", "not-an-ip", true, "127.0.0.1"},
		{"garbage left of a real hop", "127.0.0.1:5000", "junk, 1.2.3.4", true, "1.2.3.4"},
		{"no header", "127.0.0.1:5000", "", true, "127.0.0.1"},
		{"all trusted", "127.0.0.1:5000", "10.9.9.9", true, "10.9.9.9"},
		{"IPv6", "[::1]:5000", "2001:db8::1", true, "::1"},
	} {
		r := &http.Request{RemoteAddr: tc.remote, Header: http.Header{}}
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		var list = trusted
		if !tc.trusted {
			list = nil
		}
		if got := inbound.ClientIP(r, list); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	for _, bad := range []string{"1.2.3", "10.0.0.0/33", "host"} {
		if _, err := inbound.ParseTrustedProxies([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
