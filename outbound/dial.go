package outbound

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"syscall"
)

// client is a client of its own for one request: no cookie jar, no proxy
// from the environment, no connection kept (a pooled connection would
// skip the dial's check), redirects only to allowed hosts.
func (f fetcher) client() *http.Client {
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            f.dial,
		ForceAttemptHTTP2:      true,
		DisableKeepAlives:      true,
		TLSHandshakeTimeout:    dialTimeout,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &http.Client{Transport: tr, CheckRedirect: f.redirect}
}

func (f fetcher) redirect(req *http.Request, via []*http.Request) error {
	if len(via) > MaxRedirects {
		return httpErrorf("more than %d redirects", MaxRedirects)
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
	d := &net.Dialer{Timeout: dialTimeout, Resolver: f.resolver, Control: func(_, address string, _ syscall.RawConn) error {
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
