package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func TestFrameAncestors(t *testing.T) {
	for _, c := range []struct {
		patterns []string
		want     string
		skipped  []string
	}{
		{nil, "'self'", nil},
		{[]string{"*"}, "*", nil},
		{[]string{"*.example.com"}, "'self' http://*.example.com https://*.example.com", nil},
		{[]string{"127.0.0.1:5173", "localhost:*"}, "'self' http://127.0.0.1:5173 https://127.0.0.1:5173 http://localhost:* https://localhost:*", nil},
		{[]string{" https://App.Example.com/ ", "https://*.example.org"}, "'self' https://app.example.com https://*.example.org", nil},
		{[]string{"app-*.example.com", "[::1]:8080", "ftp://x.example.com", "shop.example.com"},
			"'self' http://shop.example.com https://shop.example.com", []string{"app-*.example.com", "[::1]:8080", "ftp://x.example.com"}},
	} {
		got, skipped := frameAncestors(c.patterns)
		if got != c.want || !reflect.DeepEqual(skipped, c.skipped) {
			t.Errorf("frameAncestors(%q) = %q, %q; want %q, %q", c.patterns, got, skipped, c.want, c.skipped)
		}
	}
}

func TestWebHandlerHeaders(t *testing.T) {
	h := webHandler([]string{"*.example.com"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, path := range []string{"/", "/chat.js", "/widget.js", "/support", "/support.css", "/console/app.js"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, rec.Code)
		}
		csp := rec.Header().Get("Content-Security-Policy")
		want := "frame-ancestors 'self' http://*.example.com https://*.example.com"
		if path == "/support" {
			want = "frame-ancestors 'none'" // the console acts for an agent: never framed
		}
		if !strings.HasSuffix(csp, want) || !strings.HasPrefix(csp, "default-src 'self'; script-src 'self';") {
			t.Errorf("GET %s: CSP %q", path, csp)
		}
		etag := rec.Header().Get("ETag")
		if etag == "" {
			t.Fatalf("GET %s: no ETag", path)
		}
		// A revalidation with the same ETag is a 304 without a body.
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("If-None-Match", etag)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotModified {
			t.Errorf("GET %s with If-None-Match: %d, want 304", path, rec.Code)
		}
	}
}

// Only the embedded files are served: no directory listing of console/,
// and /support/ is the console at its one address.
func TestWebHandlerPaths(t *testing.T) {
	h := webHandler(nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, c := range []struct {
		path     string
		code     int
		location string
	}{
		{"/console/", http.StatusNotFound, ""},
		{"/console", http.StatusNotFound, ""},
		{"/nope.js", http.StatusNotFound, ""},
		{"/support/", http.StatusMovedPermanently, "/support"},
		{"/index.html", http.StatusMovedPermanently, "./"},
		{"/support.html", http.StatusOK, ""},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", c.path, nil))
		if rec.Code != c.code || rec.Header().Get("Location") != c.location {
			t.Errorf("GET %s: %d %q, want %d %q", c.path, rec.Code, rec.Header().Get("Location"), c.code, c.location)
		}
	}
}
