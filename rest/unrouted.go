package rest

import (
	"net/http"
	"strings"

	"parley/runtime"
)

// methods are those the API routes; a path routed for some of them
// answers any other with 405 and Allow.
var methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}

// unrouted answers what no route matches: 405 method_not_allowed with
// Allow when the path has routes for other methods, else 404. (The
// catch-all "/api/" matches every method, so ServeMux's own 405 never
// comes.)
func (h *Handler) unrouted(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range methods {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := h.mux.Handler(probe); pattern != "/api/" && pattern != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		writeError(w, h.log, runtime.Errorf(runtime.KindNotFound, "no such endpoint: %s %s", r.Method, r.URL.Path))
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	writeJSON(w, http.StatusMethodNotAllowed, errorBody{
		Error:   "method_not_allowed",
		Message: r.Method + " is not allowed here; use " + strings.Join(allow, " or "),
	})
}
