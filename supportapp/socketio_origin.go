package supportapp

import (
	"github.com/zishang520/socket.io/v3/pkg/types"

	"parley/inbound"
	"parley/runtime"
)

// Origins, as /ws has them (inbound.OriginAllowed): a request without an
// Origin header is not from a browser and is allowed; a browser's must
// be the server's own host or match one of AllowedOrigins. The same rule
// answers CORS preflights, which polling from another origin needs.

// allowRequest refuses a handshake or poll from an origin not allowed.
func (s *SocketIO) allowRequest(ctx *types.HttpContext) error {
	origin := ctx.Headers().Peek("Origin")
	if origin == "" || inbound.OriginAllowed(origin, ctx.Request().Host, s.cfg.AllowedOrigins) {
		return nil
	}
	return runtime.Errorf(runtime.KindForbidden, "origin not allowed")
}

// corsAllowed is the CORS rule: an origin allowed by pattern (the
// server's own origin needs no CORS).
func (s *SocketIO) corsAllowed(origin string) bool {
	return inbound.OriginAllowed(origin, "", s.cfg.AllowedOrigins)
}
