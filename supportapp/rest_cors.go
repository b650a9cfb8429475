package supportapp

import (
	"net/http"
	"strconv"

	"parley/inbound"
	"parley/runtime"
)

// CORS: the Next.js app calls this API from the browser, often from an
// origin of its own. A request from an allowed origin (the server's own
// host, or --allowed-origins, as /ws allows them) is answered with
// Access-Control-Allow-Origin naming it; a preflight (OPTIONS with
// Access-Control-Request-Method) is answered here with what the API takes.
// Any other origin gets no CORS headers, so its browser keeps the answer
// from the page, and its preflight is 403. Credentials are bearer tokens,
// not cookies, so nothing is allowed by ambient authority.

const (
	corsMethods = "GET, POST, PATCH, OPTIONS"
	corsHeaders = "Authorization, Content-Type, X-API-Key"
	corsMaxAge  = 10 * 60 // seconds a browser may keep a preflight's answer
)

// cors sets the CORS headers of r's answer and reports whether r was a
// preflight, which it has answered.
func (a *REST) cors(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
	if origin == "" {
		return false
	}
	w.Header().Add("Vary", "Origin")
	if !inbound.OriginAllowed(origin, r.Host, a.cfg.AllowedOrigins) {
		if preflight {
			a.fail(w, runtime.Errorf(runtime.KindForbidden, "origin %s is not allowed", origin))
		}
		return preflight
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Credentials", "true")
	if !preflight {
		return false
	}
	h.Set("Access-Control-Allow-Methods", corsMethods)
	h.Set("Access-Control-Allow-Headers", corsHeaders)
	h.Set("Access-Control-Max-Age", strconv.Itoa(corsMaxAge))
	w.WriteHeader(http.StatusNoContent)
	return true
}
