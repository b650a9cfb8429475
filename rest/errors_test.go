package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"parley/runtime"
)

func TestWriteError(t *testing.T) {
	t.Parallel()
	limited := func(d time.Duration) error {
		return &runtime.Error{Kind: runtime.KindRateLimited, Message: "slow down", RetryAfter: d}
	}
	cases := []struct {
		err        error
		status     int
		code, msg  string
		retryAfter string
	}{
		{runtime.Errorf(runtime.KindInvalid, "bad query"), 400, "invalid_request", "bad query", ""},
		{runtime.Errorf(runtime.KindInvalidMsg, "content is empty"), 400, "invalid_message", "content is empty", ""},
		{runtime.Errorf(runtime.KindUnauthorized, "log in"), 401, "unauthorized", "log in", ""},
		{runtime.Errorf(runtime.KindForbidden, "not yours"), 403, "forbidden", "not yours", ""},
		{runtime.Errorf(runtime.KindNotFound, "no such"), 404, "not_found", "no such", ""},
		{runtime.Errorf(runtime.KindConflict, "exists"), 409, "conflict", "exists", ""},
		{runtime.Errorf(runtime.KindTooLarge, "too big"), 413, "too_large", "too big", ""},
		{limited(1500 * time.Millisecond), 429, "rate_limited", "slow down", "2"},
		{limited(time.Second), 429, "rate_limited", "slow down", "1"},
		{limited(time.Millisecond), 429, "rate_limited", "slow down", "1"},
		{limited(59*time.Second + time.Nanosecond), 429, "rate_limited", "slow down", "60"},
		{runtime.Errorf(runtime.KindTooMany, "too many sockets"), 429, "rate_limited", "too many sockets", ""},
		{runtime.Errorf(runtime.KindUnavailable, "shutting down"), 503, "unavailable", "shutting down", ""},
		{runtime.Wrap(runtime.KindDialog, errors.New("lua: secret.lua:3"), "the bot failed"), 500, "internal", "the bot failed", ""},
		{runtime.Wrap(runtime.KindInternal, errors.New("pq: password=hunter2"), "database error"), 500, "internal", "database error", ""},
		{errors.New("dial tcp 10.0.0.5:5432: password=hunter2"), 500, "internal", "internal error", ""},
		{&runtime.Error{Kind: "made_up", Message: "odd"}, 500, "internal", "odd", ""},
	}
	for _, tc := range cases {
		var logged bytes.Buffer
		w := httptest.NewRecorder()
		writeError(w, slog.New(slog.NewTextHandler(&logged, nil)), tc.err)
		var body map[string]string
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatalf("%v: body %q: %v", tc.err, w.Body, err)
		}
		if w.Code != tc.status || body["error"] != tc.code || body["message"] != tc.msg || len(body) != 2 {
			t.Errorf("%v: %d %v; want %d {error:%s message:%s}", tc.err, w.Code, body, tc.status, tc.code, tc.msg)
		}
		if got := w.Header().Get("Retry-After"); got != tc.retryAfter {
			t.Errorf("%v: Retry-After %q, want %q", tc.err, got, tc.retryAfter)
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("%v: Content-Type %q", tc.err, ct)
		}
		if strings.Contains(w.Body.String(), "hunter2") || strings.Contains(w.Body.String(), "secret.lua") {
			t.Errorf("%v: the body leaks internals: %s", tc.err, w.Body)
		}
		if tc.status == 500 && !strings.Contains(logged.String(), tc.err.Error()) {
			t.Errorf("%v: not logged (log: %q)", tc.err, logged.String())
		}
	}
}
