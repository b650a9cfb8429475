package rest_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"parley/rest"
	"parley/runtime"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// at returns a clock stopped at t.
func at(t time.Time) func() time.Time { return func() time.Time { return t } }

// sign makes a token with any method, key and claims.
func sign(t *testing.T, m jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestJWTAccepts(t *testing.T) {
	t.Parallel()
	j := &rest.JWT{Secret: secret, Now: at(t0)}
	cases := []struct {
		name, role string
		want       runtime.Identity
	}{
		{"Alice", "admin", runtime.Identity{UserID: "u1", Name: "Alice", Role: runtime.RoleAdmin}},
		{"Agent", "agent", runtime.Identity{UserID: "u1", Name: "Agent", Role: runtime.RoleAgent}},
		{"", "", runtime.Identity{UserID: "u1", Role: runtime.RoleUser}}, // role defaults to user
	}
	for _, tc := range cases {
		tok, err := j.Sign("u1", tc.name, tc.role, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		got, err := j.Authenticate(context.Background(), tok)
		if err != nil || got != tc.want {
			t.Errorf("role %q: Authenticate = %+v, %v; want %+v", tc.role, got, err, tc.want)
		}
	}
}

func TestJWTRefuses(t *testing.T) {
	t.Parallel()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	exp := t0.Add(time.Hour).Unix()
	valid := jwt.MapClaims{"sub": "u1", "exp": exp}
	cases := []struct {
		name, token, why string
	}{
		{"expired", sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": "u1", "exp": t0.Add(-time.Minute).Unix()}), "expired"},
		{"no exp", sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": "u1"}), "no exp"},
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid), "not accepted"},
		{"HS512 with the right secret", sign(t, jwt.SigningMethodHS512, secret, valid), "not accepted"},
		{"HS384 with the right secret", sign(t, jwt.SigningMethodHS384, secret, valid), "not accepted"},
		{"RS256", sign(t, jwt.SigningMethodRS256, rsaKey, valid), "not accepted"},
		{"wrong secret", sign(t, jwt.SigningMethodHS256, []byte("another secret of enough length!"), valid), "not accepted"},
		{"unknown role", sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": "u1", "exp": exp, "role": "superuser"}), "role"},
		{"missing sub", sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"exp": exp, "name": "x"}), "sub"},
		{"empty sub", sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": "", "exp": exp}), "sub"},
		{"garbage", "not.a.jwt", "not valid"},
		{"empty", "", "not valid"},
	}
	j := &rest.JWT{Secret: secret, Now: at(t0)}
	for _, tc := range cases {
		id, err := j.Authenticate(context.Background(), tc.token)
		if !runtime.IsKind(err, runtime.KindUnauthorized) || id != (runtime.Identity{}) {
			t.Errorf("%s: Authenticate = %+v, %v; want unauthorized", tc.name, id, err)
			continue
		}
		if msg := runtime.ErrorMessage(err); !strings.Contains(msg, tc.why) {
			t.Errorf("%s: message %q does not say %q", tc.name, msg, tc.why)
		}
	}
}

// exp is checked against the injected clock with the skew allowed (30s
// unless set).
func TestJWTSkew(t *testing.T) {
	t.Parallel()
	tok, err := (&rest.JWT{Secret: secret, Now: at(t0)}).Sign("u1", "", "", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	exp := t0.Add(time.Minute)
	cases := []struct {
		now  time.Time
		skew time.Duration
		ok   bool
	}{
		{exp.Add(-time.Second), 0, true},
		{exp.Add(29 * time.Second), 0, true},
		{exp.Add(31 * time.Second), 0, false},
		{exp.Add(4 * time.Second), 5 * time.Second, true},
		{exp.Add(6 * time.Second), 5 * time.Second, false},
	}
	for _, tc := range cases {
		j := &rest.JWT{Secret: secret, Skew: tc.skew, Now: at(tc.now)}
		_, err := j.Authenticate(context.Background(), tok)
		if (err == nil) != tc.ok {
			t.Errorf("at exp%+v with skew %v: err = %v, want ok %v", tc.now.Sub(exp), tc.skew, err, tc.ok)
		}
	}
}

// TestJWTRS256: with a public key configured, RS256 tokens signed by its
// private key are accepted and nothing else is: not HS256 (not even keyed
// with the public key's PEM, the classic algorithm confusion), not another
// RSA key, not an expired token. Such a server cannot sign.
func TestJWTRS256(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	pub, err := rest.ParseRSAPublicKey(pemKey)
	if err != nil {
		t.Fatal(err)
	}
	j := &rest.JWT{PublicKey: pub, Now: at(t0)}
	valid := jwt.MapClaims{"sub": "ann", "role": "agent", "exp": t0.Add(time.Hour).Unix()}
	id, err := j.Authenticate(context.Background(), sign(t, jwt.SigningMethodRS256, key, valid))
	if err != nil || id.UserID != "ann" || id.Role != runtime.RoleAgent {
		t.Fatalf("RS256 token: %+v, %v", id, err)
	}
	expired := jwt.MapClaims{"sub": "ann", "exp": t0.Add(-time.Hour).Unix()}
	for name, tok := range map[string]string{
		"HS256 keyed with the PEM": sign(t, jwt.SigningMethodHS256, pemKey, valid),
		"HS256":                    sign(t, jwt.SigningMethodHS256, secret, valid),
		"another RSA key":          sign(t, jwt.SigningMethodRS256, other, valid),
		"RS512":                    sign(t, jwt.SigningMethodRS512, key, valid),
		"expired":                  sign(t, jwt.SigningMethodRS256, key, expired),
	} {
		if _, err := j.Authenticate(context.Background(), tok); !runtime.IsKind(err, runtime.KindUnauthorized) {
			t.Errorf("%s: %v, want unauthorized", name, err)
		}
	}
	if _, err := j.Sign("ann", "", "user", time.Hour); err == nil {
		t.Error("a server verifying RS256 signed a token")
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	der, _ = x509.MarshalPKIXPublicKey(&small.PublicKey)
	if _, err := rest.ParseRSAPublicKey(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})); err == nil {
		t.Error("a 1024-bit key was accepted")
	}
}
