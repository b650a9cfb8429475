package ws

import (
	"net/http"

	"parley/inbound"
)

// originAllowed applies the origin rule of protocol §3 (inbound.OriginAllowed):
// no Origin header is a non-browser client; otherwise the origin's host
// must be the request's own host or match an allowed pattern.
func (h *Handler) originAllowed(r *http.Request) bool {
	return inbound.OriginAllowed(r.Header.Get("Origin"), r.Host, h.cfg.AllowedOrigins)
}
