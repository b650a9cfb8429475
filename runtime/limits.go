package runtime

import "time"

// Buckets of the rate limits of protocol §4. The message bucket is shared
// by /ws and REST.
const (
	BucketMessages = "messages"
	BucketHistory  = "history"
	BucketList     = "list"
	// BucketConversations counts conversations started by one anonymous
	// address, or started over REST by one user.
	BucketConversations = "conversations"
	// BucketTickets counts /ws tickets issued to one user.
	BucketTickets = "tickets"
)

// Limiter decides whether a caller may spend one token of a bucket. It is
// implemented outside runtime (rest) and shared by every transport.
type Limiter interface {
	// Allow spends a token of bucket for key, or says how long to wait.
	Allow(bucket, key string) (ok bool, retryAfter time.Duration)
	// Connect counts an open socket of user (may be empty) from ip; the
	// returned release undoes it. ok is false over the caps.
	Connect(user, ip string) (release func(), ok bool)
}

// LimitKey is the key a caller's limits are counted under: the user, or
// the address of an anonymous visitor.
func LimitKey(id Identity) string {
	if id.Anonymous {
		return "ip:" + id.IP
	}
	return "user:" + id.UserID
}

// allow applies bucket to id and returns a KindRateLimited error when it
// is spent.
func (h *Hub) allow(bucket string, id Identity) error {
	ok, wait := h.cfg.Limiter.Allow(bucket, LimitKey(id))
	if ok {
		return nil
	}
	// A token due in less than a millisecond still means "not now": the
	// client is always told to wait (retry_after_ms is never 0).
	return &Error{Kind: KindRateLimited, Message: "too many requests; slow down", RetryAfter: max(wait, time.Millisecond)}
}

// Connect counts a new socket against the connection caps.
func (h *Hub) Connect(id Identity) (release func(), err error) {
	user := ""
	if !id.Anonymous {
		user = id.UserID
	}
	release, ok := h.cfg.Limiter.Connect(user, id.IP)
	if !ok {
		return nil, Errorf(KindTooMany, "too many open connections")
	}
	return release, nil
}

// noLimits is the Limiter when none is configured.
type noLimits struct{}

func (noLimits) Allow(string, string) (bool, time.Duration) { return true, 0 }
func (noLimits) Connect(string, string) (func(), bool)      { return func() {}, true }
