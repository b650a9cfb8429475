package outbound

import (
	"net/netip"
	"strings"

	"parley/runtime"
)

// What an http_allow entry (runtime.HTTPAllowEntry, whose syntax is
// runtime's) lets a request reach. A request goes out only to a host:port
// an entry matches.
//
// After DNS, the address actually dialled must not be loopback, private,
// link-local, CGNAT, unspecified, multicast or reserved (specialAddr),
// unless the host was listed exactly (no wildcard): the operator who
// lists "localhost:9000" or "inventory.internal" means that host, wherever
// it is. A wildcard never reaches such an address, so a subdomain whose
// DNS someone else controls cannot be pointed at the inside, not even by
// rebinding between a check and the dial: the check is on the dial.

// allowList is a bot's http_allow, parsed. Entries that do not parse are
// skipped: the loader refuses them, so only a DialogEngine that did not
// validate can hand them over, and a skipped entry only refuses more.
type allowList []runtime.HTTPAllowEntry

func parseAllowList(entries []string) allowList {
	l := make(allowList, 0, len(entries))
	for _, s := range entries {
		if e, err := runtime.ParseHTTPAllow(s); err == nil {
			l = append(l, e)
		}
	}
	return l
}

// match reports whether host:port may be requested, and whether an entry
// names it exactly (which lets it resolve to a special address). host is
// as in a URL: lower-cased here, IPv6 without brackets, a final dot ignored.
func (l allowList) match(host, port string) (ok, exact bool) {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for _, e := range l {
		if e.Port != port && (e.Port != "" || port != "80" && port != "443") {
			continue
		}
		switch {
		case !e.Wildcard && e.Host == host:
			return true, true
		case e.Wildcard && strings.HasSuffix(host, "."+e.Host):
			ok = true
		}
	}
	return ok, false
}

// specialNets are the addresses a request reaches only through an exact
// http_allow entry: what is inside the server's network or the server
// itself, and what is not a single host at all.
var specialNets = []struct {
	prefix netip.Prefix
	what   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared (CGNAT)"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"}, // cloud metadata: 169.254.169.254
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"}, // and 255.255.255.255
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("fc00::/7"), "private"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("fec0::/10"), "private"}, // site-local, deprecated
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
}

// nat64 is the well-known NAT64 prefix: its addresses reach the IPv4
// address in their last four bytes.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// specialAddr says whether ip is one a wildcard entry may not reach, and
// what kind it is. IPv4 inside IPv6 (::ffff:a.b.c.d, 64:ff9b::a.b.c.d) is
// judged as the IPv4 address it reaches.
func specialAddr(ip netip.Addr) (what string, special bool) {
	ip = ip.Unmap().WithZone("")
	if nat64.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte(b[12:]))
	}
	for _, n := range specialNets {
		if n.prefix.Contains(ip) {
			return n.what, true
		}
	}
	return "", false
}
