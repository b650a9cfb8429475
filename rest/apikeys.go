package rest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"parley/runtime"
)

// APIKeyPrefix starts every API key, so that a leaked one is recognisable
// (secret scanners, logs).
const APIKeyPrefix = "pk_"

// maxAPIKeyLen bounds what is hashed and looked up; real keys are 29 bytes.
const maxAPIKeyLen = 128

// touchEvery is how often at most a key's last use is written.
const touchEvery = time.Minute

// NewAPIKey returns a new random key and the hash to store for it.
func NewAPIKey() (key, hash string) {
	key = APIKeyPrefix + rand.Text()
	return key, HashAPIKey(key)
}

// HashAPIKey is how keys are kept at rest: hex SHA-256. Keys carry 130
// bits of randomness, so a plain hash (no salt, no stretching) is enough,
// and it lets a key be found by its hash.
func HashAPIKey(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

// APIKeys authenticates the X-API-Key header: a key in force names its
// user and role; an unknown or revoked key is KindUnauthorized.
type APIKeys struct {
	Store  runtime.APIKeyStore
	Now    func() time.Time // default time.Now
	Logger *slog.Logger

	mu      sync.Mutex
	touched map[string]time.Time // key id → last TouchAPIKey by this process
}

var _ runtime.Authenticator = (*APIKeys)(nil)

// Authenticate looks key up by its hash.
func (a *APIKeys) Authenticate(ctx context.Context, key string) (runtime.Identity, error) {
	if !strings.HasPrefix(key, APIKeyPrefix) || len(key) > maxAPIKeyLen {
		return runtime.Identity{}, runtime.Errorf(runtime.KindUnauthorized, "the API key is unknown or revoked")
	}
	k, err := a.Store.FindAPIKeyByHash(ctx, HashAPIKey(key))
	switch {
	case runtime.IsKind(err, runtime.KindNotFound):
		return runtime.Identity{}, runtime.Errorf(runtime.KindUnauthorized, "the API key is unknown or revoked")
	case err != nil:
		return runtime.Identity{}, err
	case k.Revoked():
		return runtime.Identity{}, runtime.Errorf(runtime.KindUnauthorized, "the API key is unknown or revoked")
	}
	role := k.Role
	switch role {
	case "":
		role = runtime.RoleUser
	case runtime.RoleUser, runtime.RoleAgent, runtime.RoleAdmin:
	default:
		return runtime.Identity{}, runtime.Errorf(runtime.KindUnauthorized, "the API key has an unknown role")
	}
	a.touch(ctx, k)
	return runtime.Identity{UserID: k.UserID, Name: k.UserID, Role: role}, nil
}

// touch records the key's use, at most once per touchEvery: neither when
// the stored last use is that recent nor when this process wrote it.
func (a *APIKeys) touch(ctx context.Context, k *runtime.APIKey) {
	now := time.Now()
	if a.Now != nil {
		now = a.Now()
	}
	a.mu.Lock()
	last := k.LastUsedAt
	if t, ok := a.touched[k.ID]; ok && t.After(last) {
		last = t
	}
	if now.Sub(last) < touchEvery {
		a.mu.Unlock()
		return
	}
	if a.touched == nil {
		a.touched = make(map[string]time.Time)
	}
	a.touched[k.ID] = now
	a.mu.Unlock()
	if err := a.Store.TouchAPIKey(ctx, k.ID, now); err != nil {
		a.logger().Warn("recording an API key's last use failed", "key", k.ID, "err", err)
	}
}

func (a *APIKeys) logger() *slog.Logger {
	if a.Logger == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return a.Logger
}
