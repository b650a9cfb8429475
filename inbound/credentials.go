package inbound

import (
	"net/http"
	"strings"

	"parley/runtime"
)

// Credentials read who an HTTP request says it is, the same way for the
// WebSocket and the REST handlers.
type Credentials struct {
	Auth    runtime.Authenticator // bearer JWTs in Authorization; nil refuses them
	APIKeys runtime.Authenticator // the X-API-Key header; nil refuses keys
}

// FromHeaders authenticates the request's headers: an API key
// (X-API-Key), which wins, or else a bearer token (Authorization). found
// is false when there is neither, and the caller decides what that means
// (a ticket, an anonymous visitor). Credentials that are there but bad
// are an error, never anonymous. id.IP is left to the caller.
func (c Credentials) FromHeaders(r *http.Request) (id runtime.Identity, found bool, err error) {
	if key := r.Header.Get("X-API-Key"); key != "" {
		if c.APIKeys == nil {
			return id, true, runtime.Errorf(runtime.KindUnauthorized, "API keys are not enabled on this server")
		}
		id, err = c.APIKeys.Authenticate(r.Context(), strings.TrimSpace(key))
		return id, true, err
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return id, false, nil
	}
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || c.Auth == nil {
		return id, true, runtime.Errorf(runtime.KindUnauthorized, "the Authorization header must be \"Bearer <JWT>\"")
	}
	id, err = c.Auth.Authenticate(r.Context(), strings.TrimSpace(token))
	return id, true, err
}
