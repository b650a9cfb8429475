package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/bots"
)

// testSecret signs the tokens of the e2e tests.
const testSecret = "e2e-test-secret"

// MustRunMain starts the real server on a random port with SQLite in a
// temporary directory (PostgreSQL in a schema of its own under
// TestE2EPostgres) and the built-in bots plus the test bots of
// testdata/bots. It is closed when the test ends.
func MustRunMain(t *testing.T, opts ...func(*Config)) *testServer {
	t.Helper()
	c := testConfig(t)
	for _, o := range opts {
		o(&c)
	}
	return mustStart(t, c)
}

// testConfig is the configuration of one test server. Servers started
// from one Config share their database, as a restarted server does.
func testConfig(t *testing.T) Config {
	t.Helper()
	return Config{
		Addr: "127.0.0.1:0", Data: t.TempDir(), Bots: testBots(t), JWTSecret: testSecret,
		RateLimits: "off", AnonymousTTL: 30 * time.Minute, TurnTimeout: 2 * time.Second, LogLevel: "info",
		DialogIdleEvict: 5 * time.Minute, DatabaseURL: testDatabaseURL(t), LLMTimeout: 10 * time.Second,
	}
}

// testServer is a running Main and what it logged.
type testServer struct {
	*Main
	logs        *testWriter
	urlOverride string // a server in another process
}

// URL is the server's base URL.
func (s *testServer) URL() string {
	if s.urlOverride != "" {
		return s.urlOverride
	}
	return s.Main.URL()
}

func mustStart(t *testing.T, c Config) *testServer {
	t.Helper()
	log, logs := newTestLogger(t)
	m := &Main{Config: c, Log: log}
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return &testServer{Main: m, logs: logs}
}

// testBots is a bots directory: the built-in bots and testdata/bots.
func testBots(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, bots.FS); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(dir, os.DirFS("testdata/bots")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// token returns a JWT for user signed with the test secret.
func tokenFor(t *testing.T, user string) string {
	t.Helper()
	var out bytes.Buffer
	args := []string{"token", "--user", user, "--jwt-secret", testSecret, "--data", t.TempDir()}
	if code := run(context.Background(), args, &out, io.Discard); code != 0 {
		t.Fatalf("parley token exited %d", code)
	}
	return strings.TrimSpace(out.String())
}

// api sends a REST request and decodes the JSON answer into out (if not
// nil). It returns the status.
func api(t *testing.T, m *testServer, method, path, token string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, m.URL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %d %q: %v", method, path, resp.StatusCode, data, err)
		}
	}
	return resp.StatusCode
}

// writeBot adds a bot to a bots directory.
func writeBot(t *testing.T, dir, slug, yaml, lua string) {
	t.Helper()
	p := filepath.Join(dir, slug)
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(p, "bot.yaml"), []byte(yaml), 0o644)
	os.WriteFile(filepath.Join(p, "start.lua"), []byte(lua), 0o644)
}

func jsonBody(t *testing.T, v any) io.Reader {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(b)
}

// hostOf is the server's host:port.
func hostOf(s *testServer) string { return strings.TrimPrefix(s.URL(), "http://") }

// waitUntil polls cond until it holds, failing the test after waitFor. It
// is for effects that have no frame to wait on.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
