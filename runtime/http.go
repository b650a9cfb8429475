package runtime

import "context"

// HTTP from scripts: HTTP_GET and HTTP_POST reach the DialogHost's HTTP,
// which asks the Hub's Fetcher for the request, live, and journals the
// outcome (host_http.go). Making the request (limits, redirects, which
// addresses may be dialled) is the Fetcher's business: package outbound
// has the one Parley uses. What bot.yaml may list under http_allow is
// http_allow.go's.

// HTTPRequest is what a script asks of HTTP_GET or HTTP_POST.
type HTTPRequest struct {
	Method      string // http.MethodGet or http.MethodPost
	URL         string // http or https
	Body        string // POST only
	ContentType string // POST only
	// MaxBody bounds the response's body, in bytes; 0 is the Fetcher's
	// own bound (package outbound's: 256 KiB). A file TALK sends from a
	// URL is bounded by the upload size limit instead.
	MaxBody int64
}

// HTTPResponse is what the script sees of an answer: any status, not only
// 2xx, with the whole body.
type HTTPResponse struct {
	Status int
	Body   string
}

// HTTPError is a request that was refused (scheme, host not in http_allow,
// a special address, too big) or failed (unreachable, timed out, response
// too large). It is the script's to handle: the host returns it, journaled
// like a response, so that a replay fails the same way. Message names the
// host, never the whole URL, which may carry secrets.
type HTTPError struct{ Message string }

func (e *HTTPError) Error() string { return e.Message }

// Fetcher makes the requests of scripts, to the hosts a bot's http_allow
// (Bot.HTTPAllow) lists. Every error is an *HTTPError, which the script
// sees, except ctx's own when it ends first (the run was stopped: nothing
// a replay must know).
type Fetcher interface {
	Fetch(ctx context.Context, allow []string, req HTTPRequest) (HTTPResponse, error)
}

// noFetcher is the Fetcher of a Hub configured without one: it refuses
// every request, as a host not in http_allow is refused.
type noFetcher struct{}

func (noFetcher) Fetch(context.Context, []string, HTTPRequest) (HTTPResponse, error) {
	return HTTPResponse{}, &HTTPError{Message: "HTTP requests are not enabled on this server"}
}
