package supportapp

import (
	"context"
	"net/http"
	"sync"

	"parley/inbound"
	"parley/runtime"
)

// Who may call an endpoint: the table's "who" column. The app's User is
// Parley's user, Support its agent, Admin its admin. Which conversations
// a caller reaches is still the runtime's one access rule.

// role checks a caller's role before the endpoint runs.
type role func(id runtime.Identity) error

func anyone(runtime.Identity) error { return nil }

func usersOnly(id runtime.Identity) error {
	if id.Role == runtime.RoleAgent || id.Role == runtime.RoleAdmin {
		return runtime.Errorf(runtime.KindForbidden, "only users (farmers) have a conversation with support")
	}
	return nil
}

func deskOnly(id runtime.Identity) error {
	if id.Role != runtime.RoleAgent && id.Role != runtime.RoleAdmin {
		return runtime.Errorf(runtime.KindForbidden, "only Support and Admin may do this")
	}
	return nil
}

func adminsOnly(id runtime.Identity) error {
	if id.Role != runtime.RoleAdmin {
		return runtime.Errorf(runtime.KindForbidden, "only Admin may do this")
	}
	return nil
}

// endpoint is a handler that has its caller and returns an error instead
// of writing one.
type endpoint func(w http.ResponseWriter, r *http.Request, id runtime.Identity) error

// serve authenticates the caller (a bearer JWT, or an API key as /api
// takes them), checks their role and runs f; every error is answered in
// the app's shape.
func (a *REST) serve(may role, f endpoint) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := a.identify(r)
		if err == nil {
			err = may(id)
		}
		if err == nil {
			err = f(w, r, id)
		}
		if err != nil {
			a.fail(w, err)
		}
	}
}

// identify returns the caller; there is no anonymous use of this API.
func (a *REST) identify(r *http.Request) (runtime.Identity, error) {
	id, found, err := inbound.Credentials{Auth: a.cfg.Auth, APIKeys: a.cfg.APIKeys}.FromHeaders(r)
	if err != nil {
		return id, err
	}
	if !found || id.Anonymous || id.UserID == "" {
		return id, runtime.Errorf(runtime.KindUnauthorized, "send \"Authorization: Bearer <JWT>\"")
	}
	id.IP = inbound.ClientIP(r, a.cfg.TrustedProxies)
	if err := a.seen.remember(r.Context(), a.hub, id); err != nil {
		// Only their name is at stake (others see their id): the
		// request goes on.
		a.log.Warn("recording a caller's name failed", "user", id.UserID, "err", err)
	}
	return id, nil
}

// maxSeen bounds the callers seenUsers keeps; past it, it starts over
// (a caller seen again is written again, once).
const maxSeen = 100_000

// seenUsers records each caller's name and role with the hub once, and
// again when they change, so that others see the names of people who use
// only REST (View.Learn) without a write per request.
type seenUsers struct {
	mu sync.Mutex
	m  map[string]string // user id → name and role last recorded
}

func (s *seenUsers) remember(ctx context.Context, hub *runtime.Hub, id runtime.Identity) error {
	key := id.Name + "\x00" + id.Role
	s.mu.Lock()
	known := s.m[id.UserID] == key
	s.mu.Unlock()
	if known {
		return nil
	}
	if err := hub.RememberUser(ctx, id); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil || len(s.m) >= maxSeen {
		s.m = make(map[string]string)
	}
	s.m[id.UserID] = key
	return nil
}
