package runtime

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// Where HTTP_GET and HTTP_POST may go: a bot's bot.yaml lists hosts under
// http_allow (Bot.HTTPAllow), and a request goes out only to a listed host.
// An entry is
//
//	api.example.com        that host, on ports 80 and 443
//	api.example.com:8080   that host, on that port only
//	*.example.com          any subdomain (a.example.com, a.b.example.com,
//	                       not example.com itself), on ports 80 and 443
//	*.example.com:8080     any subdomain, on that port
//	127.0.0.1:9000, [::1]:9000, localhost:9000   addresses and names alike
//
// Names compare case-insensitively; IDNs are written in punycode. A
// wildcard is only "*." in front of a name with at least two labels.
//
// After DNS, the address actually dialled must not be loopback, private,
// link-local, CGNAT, unspecified, multicast or reserved (specialAddr),
// unless the host was listed exactly (no wildcard): the operator who
// lists "localhost:9000" or "inventory.internal" means that host, wherever
// it is. A wildcard never reaches such an address, so a subdomain whose
// DNS someone else controls cannot be pointed at the inside, not even by
// rebinding between a check and the dial: the check is on the dial.

// allowEntry is one parsed http_allow entry.
type allowEntry struct {
	host string // lower case; IPv6 without brackets; after "*." for wildcards
	port string // "" = 80 and 443
	wild bool
}

// ValidateHTTPAllow checks one http_allow entry of a bot.yaml; the error
// says what is wrong with it.
func ValidateHTTPAllow(entry string) error {
	_, err := parseAllowEntry(entry)
	return err
}

func parseAllowEntry(s string) (allowEntry, error) {
	if s == "" || strings.ContainsAny(s, " \t/@?#") || strings.Contains(s, "://") {
		return allowEntry{}, fmt.Errorf("%q: an entry is a host, host:port or *.domain, without scheme or path", s)
	}
	var e allowEntry
	rest := strings.ToLower(s)
	if after, ok := strings.CutPrefix(rest, "*."); ok {
		e.wild, rest = true, after
	}
	host, port, err := splitAllowHostPort(rest)
	if err == nil && strings.HasPrefix(rest, "[") {
		if ip, perr := netip.ParseAddr(host); perr != nil || !ip.Is6() {
			err = errors.New("only an IPv6 address goes in brackets")
		}
	}
	if err != nil {
		return allowEntry{}, fmt.Errorf("%q: %w", s, err)
	}
	e.host, e.port = host, port
	if err := e.check(); err != nil {
		return allowEntry{}, fmt.Errorf("%q: %w", s, err)
	}
	return e, nil
}

// splitAllowHostPort splits "host", "host:port", "[v6]" or "[v6]:port".
func splitAllowHostPort(s string) (host, port string, err error) {
	if strings.HasPrefix(s, "[") {
		if strings.HasSuffix(s, "]") {
			return s[1 : len(s)-1], "", nil
		}
		return net.SplitHostPort(s)
	}
	host, port, found := strings.Cut(s, ":")
	if strings.Contains(port, ":") {
		return "", "", errors.New("write an IPv6 address in brackets, as [::1] or [::1]:8080")
	}
	if found && port == "" {
		return "", "", errors.New("the port is missing after ':'")
	}
	return host, port, nil
}

func (e allowEntry) check() error {
	if e.port != "" {
		if n, err := strconv.Atoi(e.port); err != nil || n < 1 || n > 65535 || e.port[0] == '0' {
			return errors.New("the port must be a number from 1 to 65535")
		}
	}
	if ip, err := netip.ParseAddr(e.host); err == nil {
		if e.wild || ip.Zone() != "" {
			return errors.New("a wildcard or zone does not go with an address")
		}
		return nil
	}
	if !validHostName(e.host) {
		return errors.New("not a host name or IP address")
	}
	if e.wild && !strings.Contains(e.host, ".") {
		return errors.New("a wildcard needs a domain of two labels or more, as *.example.com")
	}
	return nil
}

// validHostName accepts DNS names of letters, digits, '-' and '_' (found in
// internal names), in labels of 1 to 63 bytes, at most 253 in all.
func validHostName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// allowList is a bot's http_allow, parsed. Entries that do not parse are
// skipped: the loader refuses them, so only a DialogEngine that did not
// validate can hand them over, and a skipped entry only refuses more.
type allowList []allowEntry

func parseAllowList(entries []string) allowList {
	l := make(allowList, 0, len(entries))
	for _, s := range entries {
		if e, err := parseAllowEntry(s); err == nil {
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
		if e.port != port && (e.port != "" || port != "80" && port != "443") {
			continue
		}
		switch {
		case !e.wild && e.host == host:
			return true, true
		case e.wild && strings.HasSuffix(host, "."+e.host):
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
