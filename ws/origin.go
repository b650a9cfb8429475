package ws

import (
	"net/http"
	"net/url"
	"path"
	"strings"
)

// originAllowed applies the origin rule of protocol §3: no Origin header is
// a non-browser client; otherwise the origin's host must be the request's
// own host or match an allowed pattern.
func (h *Handler) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, pattern := range h.cfg.AllowedOrigins {
		if originMatches(pattern, u) {
			return true
		}
	}
	return false
}

// originMatches matches a pattern against the origin's host, or against
// the whole origin when the pattern has a scheme ("https://*.example.com").
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
