package supportapp

import (
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"

	"parley/runtime"
)

// The support app's REST API, under RESTBase (docs/socketio.md, "REST").
// Each endpoint is one method of REST in the rest_*.go files; they read
// the caller (rest_auth.go), call the hub and answer with the app's
// envelope (rest_reply.go). The ServeMux patterns are Go 1.22's, with
// methods, so a path the app does not have is 404 in the app's shape.

// RESTBase is where the API is mounted: cmd/parley routes RESTBase+"/"
// here, ahead of /api/.
const RESTBase = "/api/v1/chat"

// RESTConfig configures the API.
type RESTConfig struct {
	Hub  *runtime.Hub
	Auth runtime.Authenticator // bearer JWTs; nil refuses them
	// APIKeys checks the X-API-Key header, as /api does; nil refuses keys.
	APIKeys runtime.Authenticator
	Logger  *slog.Logger
	// TrustedProxies are the peers whose X-Forwarded-For names the
	// client (the rate limits' address); none by default.
	TrustedProxies []netip.Prefix
	// MaxBody bounds a JSON request body (default 64 KiB); a larger one
	// is 413. POST /media has the hub's upload limits instead.
	MaxBody int64
	// AllowedOrigins are the browser origins besides the server's own
	// that may call the API (CORS, rest_cors.go), as /ws has them: host
	// patterns ("*.example.com") or origins ("https://app.example.com").
	AllowedOrigins []string
}

// REST serves RESTBase.
type REST struct {
	cfg      RESTConfig
	hub      *runtime.Hub
	log      *slog.Logger
	mux      *http.ServeMux
	patterns []string
	seen     seenUsers
}

// NewREST returns the handler of RESTBase.
func NewREST(cfg RESTConfig) *REST {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 64 << 10
	}
	a := &REST{cfg: cfg, hub: cfg.Hub, log: cfg.Logger, mux: http.NewServeMux()}
	a.routes()
	return a
}

// routes is socketio.md's table, with who may call each endpoint.
func (a *REST) routes() {
	a.handle("POST /conversations", a.serve(usersOnly, a.postConversation))
	a.handle("GET /conversations", a.serve(anyone, a.listConversations))
	a.handle("PATCH /conversations/{conversationId}/read", a.serve(anyone, a.markRead))
	a.handle("PATCH /conversations/{conversationId}/status", a.serve(deskOnly, a.setStatus))
	a.handle("GET /messages/{conversationId}", a.serve(anyone, a.listMessages))
	a.handle("POST /messages", a.serve(anyone, a.postMessage))
	a.handle("POST /media", a.serve(anyone, a.postMedia))
	a.handle("GET /support/conversations", a.serve(deskOnly, a.deskConversations))
	a.handle("POST /support/reassign", a.serve(adminsOnly, a.reassign))
	a.handle("GET /support/stats", a.serve(deskOnly, a.stats))
	a.mux.HandleFunc(RESTBase+"/", a.unrouted) // not in Patterns: no endpoint
}

// handle registers h for "METHOD path" under RESTBase.
func (a *REST) handle(pattern string, h http.HandlerFunc) {
	method, path, _ := strings.Cut(pattern, " ")
	p := method + " " + RESTBase + path
	a.patterns = append(a.patterns, p)
	a.mux.HandleFunc(p, h)
}

// Patterns lists the ServeMux patterns of the endpoints, so that a test
// can hold them against the OpenAPI document.
func (a *REST) Patterns() []string { return append([]string(nil), a.patterns...) }

func (a *REST) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if a.cors(w, r) {
		return // a preflight, answered
	}
	a.mux.ServeHTTP(w, r)
}

// unrouted answers every other path under RESTBase.
func (a *REST) unrouted(w http.ResponseWriter, r *http.Request) {
	a.fail(w, runtime.Errorf(runtime.KindNotFound, "no endpoint %s %s", r.Method, r.URL.Path))
}
