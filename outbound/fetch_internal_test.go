package outbound

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"parley/runtime"
)

// TestSpecialAddr: the addresses only an exact http_allow entry reaches.
func TestSpecialAddr(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ip   string
		what string // "" = an ordinary public address
	}{
		{"127.0.0.1", "loopback"},
		{"127.8.9.10", "loopback"},
		{"::1", "loopback"},
		{"::ffff:127.0.0.1", "loopback"}, // IPv4-mapped
		{"10.1.2.3", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.255", "private"},
		{"192.168.1.1", "private"},
		{"fc00::1", "private"},
		{"fd12:3456::1", "private"},
		{"169.254.169.254", "link-local"}, // cloud metadata
		{"fe80::1", "link-local"},
		{"fe80::1%eth0", "link-local"},
		{"100.64.0.1", "shared (CGNAT)"},
		{"100.127.255.254", "shared (CGNAT)"},
		{"0.0.0.0", "unspecified"},
		{"::", "unspecified"},
		{"224.0.0.1", "multicast"},
		{"ff02::1", "multicast"},
		{"255.255.255.255", "reserved"},
		{"64:ff9b::a9fe:a9fe", "link-local"}, // NAT64 of 169.254.169.254
		{"8.8.8.8", ""},
		{"1.1.1.1", ""},
		{"172.32.0.1", ""},
		{"100.128.0.1", ""},
		{"2001:4860:4860::8888", ""},
		{"64:ff9b::808:808", ""}, // NAT64 of 8.8.8.8
	} {
		what, special := specialAddr(netip.MustParseAddr(tc.ip))
		if what != tc.what || special != (tc.what != "") {
			t.Errorf("specialAddr(%s) = %q, %v; want %q", tc.ip, what, special, tc.what)
		}
	}
}

// TestAllowMatch: which host:port an http_allow permits, and which entry
// names it exactly.
func TestAllowMatch(t *testing.T) {
	t.Parallel()
	l := parseAllowList([]string{"api.example.com", "*.example.org", "*.example.net:8080",
		"localhost:9000", "[::1]:9001", "10.0.0.5", "bad entry"})
	for _, tc := range []struct {
		host, port string
		ok, exact  bool
	}{
		{"api.example.com", "443", true, true},
		{"API.EXAMPLE.COM", "80", true, true},
		{"api.example.com.", "443", true, true},
		{"api.example.com", "8080", false, false}, // no port listed: 80 and 443 only
		{"example.com", "443", false, false},
		{"evil-api.example.com", "443", false, false},
		{"api.example.com.evil.io", "443", false, false},
		{"a.example.org", "443", true, false},
		{"a.b.example.org", "80", true, false},
		{"example.org", "443", false, false}, // a wildcard is subdomains only
		{"xexample.org", "443", false, false},
		{"a.example.net", "8080", true, false},
		{"a.example.net", "443", false, false},
		{"localhost", "9000", true, true},
		{"localhost", "9001", false, false},
		{"127.0.0.1", "9000", false, false}, // the name is listed, not the address
		{"::1", "9001", true, true},
		{"10.0.0.5", "80", true, true},
		{"10.0.0.6", "80", false, false},
	} {
		ok, exact := l.match(tc.host, tc.port)
		if ok != tc.ok || exact != tc.exact {
			t.Errorf("match(%s, %s) = %v, %v; want %v, %v", tc.host, tc.port, ok, exact, tc.ok, tc.exact)
		}
	}
	if ok, _ := parseAllowList(nil).match("api.example.com", "443"); ok {
		t.Error("an empty http_allow allows something")
	}
}

// hostPort is the "host:port" of a test server.
func hostPort(s *httptest.Server) string { return strings.TrimPrefix(s.URL, "http://") }

func testFetcher(allow ...string) fetcher {
	return fetcher{allow: parseAllowList(allow), timeout: DefaultTimeout}
}

