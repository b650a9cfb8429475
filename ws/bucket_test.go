package ws

import (
	"testing"
	"time"
)

// A socket may send a burst of typing frames, then typingRate a second.
func TestTypingBucket(t *testing.T) {
	t.Parallel()
	var b bucket
	now := time.Unix(1000, 0)
	for i := range typingBurst {
		if !b.allow(now) {
			t.Fatalf("frame %d of the burst refused", i+1)
		}
	}
	if b.allow(now) {
		t.Fatal("a frame over the burst allowed")
	}
	now = now.Add(time.Second / typingRate)
	if !b.allow(now) {
		t.Fatal("a frame refused after the bucket refilled one token")
	}
	if b.allow(now) {
		t.Fatal("two frames allowed for one token")
	}
	if !b.allow(now.Add(time.Hour)) || b.tokens != typingBurst-1 {
		t.Fatalf("after an hour: tokens %v, want the burst less one", b.tokens)
	}
}
