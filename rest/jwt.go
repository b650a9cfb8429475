package rest

import (
	"context"
	"crypto/rsa"
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"parley/runtime"
)

// JWT verifies and signs the tokens of protocol §3: HS256 with Secret (the
// secret's bytes as given) or, when PublicKey is set, RS256 tokens signed
// by an identity provider with the matching private key. One algorithm is
// accepted, never both: a server with a public key refuses HS256 tokens,
// so its public key cannot be used as an HMAC secret. exp is required and
// a small clock skew is allowed.
type JWT struct {
	Secret    []byte
	PublicKey *rsa.PublicKey
	Skew      time.Duration // default 30s
	Now       func() time.Time
}

// ParseRSAPublicKey reads a PEM public key (PKIX "PUBLIC KEY" or PKCS #1
// "RSA PUBLIC KEY", or a certificate) for RS256.
func ParseRSAPublicKey(pem []byte) (*rsa.PublicKey, error) {
	k, err := jwt.ParseRSAPublicKeyFromPEM(pem)
	if err != nil {
		return nil, err
	}
	if k.N.BitLen() < 2048 {
		return nil, errors.New("the RSA key is shorter than 2048 bits")
	}
	return k, nil
}

// method is the one algorithm accepted, and the key that checks it.
func (j *JWT) method() (jwt.SigningMethod, any) {
	if j.PublicKey != nil {
		return jwt.SigningMethodRS256, j.PublicKey
	}
	return jwt.SigningMethodHS256, j.Secret
}

var _ runtime.Authenticator = (*JWT)(nil)

// Claims are Parley's token claims.
type Claims struct {
	Name string `json:"name,omitempty"`
	Role string `json:"role,omitempty"`
	jwt.RegisteredClaims
}

// Authenticate verifies token and returns the identity it names.
func (j *JWT) Authenticate(ctx context.Context, token string) (runtime.Identity, error) {
	var c Claims
	method, key := j.method()
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return key, nil },
		jwt.WithValidMethods([]string{method.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(j.skew()),
		jwt.WithTimeFunc(j.now),
	)
	if err != nil {
		return runtime.Identity{}, runtime.Wrap(runtime.KindUnauthorized, err, unauthorizedText(err))
	}
	if c.Subject == "" {
		return runtime.Identity{}, runtime.Errorf(runtime.KindUnauthorized, "the token has no sub")
	}
	role := c.Role
	switch role {
	case "":
		role = runtime.RoleUser
	case runtime.RoleUser, runtime.RoleAgent, runtime.RoleAdmin:
	default:
		return runtime.Identity{}, runtime.Errorf(runtime.KindUnauthorized, "the token has an unknown role %q", role)
	}
	return runtime.Identity{UserID: c.Subject, Name: c.Name, Role: role}, nil
}

// Sign returns an HS256 token for user valid for ttl. A server verifying
// RS256 cannot sign: its tokens come from whoever holds the private key.
func (j *JWT) Sign(user, name, role string, ttl time.Duration) (string, error) {
	if j.PublicKey != nil {
		return "", errors.New("this server verifies RS256 tokens (jwt-public-key); sign them with the private key, not with parley token")
	}
	now := j.now()
	c := Claims{Name: name, Role: role, RegisteredClaims: jwt.RegisteredClaims{
		Subject:   user,
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(j.Secret)
}

func unauthorizedText(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return "the token has expired"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return "the token has no exp"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return "the token's signature or algorithm is not accepted"
	}
	return "the token is not valid"
}

func (j *JWT) skew() time.Duration {
	if j.Skew > 0 {
		return j.Skew
	}
	return 30 * time.Second
}

func (j *JWT) now() time.Time {
	if j.Now != nil {
		return j.Now()
	}
	return time.Now()
}
