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
// This file has the syntax, which the bot loader checks; what an entry
// lets through on the network (matching, and the special addresses only
// an exact entry reaches) is the Fetcher's (package outbound).

// HTTPAllowEntry is one parsed http_allow entry.
type HTTPAllowEntry struct {
	Host     string // lower case; IPv6 without brackets; after "*." for wildcards
	Port     string // "" = 80 and 443
	Wildcard bool
}

// ParseHTTPAllow parses one http_allow entry of a bot.yaml; the error
// says what is wrong with it.
func ParseHTTPAllow(s string) (HTTPAllowEntry, error) {
	if s == "" || strings.ContainsAny(s, " \t/@?#") || strings.Contains(s, "://") {
		return HTTPAllowEntry{}, fmt.Errorf("%q: an entry is a host, host:port or *.domain, without scheme or path", s)
	}
	var e HTTPAllowEntry
	rest := strings.ToLower(s)
	if after, ok := strings.CutPrefix(rest, "*."); ok {
		e.Wildcard, rest = true, after
	}
	host, port, err := splitAllowHostPort(rest)
	if err == nil && strings.HasPrefix(rest, "[") {
		if ip, perr := netip.ParseAddr(host); perr != nil || !ip.Is6() {
			err = errors.New("only an IPv6 address goes in brackets")
		}
	}
	if err != nil {
		return HTTPAllowEntry{}, fmt.Errorf("%q: %w", s, err)
	}
	e.Host, e.Port = host, port
	if err := e.check(); err != nil {
		return HTTPAllowEntry{}, fmt.Errorf("%q: %w", s, err)
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

func (e HTTPAllowEntry) check() error {
	if e.Port != "" {
		if n, err := strconv.Atoi(e.Port); err != nil || n < 1 || n > 65535 || e.Port[0] == '0' {
			return errors.New("the port must be a number from 1 to 65535")
		}
	}
	if ip, err := netip.ParseAddr(e.Host); err == nil {
		if e.Wildcard || ip.Zone() != "" {
			return errors.New("a wildcard or zone does not go with an address")
		}
		return nil
	}
	if !validHostName(e.Host) {
		return errors.New("not a host name or IP address")
	}
	if e.Wildcard && !strings.Contains(e.Host, ".") {
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
