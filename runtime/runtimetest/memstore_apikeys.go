package runtimetest

import (
	"context"
	"slices"
	"strings"
	"time"

	"parley/runtime"
)

// CreateAPIKey stores a copy of k, setting ID and CreatedAt when zero.
func (s *MemStore) CreateAPIKey(ctx context.Context, k *runtime.APIKey) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k.ID == "" {
		k.ID = newID()
	}
	if k.CreatedAt.IsZero() {
		k.CreatedAt = s.now()
	}
	k.CreatedAt = utcMicro(k.CreatedAt)
	if s.apiKeys == nil {
		s.apiKeys = make(map[string]*runtime.APIKey)
	}
	for _, o := range s.apiKeys {
		if o.KeyHash == k.KeyHash || o.ID == k.ID {
			return runtime.Errorf(runtime.KindConflict, "API key already exists")
		}
	}
	c := *k
	s.apiKeys[k.ID] = &c
	return nil
}

// FindAPIKeyByHash returns a copy of the key with hash, or KindNotFound.
func (s *MemStore) FindAPIKeyByHash(ctx context.Context, hash string) (*runtime.APIKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.apiKeys {
		if k.KeyHash == hash {
			c := *k
			return &c, nil
		}
	}
	return nil, runtime.Errorf(runtime.KindNotFound, "API key not found")
}

// ListAPIKeys returns copies of a user's keys, oldest first.
func (s *MemStore) ListAPIKeys(ctx context.Context, userID string) ([]*runtime.APIKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*runtime.APIKey
	for _, k := range s.apiKeys {
		if k.UserID == userID {
			c := *k
			out = append(out, &c)
		}
	}
	slices.SortFunc(out, func(a, b *runtime.APIKey) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// RevokeAPIKey marks the key revoked, keeping an earlier revocation.
func (s *MemStore) RevokeAPIKey(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.apiKeys[id]
	if !ok {
		return runtime.Errorf(runtime.KindNotFound, "API key not found")
	}
	if k.RevokedAt.IsZero() {
		k.RevokedAt = s.now()
	}
	return nil
}

// TouchAPIKey sets the key's LastUsedAt.
func (s *MemStore) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.apiKeys[id]
	if !ok {
		return runtime.Errorf(runtime.KindNotFound, "API key not found")
	}
	k.LastUsedAt = utcMicro(at)
	return nil
}
