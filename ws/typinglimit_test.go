package ws

import (
	"testing"
	"time"
)

// A socket may send a burst of typing frames, then typingRate a second.
func TestTypingLimit(t *testing.T) {
	t.Parallel()
	l := newTypingLimiter()
	now := time.Unix(1000, 0)
	for i := range typingBurst {
		if !l.AllowN(now, 1) {
			t.Fatalf("frame %d of the burst refused", i+1)
		}
	}
	if l.AllowN(now, 1) {
		t.Fatal("a frame over the burst allowed")
	}
	now = now.Add(time.Second / typingRate)
	if !l.AllowN(now, 1) {
		t.Fatal("a frame refused after the bucket refilled one token")
	}
	if l.AllowN(now, 1) {
		t.Fatal("two frames allowed for one token")
	}
	if !l.AllowN(now.Add(time.Hour), 1) || l.TokensAt(now.Add(time.Hour)) != typingBurst-1 {
		t.Fatalf("after an hour: tokens %v, want the burst less one", l.TokensAt(now.Add(time.Hour)))
	}
}
