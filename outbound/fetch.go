package outbound

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"parley/runtime"
)

// A request of a script (HTTP_GET, HTTP_POST), made live: the runtime
// journals its outcome. Who may be called is allow.go's business.

// Limits of one request (protocol §2, docs/bots.md).
const (
	MaxURL          = 4 << 10   // bytes of a URL
	MaxRequestBody  = 64 << 10  // bytes a POST may send
	MaxResponseBody = 256 << 10 // bytes of a response body; more is an error, not a truncation
	MaxRedirects    = 3
	DefaultTimeout  = 10 * time.Second // a whole request: connect, send, redirects, read
	dialTimeout     = 5 * time.Second
	userAgent       = "Parley/1"
)

func httpErrorf(format string, args ...any) *runtime.HTTPError {
	return &runtime.HTTPError{Message: fmt.Sprintf(format, args...)}
}

// Client is the runtime.Fetcher that Parley uses. Its zero value is
// ready to use.
type Client struct {
	// Timeout bounds one request from connect to the last byte of the
	// body, redirects included (default 10s); a request over it is an
	// error the script sees.
	Timeout time.Duration
}

var _ runtime.Fetcher = Client{}

// Fetch makes req if allow (a bot's http_allow) lets it through.
func (c Client) Fetch(ctx context.Context, allow []string, req runtime.HTTPRequest) (runtime.HTTPResponse, error) {
	f := fetcher{allow: parseAllowList(allow), timeout: c.Timeout}
	if f.timeout <= 0 {
		f.timeout = DefaultTimeout
	}
	return f.do(ctx, req)
}

// fetcher makes the requests of one bot.
type fetcher struct {
	allow    allowList
	timeout  time.Duration
	resolver *net.Resolver // nil: the system's
}

// do makes req. Every error is a *runtime.HTTPError, except ctx's own
// when it ends first (the run was stopped: nothing a replay must know).
func (f fetcher) do(ctx context.Context, req runtime.HTTPRequest) (runtime.HTTPResponse, error) {
	u, err := f.check(req)
	if err != nil {
		return runtime.HTTPResponse{}, err
	}
	rctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	hreq, err := newRequest(rctx, u, req)
	if err != nil {
		return runtime.HTTPResponse{}, err
	}
	resp, err := f.client().Do(hreq)
	if err == nil {
		defer resp.Body.Close()
		var body string
		limit := int64(MaxResponseBody)
		if req.MaxBody > 0 {
			limit = req.MaxBody
		}
		if body, err = readBody(resp, u.Host, limit); err == nil {
			return runtime.HTTPResponse{Status: resp.StatusCode, Body: body}, nil
		}
	}
	if ctx.Err() != nil {
		return runtime.HTTPResponse{}, ctx.Err()
	}
	return runtime.HTTPResponse{}, f.failure(rctx, u, err)
}

// newRequest makes the request of a checked URL and method.
func newRequest(ctx context.Context, u *url.URL, req runtime.HTTPRequest) (*http.Request, error) {
	var body io.Reader
	if req.Method == http.MethodPost {
		body = strings.NewReader(req.Body)
	}
	hreq, err := http.NewRequestWithContext(ctx, req.Method, u.String(), body)
	if err != nil {
		return nil, httpErrorf("not a valid URL") // net/http's error would show it
	}
	hreq.Header.Set("User-Agent", userAgent)
	if req.ContentType != "" {
		hreq.Header.Set("Content-Type", req.ContentType)
	}
	return hreq, nil
}

// check refuses what cannot be sent, before anything is.
func (f fetcher) check(req runtime.HTTPRequest) (*url.URL, error) {
	if req.Method != http.MethodGet && req.Method != http.MethodPost {
		return nil, httpErrorf("method %q: only GET and POST", req.Method)
	}
	if len(req.URL) > MaxURL {
		return nil, httpErrorf("the URL is longer than %d bytes", MaxURL)
	}
	if len(req.Body) > MaxRequestBody {
		return nil, httpErrorf("the request body is larger than %d KiB", MaxRequestBody>>10)
	}
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, httpErrorf("not a valid URL")
	}
	return u, f.allowed(u)
}

// allowed checks a URL (the first or a redirect's) against the scheme
// rule and http_allow.
func (f fetcher) allowed(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return httpErrorf("only http and https URLs can be fetched, not %q", u.Scheme)
	}
	if u.Hostname() == "" {
		return httpErrorf("the URL has no host")
	}
	if ok, _ := f.allow.match(u.Hostname(), portOf(u)); !ok {
		return httpErrorf("%s is not in this bot's http_allow", u.Host)
	}
	return nil
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

// readBody reads the whole body, at most limit bytes, or fails: a script
// must not act on half a document it takes for the whole.
func readBody(resp *http.Response, host string, limit int64) (string, error) {
	if resp.ContentLength > limit {
		return "", errTooLarge(host, limit)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return "", err
	}
	if int64(len(b)) > limit {
		return "", errTooLarge(host, limit)
	}
	return string(b), nil
}

func errTooLarge(host string, limit int64) error {
	return httpErrorf("the response from %s is too large (over %s)", host, sizeText(limit))
}

// sizeText writes a limit in the largest unit that divides it: "256 KiB",
// "10 MiB", "1500 bytes".
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// failure turns what the client returned into an runtime.HTTPError that names the
// host, not the URL (net/http's errors quote the URL).
func (f fetcher) failure(rctx context.Context, u *url.URL, err error) error {
	var he *runtime.HTTPError
	switch {
	case errors.As(err, &he):
		return he
	case errors.Is(rctx.Err(), context.DeadlineExceeded):
		return httpErrorf("%s did not answer within %v", u.Host, f.timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return httpErrorf("request to %s failed: %v", u.Host, err)
}
