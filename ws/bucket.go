package ws

import "time"

// Typing frames of one socket: a burst of typingBurst, then typingRate a
// second. A client refreshes its indicator every second or two and says
// when it stops; more than this is noise, dropped without an answer.
const (
	typingBurst = 5
	typingRate  = 5 // per second
)

// bucket is a token bucket of typing frames for one socket, used by its
// read loop alone (no lock).
type bucket struct {
	tokens float64
	last   time.Time
}

// allow spends a token if one is left at now.
func (b *bucket) allow(now time.Time) bool {
	if b.last.IsZero() {
		b.tokens = typingBurst
	} else {
		b.tokens = min(typingBurst, b.tokens+now.Sub(b.last).Seconds()*typingRate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
