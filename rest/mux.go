package rest

import "net/http"

// Mux is an http.ServeMux that remembers the patterns registered on it,
// so that a test can hold every route against the OpenAPI document
// (cmd/parley/openapi_test.go). Registering goes through it as through a
// ServeMux: a new route is seen without anyone listing it twice.
type Mux struct {
	*http.ServeMux
	patterns []string
}

// NewMux returns an empty Mux.
func NewMux() *Mux { return &Mux{ServeMux: http.NewServeMux()} }

// Handle registers h for pattern, as http.ServeMux.Handle does.
func (m *Mux) Handle(pattern string, h http.Handler) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.Handle(pattern, h)
}

// HandleFunc registers f for pattern, as http.ServeMux.HandleFunc does.
func (m *Mux) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	m.Handle(pattern, http.HandlerFunc(f))
}

// Patterns lists the patterns registered, in order.
func (m *Mux) Patterns() []string { return append([]string(nil), m.patterns...) }
