package rest

import (
	"context"
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"parley/runtime"
)

// JWT verifies and signs the HS256 tokens of protocol §3. The key is the
// secret's bytes as given. The algorithm is pinned, exp is required and a
// small clock skew is allowed.
type JWT struct {
	Secret []byte
	Skew   time.Duration // default 30s
	Now    func() time.Time
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
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return j.Secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
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

// Sign returns a token for user valid for ttl.
func (j *JWT) Sign(user, name, role string, ttl time.Duration) (string, error) {
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
