package rest_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"parley/rest"
	"parley/runtime"
	"parley/runtime/runtimetest"
)

// engine has two bots, "echo" (the default) and "other"; its dialogs
// never answer, so that what is stored is what the test sent.
type engine struct{}

func (engine) Bots() []*runtime.Bot {
	return []*runtime.Bot{
		{ID: "echo", Name: "Echo", Description: "says it back", Default: true},
		{ID: "other", Name: "Other", Description: "for users"},
	}
}

func (engine) Script(bot runtime.BotID) (*runtime.Script, error) {
	return &runtime.Script{Bot: bot, Version: "v1"}, nil
}

func (engine) NewDialog(*runtime.Session, *runtime.Script, runtime.DialogHost) (runtime.Dialog, error) {
	return quiet{}, nil
}

type quiet struct{}

func (quiet) Step(context.Context, *runtime.Message) (bool, error) { return false, nil }
func (quiet) Close()                                               {}

// api is /api over a MemStore hub, with JWT and API key auth.
type api struct {
	*httptest.Server
	hub   *runtime.Hub
	jwt   *rest.JWT
	store *runtimetest.MemStore
	keys  *rest.APIKeys
}

// newAPI serves /api over a hub made with hubCfg (its Engine, when nil,
// is engine); opts change the handler's Config.
func newAPI(t *testing.T, hubCfg runtime.Config, opts ...func(*rest.Config)) *api {
	t.Helper()
	store := runtimetest.NewMemStore()
	store.Now = hubCfg.Now // one clock for the hub and the store (nil: time.Now)
	hubCfg.Store = store
	if hubCfg.Engine == nil {
		hubCfg.Engine = engine{}
	}
	hub := runtime.New(hubCfg)
	j := &rest.JWT{Secret: secret}
	log := slog.New(slog.NewTextHandler(tLog{t}, nil))
	keys := &rest.APIKeys{Store: store, Logger: log}
	cfg := rest.Config{Hub: hub, Auth: j, APIKeys: keys, Logger: log}
	for _, o := range opts {
		o(&cfg)
	}
	srv := httptest.NewServer(rest.New(cfg))
	a := &api{Server: srv, hub: hub, jwt: j, store: store, keys: keys}
	t.Cleanup(func() {
		a.Close()
		hub.Close(context.Background())
	})
	return a
}

type tLog struct{ t *testing.T }

func (l tLog) Write(p []byte) (int, error) {
	l.t.Logf("%s", strings.TrimSpace(string(p)))
	return len(p), nil
}

// token returns a bearer token for user with role.
func (a *api) token(t *testing.T, user, role string) string {
	t.Helper()
	tok, err := a.jwt.Sign(user, strings.ToUpper(user[:1])+user[1:], role, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// reply is an answer: its status, headers and JSON body.
type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// do sends a request with a bearer token (none when empty) and decodes
// the JSON answer; every answer of /api must be JSON.
func (a *api) do(t *testing.T, method, path, token, body string) reply {
	t.Helper()
	req, err := http.NewRequest(method, a.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s %s: Content-Type %q, body %s", method, path, ct, raw)
	}
	if err := json.Unmarshal(raw, &r.body); err != nil {
		t.Fatalf("%s %s: %v in %s", method, path, err, raw)
	}
	return r
}

// expect checks the status and, for errors, the code.
func (r reply) expect(t *testing.T, status int, code string) reply {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	if code != "" && (r.body["error"] != code || r.body["message"] == "" || len(r.body) != 2) {
		t.Fatalf("body %s, want {error:%q, message}", r.raw, code)
	}
	return r
}

// fields returns the sorted keys of a JSON object, comma-separated.
func fields(v any) string {
	m, _ := v.(map[string]any)
	return strings.Join(slices.Sorted(maps.Keys(m)), ",")
}
