package inbound

import (
	"net/url"
	"path"
	"strings"
)

// OriginAllowed applies the origin rule of protocol §3 to a request's
// Origin header: none ("") is a client that is not a browser, and is
// allowed; a browser's origin must have the request's own host, or match
// one of patterns (the configuration's allowed origins): host patterns in
// path.Match syntax ("*.example.com"), or whole origins with a scheme
// ("https://app.example.com"), or "*" for any. /ws refuses other origins;
// the support app's REST API answers them without CORS headers.
func OriginAllowed(origin, host string, patterns []string) bool {
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, host) {
		return true
	}
	for _, pattern := range patterns {
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
