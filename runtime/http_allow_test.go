package runtime_test

import (
	"testing"

	"parley/runtime"
)

// TestParseHTTPAllow: what bot.yaml may list under http_allow.
func TestParseHTTPAllow(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"api.example.com", "API.Example.com:8443", "*.example.com", "*.example.com:8080",
		"localhost", "localhost:9000", "127.0.0.1", "127.0.0.1:9000", "[::1]", "[::1]:9000", "intranet_host", "xn--bcher-kva.example"} {
		if _, err := runtime.ParseHTTPAllow(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "*", "*.com", "*.localhost", "https://api.example.com", "api.example.com/v1",
		"user@api.example.com", "api.example.com:0", "api.example.com:65536", "api.example.com:", "api.example.com:x",
		"::1", "::1:80", "*.127.0.0.1", "a.*.example.com", "-bad.example.com", "bücher.example", "a b", "[fe80::1%eth0]",
		"[::1", "ex ample.com", "[example.com]", "[127.0.0.1]:80"} {
		if _, err := runtime.ParseHTTPAllow(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
