package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// HTTP from scripts: HTTP_GET and HTTP_POST reach the DialogHost's HTTP,
// which makes the request here, live, and journals the outcome (host_http.go).
// Who may be called is http_allow.go's business.

// Limits of one request (protocol §2, docs/bots.md).
const (
	MaxHTTPURL          = 4 << 10   // bytes of a URL
	MaxHTTPRequestBody  = 64 << 10  // bytes a POST may send
	MaxHTTPResponseBody = 256 << 10 // bytes of a response body; more is an error, not a truncation
	MaxHTTPRedirects    = 3
	DefaultHTTPTimeout  = 10 * time.Second // a whole request: connect, send, redirects, read
	httpDialTimeout     = 5 * time.Second
	httpUserAgent       = "Parley/1"
)

// HTTPRequest is what a script asks of HTTP_GET or HTTP_POST.
type HTTPRequest struct {
	Method      string // http.MethodGet or http.MethodPost
	URL         string // http or https
	Body        string // POST only
	ContentType string // POST only
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

func httpErrorf(format string, args ...any) *HTTPError {
	return &HTTPError{Message: fmt.Sprintf(format, args...)}
}

// fetcher makes the requests of one bot.
type fetcher struct {
	allow    allowList
	timeout  time.Duration
	resolver *net.Resolver // nil: the system's
}

// do makes req. Every error is an *HTTPError, except ctx's own when it
// ends first (the run was stopped: nothing a replay must know).
func (f fetcher) do(ctx context.Context, req HTTPRequest) (HTTPResponse, error) {
	u, err := f.check(req)
	if err != nil {
		return HTTPResponse{}, err
	}
	rctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	hreq, err := newRequest(rctx, u, req)
	if err != nil {
		return HTTPResponse{}, err
	}
	resp, err := f.client().Do(hreq)
	if err == nil {
		defer resp.Body.Close()
		var body string
		if body, err = readBody(resp, u.Host); err == nil {
			return HTTPResponse{Status: resp.StatusCode, Body: body}, nil
		}
	}
	if ctx.Err() != nil {
		return HTTPResponse{}, ctx.Err()
	}
	return HTTPResponse{}, f.failure(rctx, u, err)
}

// newRequest makes the request of a checked URL and method.
func newRequest(ctx context.Context, u *url.URL, req HTTPRequest) (*http.Request, error) {
	var body io.Reader
	if req.Method == http.MethodPost {
		body = strings.NewReader(req.Body)
	}
	hreq, err := http.NewRequestWithContext(ctx, req.Method, u.String(), body)
	if err != nil {
		return nil, httpErrorf("not a valid URL") // net/http's error would show it
	}
	hreq.Header.Set("User-Agent", httpUserAgent)
	if req.ContentType != "" {
		hreq.Header.Set("Content-Type", req.ContentType)
	}
	return hreq, nil
}

// check refuses what cannot be sent, before anything is.
func (f fetcher) check(req HTTPRequest) (*url.URL, error) {
	if req.Method != http.MethodGet && req.Method != http.MethodPost {
		return nil, httpErrorf("method %q: only GET and POST", req.Method)
	}
	if len(req.URL) > MaxHTTPURL {
		return nil, httpErrorf("the URL is longer than %d bytes", MaxHTTPURL)
	}
	if len(req.Body) > MaxHTTPRequestBody {
		return nil, httpErrorf("the request body is larger than %d KiB", MaxHTTPRequestBody>>10)
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

// client is a client of its own for one request: no cookie jar, no proxy
// from the environment, no connection kept (a pooled connection would
// skip the dial's check), redirects only to allowed hosts.
func (f fetcher) client() *http.Client {
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            f.dial,
		ForceAttemptHTTP2:      true,
		DisableKeepAlives:      true,
		TLSHandshakeTimeout:    httpDialTimeout,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &http.Client{Transport: tr, CheckRedirect: f.redirect}
}

func (f fetcher) redirect(req *http.Request, via []*http.Request) error {
	if len(via) > MaxHTTPRedirects {
		return httpErrorf("more than %d redirects", MaxHTTPRedirects)
	}
	if err := f.allowed(req.URL); err != nil {
		return httpErrorf("redirected: %v", err)
	}
	return nil
}

// dial connects to addr ("host:port" of the URL) and checks the address
// it actually connects to, after DNS: so a name cannot resolve to one
// address for a check and to another for the connection.
func (f fetcher) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	ok, exact := f.allow.match(host, port)
	if !ok {
		return nil, httpErrorf("%s is not in this bot's http_allow", addr)
	}
	d := &net.Dialer{Timeout: httpDialTimeout, Resolver: f.resolver, Control: func(_, address string, _ syscall.RawConn) error {
		return checkDialled(host, address, exact)
	}}
	return d.DialContext(ctx, network, addr)
}

// checkDialled refuses a special address unless its host is listed exactly.
func checkDialled(host, address string, exact bool) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return httpErrorf("%s: cannot check address %q", host, address)
	}
	if what, special := specialAddr(ap.Addr()); special && !exact {
		return httpErrorf("%s is at %s, a %s address: only a host listed exactly in http_allow may be", host, ap.Addr(), what)
	}
	return nil
}

// readBody reads the whole body or fails: a script must not act on half
// a document it takes for the whole.
func readBody(resp *http.Response, host string) (string, error) {
	if resp.ContentLength > MaxHTTPResponseBody {
		return "", errTooLarge(host)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxHTTPResponseBody+1))
	if err != nil {
		return "", err
	}
	if len(b) > MaxHTTPResponseBody {
		return "", errTooLarge(host)
	}
	return string(b), nil
}

func errTooLarge(host string) error {
	return httpErrorf("the response from %s is too large (over %d KiB)", host, MaxHTTPResponseBody>>10)
}

// failure turns what the client returned into an HTTPError that names the
// host, not the URL (net/http's errors quote the URL).
func (f fetcher) failure(rctx context.Context, u *url.URL, err error) error {
	var he *HTTPError
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
