package inbound

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"parley/runtime"
)

// ClientIP is the address a request comes from, for the limits kept per
// address. It is the peer of the TCP connection, unless that peer is one
// of the trusted proxies: then it is the nearest address in
// X-Forwarded-For that is not a trusted proxy itself (read from the
// right, since a client can put anything on the left).
func ClientIP(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if len(trusted) == 0 || !isTrusted(host, trusted) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if _, err := netip.ParseAddr(hop); err != nil {
			break // garbage: stop at the last address a proxy vouched for
		}
		if !isTrusted(hop, trusted) {
			return hop
		}
		host = hop
	}
	return host
}

func isTrusted(ip string, trusted []netip.Prefix) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ParseTrustedProxies reads addresses and CIDR prefixes ("10.0.0.0/8",
// "127.0.0.1").
func ParseTrustedProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return nil, runtime.Errorf(runtime.KindInvalid, "trusted proxy %q is not an address or a prefix", s)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, runtime.Errorf(runtime.KindInvalid, "trusted proxy %q is not an address or a prefix", s)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
