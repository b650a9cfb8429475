package rest_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"parley/rest"
	"parley/runtime"
)

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// A bucket holds its per-minute count, refuses the next call with a
// positive wait and refills evenly; keys and buckets are independent.
func TestLimiterTokenBucket(t *testing.T) {
	t.Parallel()
	clk := &clock{now: t0}
	l := rest.NewLimiter(rest.LimitConfig{MessagesPerMinute: 3, HistoryPerMinute: 1, Now: clk.Now})
	for i := range 3 {
		if ok, _ := l.Allow(runtime.BucketMessages, "user:a"); !ok {
			t.Fatalf("call %d refused", i+1)
		}
	}
	ok, wait := l.Allow(runtime.BucketMessages, "user:a")
	if ok || wait <= 0 || wait > 20*time.Second {
		t.Fatalf("4th call: ok %v, wait %v; want refused with a wait of at most 20s", ok, wait)
	}
	if ok, _ := l.Allow(runtime.BucketMessages, "user:b"); !ok {
		t.Fatal("another key shares the bucket")
	}
	if ok, _ := l.Allow(runtime.BucketHistory, "user:a"); !ok {
		t.Fatal("another bucket is spent")
	}
	if ok, _ := l.Allow(runtime.BucketHistory, "user:a"); ok {
		t.Fatal("history allowed past its count of 1")
	}

	clk.Add(wait - time.Millisecond)
	if ok, _ := l.Allow(runtime.BucketMessages, "user:a"); ok {
		t.Fatal("allowed before the wait it gave")
	}
	clk.Add(time.Millisecond)
	if ok, _ := l.Allow(runtime.BucketMessages, "user:a"); !ok {
		t.Fatal("refused after the wait it gave")
	}
	if ok, _ := l.Allow(runtime.BucketMessages, "user:a"); ok {
		t.Fatal("one token refilled, two spent")
	}
	clk.Add(time.Hour)
	for i := range 3 { // full again, but not fuller
		if ok, _ := l.Allow(runtime.BucketMessages, "user:a"); !ok {
			t.Fatalf("after an hour, call %d refused", i+1)
		}
	}
	if ok, _ := l.Allow(runtime.BucketMessages, "user:a"); ok {
		t.Fatal("the bucket holds more than its count")
	}
}

// The protocol's defaults: 60 messages, 100 history, 30 list a minute, 100
// anonymous conversations an hour.
func TestLimiterDefaults(t *testing.T) {
	t.Parallel()
	l := rest.NewLimiter(rest.LimitConfig{Now: (&clock{now: t0}).Now})
	for bucket, n := range map[string]int{
		runtime.BucketMessages: 60, runtime.BucketHistory: 100,
		runtime.BucketList: 30, runtime.BucketConversations: 100,
	} {
		for i := range n {
			if ok, _ := l.Allow(bucket, "k"); !ok {
				t.Fatalf("%s: call %d refused", bucket, i+1)
			}
		}
		ok, wait := l.Allow(bucket, "k")
		if ok {
			t.Fatalf("%s: call %d allowed", bucket, n+1)
		}
		if bucket == runtime.BucketConversations && wait < 30*time.Second {
			t.Fatalf("conversations refill per hour, but the wait is %v", wait)
		}
	}
}

func TestLimiterOff(t *testing.T) {
	t.Parallel()
	l := rest.NewLimiter(rest.LimitConfig{Off: true, MessagesPerMinute: 1, ConnsPerUser: 1, ConnsPerIP: 1})
	for range 10 {
		if ok, _ := l.Allow(runtime.BucketMessages, "k"); !ok {
			t.Fatal("Off limiter refused a message")
		}
		if _, ok := l.Connect("u", "ip"); !ok {
			t.Fatal("Off limiter refused a socket")
		}
	}
}

// Sockets are capped per user and per IP; releasing makes room, once.
func TestLimiterConnect(t *testing.T) {
	t.Parallel()
	l := rest.NewLimiter(rest.LimitConfig{ConnsPerUser: 2, ConnsPerIP: 3})
	connect := func(user, ip string, want bool) func() {
		t.Helper()
		release, ok := l.Connect(user, ip)
		if ok != want {
			t.Fatalf("Connect(%q, %q) = %v, want %v", user, ip, ok, want)
		}
		return release
	}
	a1 := connect("a", "1.1.1.1", true)
	connect("a", "2.2.2.2", true)
	connect("a", "3.3.3.3", false) // user cap
	connect("b", "1.1.1.1", true)
	connect("", "1.1.1.1", true)   // anonymous: IP only
	connect("c", "1.1.1.1", false) // IP cap
	connect("", "1.1.1.1", false)

	a1()
	a1() // idempotent: frees one slot of a and of 1.1.1.1, not two
	connect("a", "4.4.4.4", true)
	connect("a", "5.5.5.5", false)
	connect("c", "1.1.1.1", true)
	connect("d", "1.1.1.1", false)
}

// Forgetting full buckets (every 1024 calls) never forgets a spent one.
func TestLimiterForgetsOnlyFullBuckets(t *testing.T) {
	t.Parallel()
	clk := &clock{now: t0}
	l := rest.NewLimiter(rest.LimitConfig{MessagesPerMinute: 2, Now: clk.Now})
	l.Allow(runtime.BucketMessages, "spent")
	l.Allow(runtime.BucketMessages, "spent")
	clk.Add(time.Second) // not enough for a token (one per 30s)
	for i := range 2100 {
		l.Allow(runtime.BucketHistory, fmt.Sprint("other", i))
	}
	if ok, _ := l.Allow(runtime.BucketMessages, "spent"); ok {
		t.Fatal("a spent bucket was forgotten")
	}
}
