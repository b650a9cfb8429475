package ws

import "golang.org/x/time/rate"

// Typing frames of one socket: a burst of typingBurst, then typingRate a
// second. A client refreshes its indicator every second or two and says
// when it stops; more than this is noise, dropped without an answer.
const (
	typingBurst = 5
	typingRate  = 5 // per second
)

// newTypingLimiter is the token bucket of one socket's typing frames.
func newTypingLimiter() *rate.Limiter { return rate.NewLimiter(typingRate, typingBurst) }
