package rest

import (
	"net/http"
	"strings"

	"parley/runtime"
)

// identify returns the caller: the user of an API key (X-API-Key, which
// wins over Authorization) or of a bearer token, or an anonymous
// visitor known by address when there are no credentials. Bad credentials
// are an error, never anonymous.
func (h *Handler) identify(r *http.Request) (runtime.Identity, error) {
	ip := runtime.ClientIP(r, h.cfg.TrustedProxies)
	if key := r.Header.Get("X-API-Key"); key != "" {
		if h.cfg.APIKeys == nil {
			return runtime.Identity{}, runtime.Errorf(runtime.KindUnauthorized, "API keys are not enabled on this server")
		}
		id, err := h.cfg.APIKeys.Authenticate(r.Context(), strings.TrimSpace(key))
		id.IP = ip
		return id, err
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return runtime.Identity{Anonymous: true, IP: ip}, nil
	}
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || h.cfg.Auth == nil {
		return runtime.Identity{}, runtime.Errorf(runtime.KindUnauthorized, "the Authorization header must be \"Bearer <JWT>\"")
	}
	id, err := h.cfg.Auth.Authenticate(r.Context(), strings.TrimSpace(token))
	id.IP = ip
	return id, err
}
