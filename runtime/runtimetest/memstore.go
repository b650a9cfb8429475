package runtimetest

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"sync"
	"time"

	"parley/runtime"
)

// MemStore is a runtime.Store in memory. It is safe for concurrent use; one
// mutex guards everything, which is plenty for tests.
//
// Like the SQL stores it keeps times in UTC with microsecond precision, and
// it hands out copies, so callers cannot change stored data by accident.
type MemStore struct {
	// Now is the clock for the times the store sets itself (message
	// CreatedAt). Nil means time.Now. Set it before first use.
	Now func() time.Time

	mu       sync.Mutex
	sessions map[runtime.SessionID]*runtime.Session
	messages map[runtime.SessionID][]*runtime.Message // in seq order
	byID     map[string]*runtime.Message
	memory   map[memKey]string
	users    map[string]runtime.Identity
	journal  map[runtime.SessionID][]runtime.JournalEntry // every run, in commit order
	scripts  map[scriptKey]string                         // source by bot and version
	apiKeys  map[string]*runtime.APIKey                   // by id
	uploads  map[string]*memUpload                        // by id (memstore_uploads.go)
}

type memKey struct {
	scope runtime.MemoryScope
	key   string
}

var _ runtime.Store = (*MemStore)(nil)

// NewMemStore returns an empty store.
func NewMemStore() *MemStore {
	return &MemStore{
		sessions: make(map[runtime.SessionID]*runtime.Session),
		messages: make(map[runtime.SessionID][]*runtime.Message),
		byID:     make(map[string]*runtime.Message),
		memory:   make(map[memKey]string),
		users:    make(map[string]runtime.Identity),
		journal:  make(map[runtime.SessionID][]runtime.JournalEntry),
		scripts:  make(map[scriptKey]string),
	}
}

func (s *MemStore) now() time.Time {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return utcMicro(now())
}

func utcMicro(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// newID returns a random (version 4) UUID.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// UpsertUser records the user; User returns it.
func (s *MemStore) UpsertUser(ctx context.Context, id runtime.Identity) error {
	if id.UserID == "" {
		return runtime.Errorf(runtime.KindInvalid, "user id is empty")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[id.UserID] = id
	return nil
}

// User returns the identity last given to UpsertUser for id.
func (s *MemStore) User(id string) (runtime.Identity, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	return u, ok
}

// FindUsers returns the users among ids that UpsertUser recorded.
func (s *MemStore) FindUsers(ctx context.Context, ids []string) ([]runtime.Identity, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []runtime.Identity
	for _, id := range ids {
		if u, ok := s.users[id]; ok {
			out = append(out, runtime.Identity{UserID: u.UserID, Name: u.Name, Role: u.Role})
		}
	}
	return out, nil
}

// Ping always answers.
func (s *MemStore) Ping(ctx context.Context) error { return nil }

// Close does nothing; the store stays usable.
func (s *MemStore) Close() error { return nil }

func cloneSession(in *runtime.Session) *runtime.Session {
	out := *in
	out.Suggestions = slices.Clone(in.Suggestions)
	out.Metadata = slices.Clone(in.Metadata)
	out.Members = slices.Clone(in.Members)
	return &out
}

func cloneMessage(in *runtime.Message) *runtime.Message {
	out := *in
	out.Attachments = slices.Clone(in.Attachments)
	out.Metadata = slices.Clone(in.Metadata)
	return &out
}
