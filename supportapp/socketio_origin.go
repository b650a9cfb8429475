package supportapp

import (
	"net/url"
	"path"
	"strings"

	"github.com/zishang520/socket.io/v3/pkg/types"

	"parley/runtime"
)

// Origins, as /ws has them: a request without an Origin header is not
// from a browser and is allowed; a browser's must be the server's own
// host or match one of AllowedOrigins, host patterns in path.Match syntax
// ("*.example.com") or whole origins ("https://app.example.com"). The
// same rule answers CORS preflights, which polling from another origin
// needs.

// allowRequest refuses a handshake or poll from an origin not allowed.
func (s *SocketIO) allowRequest(ctx *types.HttpContext) error {
	origin := ctx.Headers().Peek("Origin")
	if origin == "" || s.originAllowed(origin, ctx.Request().Host) {
		return nil
	}
	return runtime.Errorf(runtime.KindForbidden, "origin not allowed")
}

// originAllowed applies the rule to an Origin header.
func (s *SocketIO) originAllowed(origin, host string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if host != "" && strings.EqualFold(u.Host, host) {
		return true
	}
	for _, pattern := range s.cfg.AllowedOrigins {
		if originMatches(pattern, u) {
			return true
		}
	}
	return false
}

// originMatches matches a pattern against the origin's host, or against
// the whole origin when the pattern has a scheme.
func originMatches(pattern string, u *url.URL) bool {
	pattern = strings.ToLower(strings.TrimSuffix(pattern, "/"))
	target := strings.ToLower(u.Host)
	if strings.Contains(pattern, "://") {
		target = strings.ToLower(u.Scheme + "://" + u.Host)
	}
	if pattern == "*" {
		return true
	}
	ok, err := path.Match(pattern, target)
	return err == nil && ok
}
