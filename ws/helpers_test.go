package ws_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"parley/runtime"
	"parley/runtime/runtimetest"
	"parley/ws"
)

const waitFor = 10 * time.Second

var (
	alice = runtime.Identity{UserID: "alice", Name: "Alice", Role: runtime.RoleUser}
	bob   = runtime.Identity{UserID: "bob", Name: "Bob", Role: runtime.RoleUser}
	agent = runtime.Identity{UserID: "ag", Name: "Agent", Role: runtime.RoleAgent}
	admin = runtime.Identity{UserID: "root", Name: "Root", Role: runtime.RoleAdmin}
)

// engine is a runtime.DialogEngine with one default bot, "echo", whose
// dialogs run step.
type engine struct {
	step func(ctx context.Context, h runtime.DialogHost, in *runtime.Message) error
}

func (e engine) Bots() []*runtime.Bot {
	return []*runtime.Bot{{ID: "echo", Name: "Echo", Default: true}}
}

func (e engine) Script(bot runtime.BotID) (*runtime.Script, error) {
	return &runtime.Script{Bot: bot, Version: "v1"}, nil
}

func (e engine) NewDialog(_ *runtime.Session, _ *runtime.Script, h runtime.DialogHost) (runtime.Dialog, error) {
	return &dialog{step: e.step, host: h}, nil
}

// echo answers every user message with "echo: " and its content.
func echo(ctx context.Context, h runtime.DialogHost, in *runtime.Message) error {
	if in == nil {
		return nil
	}
	return h.Talk(ctx, "echo: "+in.Content)
}

func silent(context.Context, runtime.DialogHost, *runtime.Message) error { return nil }

type dialog struct {
	step func(ctx context.Context, h runtime.DialogHost, in *runtime.Message) error
	host runtime.DialogHost
}

func (d *dialog) Step(ctx context.Context, in *runtime.Message) (bool, error) {
	err := d.step(ctx, d.host, in)
	return err != nil, err
}
func (d *dialog) Close() {}

// tokens authenticates the bearer tokens "alice", "bob" and "ag" (an
// agent).
type tokens struct{}

func (tokens) Authenticate(_ context.Context, token string) (runtime.Identity, error) {
	switch token {
	case "alice":
		return alice, nil
	case "bob":
		return bob, nil
	case "ag":
		return agent, nil
	}
	return runtime.Identity{}, runtime.Errorf(runtime.KindUnauthorized, "bad token")
}

// server is /ws over a MemStore hub. ended receives once per connection
// when the server is done with it (ws.OnEnd).
type server struct {
	*httptest.Server
	hub   *runtime.Hub
	ended chan struct{}
	// returned receives when ServeHTTP returns, and subs the subscription
	// of each greeted socket (ws.OnStart); each holds the first 64.
	returned chan struct{}
	subs     chan *runtime.Subscription
}

func newServer(t *testing.T, step func(context.Context, runtime.DialogHost, *runtime.Message) error, hubCfg runtime.Config, wsCfg ws.Config) *server {
	t.Helper()
	hubCfg.Store = runtimetest.NewMemStore()
	hubCfg.Engine = engine{step: step}
	hub := runtime.New(hubCfg)
	wsCfg.Hub, wsCfg.Auth = hub, tokens{}
	wsCfg.Logger = slog.New(slog.NewTextHandler(tLog{t}, nil))
	h := ws.New(wsCfg)
	s := &server{hub: hub, ended: make(chan struct{}, 16),
		returned: make(chan struct{}, 64), subs: make(chan *runtime.Subscription, 64)}
	ws.OnEnd(h, func() { s.ended <- struct{}{} })
	ws.OnStart(h, func(sub *runtime.Subscription) {
		select {
		case s.subs <- sub:
		default: // a test that dials more than 64 sockets does not read them
		}
	})
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		select {
		case s.returned <- struct{}{}:
		default:
		}
	}))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		hub.Close(ctx)
		s.Close()
	})
	return s
}

// tLog sends the handler's log to the test's.
type tLog struct{ t *testing.T }

func (l tLog) Write(p []byte) (int, error) {
	l.t.Logf("%s", strings.TrimSpace(string(p)))
	return len(p), nil
}

// dial connects to /ws?query, as the user of token when it is set.
func (s *server) dial(t *testing.T, query, token string) *websocket.Conn {
	t.Helper()
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	url := "ws" + strings.TrimPrefix(s.URL, "http") + "/ws?" + query
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	conn.SetReadLimit(1 << 20)
	t.Cleanup(func() { conn.CloseNow() })
	return conn
}

// read returns the next frame as a map, failing after waitFor.
func read(t *testing.T, conn *websocket.Conn) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	_, data, err := conn.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var f map[string]any
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("frame %s: %v", data, err)
	}
	return f
}

func write(t *testing.T, conn *websocket.Conn, v any) {
	t.Helper()
	data, _ := json.Marshal(v)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := conn.Write(ctx, websocket.MessageText, data); err != nil {
		t.Fatalf("write: %v", err)
	}
}
