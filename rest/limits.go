package rest

import (
	"sync"
	"time"

	"golang.org/x/time/rate"

	"parley/runtime"
)

// LimitConfig sets the limits of protocol §4. Zero counts take defaults;
// Off lifts every limit (benchmarks, load tests).
type LimitConfig struct {
	Off bool
	// Token buckets per user (per IP when anonymous): each holds its
	// per-minute count and refills evenly over the minute.
	MessagesPerMinute int // default 60, shared by /ws and REST
	HistoryPerMinute  int // default 100
	ListPerMinute     int // default 30
	// ConversationsPerHour caps conversations an anonymous IP starts
	// (default 100: a page reloaded without its resume token).
	ConversationsPerHour int
	// TicketsPerMinute caps /ws tickets per user (default 60).
	TicketsPerMinute int
	// Open sockets.
	ConnsPerUser int // default 50
	ConnsPerIP   int // default 500
	Now          func() time.Time
}

func (c LimitConfig) withDefaults() LimitConfig {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.MessagesPerMinute, 60)
	def(&c.HistoryPerMinute, 100)
	def(&c.ListPerMinute, 30)
	def(&c.ConversationsPerHour, 100)
	def(&c.TicketsPerMinute, 60)
	def(&c.ConnsPerUser, 50)
	def(&c.ConnsPerIP, 500)
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Limiter implements runtime.Limiter with golang.org/x/time/rate buckets
// kept per (bucket, key) and forgotten once full again.
type Limiter struct {
	cfg LimitConfig

	mu      sync.Mutex
	buckets map[string]*bucket
	conns   map[string]int
	calls   int
}

type bucket struct {
	lim  *rate.Limiter
	full time.Time // when the bucket is full again if left alone
}

var _ runtime.Limiter = (*Limiter)(nil)

// NewLimiter returns a Limiter.
func NewLimiter(cfg LimitConfig) *Limiter {
	return &Limiter{cfg: cfg.withDefaults(), buckets: make(map[string]*bucket), conns: make(map[string]int)}
}

// Allow spends one token of bucket for key.
func (l *Limiter) Allow(name, key string) (bool, time.Duration) {
	if l.cfg.Off {
		return true, 0
	}
	now := l.cfg.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucketLocked(name, key, now)
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	b.full = now.Add(l.refill(name))
	return true, 0
}

func (l *Limiter) bucketLocked(name, key string, now time.Time) *bucket {
	if l.calls++; l.calls%1024 == 0 {
		for k, b := range l.buckets {
			if now.After(b.full) {
				delete(l.buckets, k) // a full bucket is the same as a new one
			}
		}
	}
	k := name + "\x00" + key
	b, ok := l.buckets[k]
	if !ok {
		n, per := l.size(name)
		b = &bucket{lim: rate.NewLimiter(rate.Limit(float64(n)/per.Seconds()), n)}
		l.buckets[k] = b
	}
	return b
}

// size returns a bucket's capacity and the time it takes to refill.
func (l *Limiter) size(name string) (int, time.Duration) {
	switch name {
	case runtime.BucketMessages:
		return l.cfg.MessagesPerMinute, time.Minute
	case runtime.BucketHistory:
		return l.cfg.HistoryPerMinute, time.Minute
	case runtime.BucketList:
		return l.cfg.ListPerMinute, time.Minute
	case runtime.BucketConversations:
		return l.cfg.ConversationsPerHour, time.Hour
	case runtime.BucketTickets:
		return l.cfg.TicketsPerMinute, time.Minute
	}
	return 60, time.Minute
}

func (l *Limiter) refill(name string) time.Duration {
	_, per := l.size(name)
	return per
}

// Connect counts an open socket against the per-user and per-IP caps.
func (l *Limiter) Connect(user, ip string) (func(), bool) {
	if l.cfg.Off {
		return func() {}, true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if (user != "" && l.conns["u:"+user] >= l.cfg.ConnsPerUser) || l.conns["ip:"+ip] >= l.cfg.ConnsPerIP {
		return nil, false
	}
	l.addLocked(user, ip, 1)
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			l.addLocked(user, ip, -1)
		})
	}, true
}

func (l *Limiter) addLocked(user, ip string, d int) {
	for _, k := range []string{"u:" + user, "ip:" + ip} {
		if k == "u:" {
			continue
		}
		if l.conns[k] += d; l.conns[k] <= 0 {
			delete(l.conns, k)
		}
	}
}
