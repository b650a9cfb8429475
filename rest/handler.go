package rest

import (
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"parley/runtime"
)

// Config configures the API handler.
type Config struct {
	Hub  *runtime.Hub
	Auth runtime.Authenticator
	// APIKeys checks the X-API-Key header; nil refuses every key.
	APIKeys runtime.Authenticator
	Logger  *slog.Logger
	// MaxBody is the largest request body in bytes (default 64 KiB); a
	// larger one is answered 413 too_large.
	MaxBody int64
	// TrustedProxies are the peers whose X-Forwarded-For names the
	// client (inbound.ClientIP); none by default.
	TrustedProxies []netip.Prefix
	// SSEHeartbeat is how often an SSE stream sends event: ping (default
	// 15s), so that proxies do not close an idle stream and the server
	// notices a client that is gone.
	SSEHeartbeat time.Duration
	// SSEWriteTimeout bounds each write of an SSE stream (default 10s):
	// a client that reads too slowly is disconnected, as a socket is.
	SSEWriteTimeout time.Duration
	// ChatTimeout bounds how long POST /api/bots/:id/chat waits for the
	// bot's reply (default 30 s); then it answers with what there is and
	// "complete": false, and the stream ends.
	ChatTimeout time.Duration
}

// Handler serves /api.
type Handler struct {
	cfg Config
	hub *runtime.Hub
	log *slog.Logger
	mux *Mux

	closing   chan struct{} // closed by Shutdown: SSE streams end
	closeOnce sync.Once
}

// New returns the /api handler.
func New(cfg Config) *Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 64 << 10
	}
	if cfg.SSEHeartbeat <= 0 {
		cfg.SSEHeartbeat = 15 * time.Second
	}
	if cfg.SSEWriteTimeout <= 0 {
		cfg.SSEWriteTimeout = 10 * time.Second
	}
	if cfg.ChatTimeout <= 0 {
		cfg.ChatTimeout = 30 * time.Second
	}
	h := &Handler{cfg: cfg, hub: cfg.Hub, log: cfg.Logger, mux: NewMux(), closing: make(chan struct{})}
	h.routes()
	return h
}

func (h *Handler) routes() {
	h.mux.HandleFunc("GET /api/openapi.json", h.public(h.openAPI))
	h.mux.HandleFunc("GET /api/bots", h.public(h.listBots))
	h.mux.HandleFunc("GET /api/teams", h.public(h.listTeams))
	h.mux.HandleFunc("POST /api/teams/{id}/chat", h.private(h.teamChat))
	h.mux.HandleFunc("POST /api/ws-ticket", h.private(h.issueTicket))
	h.mux.HandleFunc("POST /api/conversations/start", h.private(h.startConversation))
	h.mux.HandleFunc("POST /api/conversations", h.private(h.createConversation))
	h.mux.HandleFunc("GET /api/conversations", h.private(h.listConversations))
	h.mux.HandleFunc("PATCH /api/conversations/{id}", h.private(h.patchConversation))
	h.mux.HandleFunc("DELETE /api/conversations/{id}", h.private(h.deleteConversation))
	h.mux.HandleFunc("POST /api/conversations/{id}/bots", h.private(h.setBot))
	h.mux.HandleFunc("POST /api/conversations/{id}/assign", h.private(h.assign))
	h.mux.HandleFunc("GET /api/support/conversations", h.private(h.supportQueue))
	h.mux.HandleFunc("GET /api/support/stats", h.private(h.supportStats))
	h.mux.HandleFunc("POST /api/conversations/{id}/messages", h.private(h.postMessage))
	h.mux.HandleFunc("GET /api/conversations/{id}/history", h.private(h.history))
	h.mux.HandleFunc("POST /api/conversations/{id}/read", h.private(h.markRead))
	h.mux.HandleFunc("GET /api/conversations/{id}/events", h.conversationEvents)
	h.mux.HandleFunc("GET /api/events", h.feedEvents)
	h.mux.HandleFunc("POST /api/bots/{id}/chat", h.private(h.chat))
	h.mux.HandleFunc("POST /api/bots/{id}/chat/stream", h.private(h.chatStream))
	h.mux.HandleFunc("GET /api/bots/{id}/history", h.private(h.botHistory))
	h.mux.HandleFunc("GET /api/bots/{id}/conversations", h.private(h.botConversations))
	h.mux.HandleFunc("POST /api/bots/{id}/conversations", h.private(h.createBotConversation))
	h.mux.HandleFunc("GET /api/inbox", h.private(h.inbox))
	h.mux.HandleFunc("POST /api/uploads", h.postUploads)
	h.mux.HandleFunc("GET /api/uploads/{id}", h.getUpload)
	h.mux.HandleFunc("/api/", h.unrouted)
}

// Shutdown ends every SSE stream with a shutting_down status, as the
// server stops: http.Server.Shutdown waits for handlers to return, and a
// stream would not (register it with RegisterOnShutdown).
func (h *Handler) Shutdown() { h.closeOnce.Do(func() { close(h.closing) }) }

// Patterns lists the ServeMux patterns of the endpoints in the order they
// were registered, the catch-all "/api/" (404 for the rest) last, so that
// a test can hold them against the OpenAPI document.
func (h *Handler) Patterns() []string { return h.mux.Patterns() }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store") // files say otherwise (uploads.go)
	h.mux.ServeHTTP(w, r)
}

// apiFunc is a handler that has its caller's identity and returns an error
// instead of writing one.
type apiFunc func(w http.ResponseWriter, r *http.Request, id runtime.Identity) error

// private requires credentials.
func (h *Handler) private(f apiFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := h.identify(r)
		if err == nil && id.Anonymous {
			err = runtime.Errorf(runtime.KindUnauthorized, "send \"Authorization: Bearer <JWT>\" or \"X-API-Key\"")
		}
		h.serve(w, r, id, err, f)
	}
}

// public accepts callers with or without credentials (but not bad ones).
func (h *Handler) public(f apiFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := h.identify(r)
		h.serve(w, r, id, err, f)
	}
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, id runtime.Identity, err error, f apiFunc) {
	if err == nil {
		r.Body = http.MaxBytesReader(w, r.Body, h.cfg.MaxBody)
		err = f(w, r, id)
	}
	if err != nil {
		writeError(w, h.log, err)
	}
}
