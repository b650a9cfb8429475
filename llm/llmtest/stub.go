// Package llmtest has a local stub of an OpenAI-compatible
// chat-completions endpoint, for tests that must never reach the
// internet. It streams like the real API: Server-Sent Events, one
// chat.completion.chunk per piece of the reply, then "data: [DONE]".
package llmtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
)

// Request is what a call asked, as the stub read it.
type Request struct {
	Model       string    `json:"model"`
	Messages    []Message `json:"messages"`
	Temperature *float64  `json:"temperature"`
	MaxTokens   int       `json:"max_tokens"`
	Stream      bool      `json:"stream"`
	Auth        string    `json:"-"` // the Authorization header
}

// Message is one message of a Request.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Last is the content of the request's last message.
func (r Request) Last() string {
	if len(r.Messages) == 0 {
		return ""
	}
	return r.Messages[len(r.Messages)-1].Content
}

// Server is the stub. By default each call is answered with Reply's
// chunks at once; Fail makes calls fail, Hold makes each chunk after the
// first wait for Release (and a call that is never released stalls, as a
// hung endpoint does, until its client gives up or Close).
type Server struct {
	*httptest.Server
	hits atomic.Int64

	mu     sync.Mutex
	reqs   []Request
	reply  func(Request) []string
	status int    // Fail's
	errMsg string // Fail's
	held   bool
	gate   chan struct{}
	closed chan struct{}
}

// NewServer starts a stub; its base URL (for --llm-base-url) is BaseURL.
// It is closed when the test ends.
func NewServer(t interface{ Cleanup(func()) }) *Server {
	s := &Server{reply: Echo, gate: make(chan struct{}, 1024), closed: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Close stops the stub, ending the calls it holds first.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.closed:
	default:
		close(s.closed)
	}
	s.mu.Unlock()
	s.Server.Close()
}

// BaseURL is the endpoint's base URL, as an OpenAI client takes it.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Echo is the default reply: "You said: " and the last message, in
// chunks of a word.
func Echo(r Request) []string { return Words("You said: " + r.Last()) }

// Words cuts text into chunks of one word each, with its space.
func Words(text string) []string {
	var out []string
	for w := range strings.SplitAfterSeq(text, " ") {
		out = append(out, w)
	}
	return out
}

// Reply sets how calls are answered: the chunks of the reply to r.
func (s *Server) Reply(f func(r Request) []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reply = f
}

// Fail makes calls answer status with an OpenAI-style error body;
// status 0 makes them succeed again.
func (s *Server) Fail(status int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.errMsg = status, message
}

// Hold makes every chunk after a reply's first wait for a Release.
func (s *Server) Hold(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.held = on
}

// Release lets n held chunks go, in order.
func (s *Server) Release(n int) {
	for range n {
		s.gate <- struct{}{}
	}
}

// Hits is the number of chat-completion calls the stub has had.
func (s *Server) Hits() int64 { return s.hits.Load() }

// Requests returns the calls' requests, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/chat/completions") {
		http.NotFound(w, r)
		return
	}
	var req Request
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req.Auth = r.Header.Get("Authorization")
	s.hits.Add(1)
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	status, msg, reply, held := s.status, s.errMsg, s.reply, s.held
	s.mu.Unlock()
	if status != 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": "stub_error"}})
		return
	}
	s.stream(w, r, req, reply(req), held)
}

// stream writes chunks as the real API does, flushing each.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, req Request, chunks []string, held bool) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	flusher, _ := w.(http.Flusher)
	id := fmt.Sprintf("chatcmpl-stub-%d", s.hits.Load())
	for i, c := range chunks {
		if i > 0 && held {
			select {
			case <-s.gate:
			case <-r.Context().Done():
				return
			case <-s.closed:
				return
			}
		}
		writeChunk(w, id, req.Model, map[string]any{"content": c}, nil)
		if flusher != nil {
			flusher.Flush()
		}
	}
	stop := "stop"
	writeChunk(w, id, req.Model, map[string]any{}, &stop)
	fmt.Fprint(w, "data: [DONE]\n\n")
}

func writeChunk(w http.ResponseWriter, id, model string, delta map[string]any, finish *string) {
	b, _ := json.Marshal(map[string]any{
		"id": id, "object": "chat.completion.chunk", "created": 1700000000, "model": model,
		"choices": []map[string]any{{"index": 0, "delta": delta, "finish_reason": finish}},
	})
	fmt.Fprintf(w, "data: %s\n\n", b)
}
