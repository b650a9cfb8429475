package rest_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/rest"
	"parley/runtime"
	"parley/runtime/runtimetest"
)

// send sends a request with extra headers and returns the status and body.
func (a *api) send(t *testing.T, method, path string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, a.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := a.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// newKey stores a key for user and returns it.
func newKey(t *testing.T, st runtime.APIKeyStore, user, role string) (string, *runtime.APIKey) {
	t.Helper()
	key, hash := rest.NewAPIKey()
	k := &runtime.APIKey{UserID: user, Name: "test", Role: role, KeyHash: hash}
	if err := st.CreateAPIKey(context.Background(), k); err != nil {
		t.Fatal(err)
	}
	return key, k
}

// X-API-Key acts as its user; a revoked, unknown or malformed key is 401.
func TestAPIKeyAuth(t *testing.T) {
	t.Parallel()
	a := newAPI(t, runtime.Config{})
	alice := a.token(t, "alice", "")
	a.do(t, "POST", "/api/conversations/start", alice, `{"bot_id":"other"}`).expect(t, 201, "")
	key, k := newKey(t, a.store, "alice", runtime.RoleUser)
	if len(key) < 20 || key[:3] != rest.APIKeyPrefix || k.KeyHash == key || k.KeyHash != rest.HashAPIKey(key) {
		t.Fatalf("key %q stored as %q", key, k.KeyHash)
	}

	code, body := a.send(t, "GET", "/api/conversations", map[string]string{"X-API-Key": key})
	if code != 200 || !strings.Contains(body, `"total":1`) {
		t.Fatalf("with the key: %d %s", code, body)
	}
	for _, bad := range []string{"pk_madeup", "nope", rest.APIKeyPrefix + strings.Repeat("a", 200)} {
		if code, body := a.send(t, "GET", "/api/conversations", map[string]string{"X-API-Key": bad}); code != 401 || !strings.Contains(body, `"unauthorized"`) {
			t.Errorf("key %.10q: %d %s, want 401 unauthorized", bad, code, body)
		}
	}
	if err := a.store.RevokeAPIKey(context.Background(), k.ID); err != nil {
		t.Fatal(err)
	}
	if code, body := a.send(t, "GET", "/api/conversations", map[string]string{"X-API-Key": key}); code != 401 || !strings.Contains(body, `"unauthorized"`) {
		t.Fatalf("revoked key: %d %s, want 401", code, body)
	}
}

// The key's role carries over: an admin key reaches another user's
// conversation.
func TestAPIKeyRole(t *testing.T) {
	t.Parallel()
	a := newAPI(t, runtime.Config{})
	r := a.do(t, "POST", "/api/conversations/start", a.token(t, "alice", ""), `{"bot_id":"other"}`).expect(t, 201, "")
	id := r.body["conversation_id"].(string)
	admin, _ := newKey(t, a.store, "root", runtime.RoleAdmin)
	user, _ := newKey(t, a.store, "bob", runtime.RoleUser)
	if code, body := a.send(t, "GET", "/api/conversations/"+id+"/history", map[string]string{"X-API-Key": admin}); code != 200 {
		t.Errorf("admin key: %d %s", code, body)
	}
	if code, body := a.send(t, "GET", "/api/conversations/"+id+"/history", map[string]string{"X-API-Key": user}); code != 403 {
		t.Errorf("another user's key: %d %s, want 403", code, body)
	}
}

// touchCounter counts TouchAPIKey calls.
type touchCounter struct {
	*runtimetest.MemStore
	mu     sync.Mutex
	touchs int
}

func (s *touchCounter) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	s.mu.Lock()
	s.touchs++
	s.mu.Unlock()
	return s.MemStore.TouchAPIKey(ctx, id, at)
}

// Last use is written at most once a minute per key.
func TestAPIKeyTouchedOncePerMinute(t *testing.T) {
	t.Parallel()
	st := &touchCounter{MemStore: runtimetest.NewMemStore()}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	keys := &rest.APIKeys{Store: st, Now: func() time.Time { return now }}
	key, k := newKey(t, st, "alice", "")
	ctx := context.Background()
	for range 10 {
		id, err := keys.Authenticate(ctx, key)
		if err != nil || id.UserID != "alice" || id.Role != runtime.RoleUser {
			t.Fatalf("Authenticate = %+v, %v", id, err)
		}
	}
	if st.touchs != 1 {
		t.Fatalf("%d writes of last use in the first minute, want 1", st.touchs)
	}
	got, _ := st.FindAPIKeyByHash(ctx, k.KeyHash)
	if !got.LastUsedAt.Equal(now) {
		t.Fatalf("last used %v, want %v", got.LastUsedAt, now)
	}
	now = now.Add(30 * time.Second)
	keys.Authenticate(ctx, key)
	now = now.Add(31 * time.Second)
	keys.Authenticate(ctx, key)
	if st.touchs != 2 {
		t.Fatalf("%d writes after a minute, want 2", st.touchs)
	}
	// Another process (a fresh APIKeys) honours the stored last use too.
	fresh := &rest.APIKeys{Store: st, Now: func() time.Time { return now.Add(time.Second) }}
	fresh.Authenticate(ctx, key)
	if st.touchs != 2 {
		t.Fatalf("a fresh authenticator wrote the last use again: %d writes", st.touchs)
	}
}