// TestFetch: a GET and a POST to a listed host; any status comes back,
// the User-Agent is Parley's, and no cookie is kept.
func TestFetch(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		http.SetCookie(w, &http.Cookie{Name: "c", Value: "1"})
		if r.URL.Path == "/missing" {
			w.WriteHeader(http.StatusNotFound)
		}
		fmt.Fprintf(w, "%s %s ua=%s ct=%s cookie=%q body=%s", r.Method, r.URL.Path,
			r.UserAgent(), r.Header.Get("Content-Type"), r.Header.Get("Cookie"), b)
	}))
	defer srv.Close()
	f := testFetcher(hostPort(srv))
	for _, tc := range []struct {
		req    runtime.HTTPRequest
		status int
		body   string
	}{
		{runtime.HTTPRequest{Method: "GET", URL: srv.URL + "/a"}, 200, `GET /a ua=Parley/1 ct= cookie="" body=`},
		{runtime.HTTPRequest{Method: "GET", URL: srv.URL + "/missing"}, 404, `GET /missing ua=Parley/1 ct= cookie="" body=`},
		{runtime.HTTPRequest{Method: "POST", URL: srv.URL + "/p", Body: `{"a":1}`, ContentType: "application/json"}, 200,
			`POST /p ua=Parley/1 ct=application/json cookie="" body={"a":1}`},
	} {
		resp, err := f.do(t.Context(), tc.req)
		if err != nil || resp.Status != tc.status || resp.Body != tc.body {
			t.Errorf("%s %s: %d %q, %v; want %d %q", tc.req.Method, tc.req.URL, resp.Status, resp.Body, err, tc.status, tc.body)
		}
	}
}

// TestFetchRefused: each request that must not go out, or must not be
// believed, is an *runtime.HTTPError that says why.
func TestFetchRefused(t *testing.T) {
	t.Parallel()
	var other *httptest.Server
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			w.Write(make([]byte, MaxResponseBody+1))
		case "/exact":
			w.Write(make([]byte, MaxResponseBody))
		case "/away":
			http.Redirect(w, r, other.URL+"/", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/ftp":
			http.Redirect(w, r, "ftp://"+r.Host+"/", http.StatusFound)
		}
	}))
	defer srv.Close()
	other = httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	f := testFetcher(hostPort(srv))
	get := func(url string) runtime.HTTPRequest { return runtime.HTTPRequest{Method: "GET", URL: url} }
	for _, tc := range []struct {
		req  runtime.HTTPRequest
		want string
	}{
		{get(other.URL), hostPort(other) + " is not in this bot's http_allow"},
		{get("http://localhost:" + other.URL[strings.LastIndex(other.URL, ":")+1:]), "is not in this bot's http_allow"},
		{get("file:///etc/passwd"), `only http and https URLs can be fetched, not "file"`},
		{get("ftp://" + hostPort(srv)), `not "ftp"`},
		{get("http:///nohost"), "the URL has no host"},
		{get("http://[::1/"), "not a valid URL"},
		{get("http://" + hostPort(srv) + "/" + strings.Repeat("x", MaxURL)), "the URL is longer than 4096 bytes"},
		{runtime.HTTPRequest{Method: "POST", URL: srv.URL, Body: strings.Repeat("x", MaxRequestBody+1)}, "the request body is larger than 64 KiB"},
		{runtime.HTTPRequest{Method: "DELETE", URL: srv.URL}, "only GET and POST"},
		{get(srv.URL + "/big"), "is too large (over 256 KiB)"},
		{get(srv.URL + "/away"), "redirected: " + hostPort(other) + " is not in this bot's http_allow"},
		{get(srv.URL + "/loop"), "more than 3 redirects"},
		{get(srv.URL + "/ftp"), `redirected: only http and https`},
		{get("http://127.0.0.1:1/"), "127.0.0.1:1 is not in this bot's http_allow"},
	} {
		_, err := f.do(t.Context(), tc.req)
		var he *runtime.HTTPError
		if !errors.As(err, &he) || !strings.Contains(he.Message, tc.want) {
			t.Errorf("%s %.60s: %v; want an runtime.HTTPError with %q", tc.req.Method, tc.req.URL, err, tc.want)
		}
		if he != nil && strings.Contains(he.Message, "/big") {
			t.Errorf("the error shows the URL's path: %q", he.Message)
		}
	}
	if resp, err := f.do(t.Context(), get(srv.URL+"/exact")); err != nil || len(resp.Body) != MaxResponseBody {
		t.Errorf("a body of exactly the limit: %d bytes, %v", len(resp.Body), err)
	}
}

