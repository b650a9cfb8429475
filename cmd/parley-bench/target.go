package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// target is one server under test: Parley, or the bare echo server that
// runs in this process, or (turns only) a peer, a Botkit echo bot.
// Scenarios drive them all through the same code.
type target struct {
	name    string
	base    string   // http://127.0.0.1:PORT
	dialect *dialect // how its socket speaks; nil: protocol §3
	token   func(user string) string
	// heap reads the server's heap after a forced GC.
	heap func(ctx context.Context) (memSample, error)
	// gauge reads one of Parley's metrics (docs/metrics.md); the bare
	// echo server knows only parley_sockets.
	gauge func(ctx context.Context, name string) (float64, error)
	// cpu reads the CPU time the server's process has used (cpu.go);
	// nil when it runs in this process or its process is not known.
	cpu func() (time.Duration, bool)
}

// cpuTime is t's cpu, or false when there is none.
func (t *target) cpuTime() (time.Duration, bool) {
	if t.cpu == nil {
		return 0, false
	}
	return t.cpu()
}

// wsURL is the target's /ws endpoint with query q.
func (t *target) wsURL(q string) string {
	u := "ws" + strings.TrimPrefix(t.base, "http") + "/ws"
	if q != "" {
		u += "?" + q
	}
	return u
}

// signer makes HS256 tokens with sub and exp, keyed with the secret's
// bytes as given (protocol §1).
func signer(secret string, ttl time.Duration) func(user string) string {
	exp := jwt.NewNumericDate(time.Now().Add(ttl))
	return func(user string) string {
		t, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{Subject: user, ExpiresAt: exp}).SignedString([]byte(secret))
		if err != nil {
			panic(err) // HS256 with a []byte key cannot fail
		}
		return t
	}
}

// parleyTarget is a Parley server at base, profiled at pprof.
func parleyTarget(base, pprof, secret string, ttl time.Duration) *target {
	return &target{
		name:  "parley",
		base:  base,
		token: signer(secret, ttl),
		heap: func(ctx context.Context) (memSample, error) {
			return remoteHeap(ctx, pprof)
		},
		gauge: func(ctx context.Context, name string) (float64, error) {
			return scrapeMetric(ctx, base, name)
		},
	}
}

// scrapeMetric reads one unlabelled metric from base/metrics.
func scrapeMetric(ctx context.Context, base, name string) (float64, error) {
	body, err := get(ctx, base+"/metrics")
	if err != nil {
		return 0, err
	}
	defer body.Close()
	sc := bufio.NewScanner(body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, fmt.Errorf("%s/metrics has no %s", base, name)
}

// get is a GET that fails on any status but 200.
func get(ctx context.Context, u string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return resp.Body, nil
}
