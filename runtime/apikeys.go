package runtime

import (
	"context"
	"time"
)

// APIKey is a long-lived credential of one user, for scripts and servers
// (REST header X-API-Key). Only the hash of the key is kept.
type APIKey struct {
	ID         string // a UUID; set by CreateAPIKey when empty
	UserID     string
	Name       string // the owner's label for the key
	Role       string // RoleUser, RoleAgent or RoleAdmin
	KeyHash    string // hex SHA-256 of the key
	CreatedAt  time.Time
	LastUsedAt time.Time // zero: never used
	RevokedAt  time.Time // zero: in force
}

// Revoked reports whether the key was revoked.
func (k *APIKey) Revoked() bool { return !k.RevokedAt.IsZero() }

// APIKeyStore keeps API keys.
type APIKeyStore interface {
	// CreateAPIKey inserts k, setting ID (when empty) and CreatedAt (when
	// zero). A KeyHash already stored is KindConflict.
	CreateAPIKey(ctx context.Context, k *APIKey) error
	// FindAPIKeyByHash returns the key with that hash, revoked or not, or
	// KindNotFound.
	FindAPIKeyByHash(ctx context.Context, hash string) (*APIKey, error)
	// ListAPIKeys returns a user's keys, revoked ones too, oldest first.
	ListAPIKeys(ctx context.Context, userID string) ([]*APIKey, error)
	// RevokeAPIKey revokes the key with id (KindNotFound when there is
	// none). Revoking a revoked key keeps the first revocation time.
	RevokeAPIKey(ctx context.Context, id string) error
	// TouchAPIKey records that the key was used at the given time.
	TouchAPIKey(ctx context.Context, id string, at time.Time) error
}