// TestFetchUnreachableAndTimeout: a server that is not there or does not
// answer is an runtime.HTTPError; the caller's own context ending is not.
func TestFetchUnreachableAndTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)

	f := testFetcher(hostPort(srv), "127.0.0.1:1")
	f.timeout = 50 * time.Millisecond // the server never answers: any timeout will do
	_, err := f.do(t.Context(), runtime.HTTPRequest{Method: "GET", URL: srv.URL})
	if he := (*runtime.HTTPError)(nil); !errors.As(err, &he) || !strings.Contains(he.Message, "did not answer within 50ms") {
		t.Errorf("slow server: %v", err)
	}
	f.timeout = DefaultTimeout
	_, err = f.do(t.Context(), runtime.HTTPRequest{Method: "GET", URL: "http://127.0.0.1:1/"})
	if he := (*runtime.HTTPError)(nil); !errors.As(err, &he) || !strings.Contains(he.Message, "request to 127.0.0.1:1 failed") {
		t.Errorf("closed port: %v", err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	_, err = f.do(ctx, runtime.HTTPRequest{Method: "GET", URL: srv.URL})
	if he := (*runtime.HTTPError)(nil); errors.As(err, &he) || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled by the caller: %v; want context.Canceled, not an runtime.HTTPError", err)
	}
}

// TestFetchCheckedOnDial: a name a wildcard allows is refused when DNS
// puts it on a special address, as one an exact entry names is not; the
// check is on the address dialled, so it cannot be answered differently
// from what is connected to.
func TestFetchCheckedOnDial(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "inside") }))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	dns := fakeDNS(t, netip.MustParseAddr("127.0.0.1"))
	url := "http://api.example.test:" + port + "/"

	wild := testFetcher("*.example.test:" + port)
	wild.resolver = dns
	_, err := wild.do(t.Context(), runtime.HTTPRequest{Method: "GET", URL: url})
	if he := (*runtime.HTTPError)(nil); !errors.As(err, &he) ||
		!strings.Contains(he.Message, "api.example.test is at 127.0.0.1, a loopback address") {
		t.Errorf("wildcard to loopback: %v", err)
	}

	exact := testFetcher("api.example.test:" + port)
	exact.resolver = dns
	if resp, err := exact.do(t.Context(), runtime.HTTPRequest{Method: "GET", URL: url}); err != nil || resp.Body != "inside" {
		t.Errorf("exact entry: %q, %v", resp.Body, err)
	}

	if err := checkDialled("h", "[fe80::1%eth0]:80", false); err == nil {
		t.Error("a link-local IPv6 address with a zone was allowed")
	}
	if err := checkDialled("h", "93.184.215.14:443", false); err != nil {
		t.Errorf("a public address: %v", err)
	}
}

// fakeDNS is a resolver whose every A question is answered with ip, and
// every other question with no records.
func fakeDNS(t *testing.T, ip netip.Addr) *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		client, server := net.Pipe()
		go func() {
			defer server.Close()
			if err := answerDNS(server, ip.As4()); err != nil {
				t.Logf("fake DNS: %v", err)
			}
		}()
		return client, nil
	}}
}

// answerDNS reads one query over a stream (length-prefixed) and answers it.
func answerDNS(c net.Conn, ip [4]byte) error {
	var n uint16
	if err := binary.Read(c, binary.BigEndian, &n); err != nil {
		return err
	}
	q := make([]byte, n)
	if _, err := io.ReadFull(c, q); err != nil {
		return err
	}
	end := 12 // the question: labels up to a zero byte, then type and class
	for end < len(q) && q[end] != 0 {
		end += int(q[end]) + 1
	}
	end += 5
	if end > len(q) {
		return errors.New("short query")
	}
	qtype := binary.BigEndian.Uint16(q[end-4:])
	ans := append([]byte{}, q[:2]...)                     // the id
	ans = append(ans, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0) // response, RD, RA; 1 question
	ans = append(ans, q[12:end]...)
	if qtype == 1 { // A
		ans[7] = 1
		ans = append(ans, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4)
		ans = append(ans, ip[:]...)
	}
	out := binary.BigEndian.AppendUint16(nil, uint16(len(ans)))
	_, err := c.Write(append(out, ans...))
	return err
}
