package inbound_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"parley/inbound"
	"parley/runtime"
)

// fixedAuth accepts one token and names who it gave.
type fixedAuth struct{ token, user string }

func (a fixedAuth) Authenticate(_ context.Context, token string) (runtime.Identity, error) {
	if token != a.token {
		return runtime.Identity{}, runtime.Errorf(runtime.KindUnauthorized, "bad credential")
	}
	return runtime.Identity{UserID: a.user}, nil
}

// TestCredentials: an API key wins over a bearer token, no credentials
// are "not found" (never an error), and credentials that are there but
// bad, malformed or not enabled are an error, never anonymous.
func TestCredentials(t *testing.T) {
	full := inbound.Credentials{Auth: fixedAuth{"jwt", "from-jwt"}, APIKeys: fixedAuth{"key", "from-key"}}
	cases := []struct {
		name    string
		creds   inbound.Credentials
		headers map[string]string
		user    string
		found   bool
		failed  bool
	}{
		{"none", full, nil, "", false, false},
		{"bearer", full, map[string]string{"Authorization": "Bearer jwt"}, "from-jwt", true, false},
		{"key", full, map[string]string{"X-API-Key": " key "}, "from-key", true, false},
		{"key wins", full, map[string]string{"X-API-Key": "key", "Authorization": "Bearer jwt"}, "from-key", true, false},
		{"bad key beside a good token", full, map[string]string{"X-API-Key": "nope", "Authorization": "Bearer jwt"}, "", true, true},
		{"bad token", full, map[string]string{"Authorization": "Bearer nope"}, "", true, true},
		{"not bearer", full, map[string]string{"Authorization": "Basic jwt"}, "", true, true},
		{"keys not enabled", inbound.Credentials{Auth: full.Auth}, map[string]string{"X-API-Key": "key"}, "", true, true},
		{"tokens not enabled", inbound.Credentials{APIKeys: full.APIKeys}, map[string]string{"Authorization": "Bearer jwt"}, "", true, true},
	}
	for _, tc := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		for k, v := range tc.headers {
			r.Header.Set(k, v)
		}
		id, found, err := tc.creds.FromHeaders(r)
		if found != tc.found || (err != nil) != tc.failed || id.UserID != tc.user {
			t.Errorf("%s: %+v found=%v err=%v; want user %q found=%v failed=%v", tc.name, id, found, err, tc.user, tc.found, tc.failed)
		}
		if err != nil && !runtime.IsKind(err, runtime.KindUnauthorized) {
			t.Errorf("%s: %v is not KindUnauthorized", tc.name, err)
		}
	}
}
