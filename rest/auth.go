package rest

import (
	"net/http"

	"parley/inbound"
	"parley/runtime"
)

// identify returns the caller: the user of an API key (X-API-Key, which
// wins over Authorization) or of a bearer token, or an anonymous
// visitor known by address when there are no credentials. Bad credentials
// are an error, never anonymous.
func (h *Handler) identify(r *http.Request) (runtime.Identity, error) {
	id, found, err := inbound.Credentials{Auth: h.cfg.Auth, APIKeys: h.cfg.APIKeys}.FromHeaders(r)
	if !found {
		id = runtime.Identity{Anonymous: true}
	}
	id.IP = inbound.ClientIP(r, h.cfg.TrustedProxies)
	return id, err
}
