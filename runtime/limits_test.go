package runtime_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/runtime"
)

// refuser is a runtime.Limiter that refuses the buckets it names and
// records every key it was asked about.
type refuser struct {
	refuse   map[string]bool
	noSocket bool

	mu    sync.Mutex
	asked []string // "bucket key"
}

func (l *refuser) Allow(bucket, key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.asked = append(l.asked, bucket+" "+key)
	if l.refuse[bucket] {
		return false, 1500 * time.Millisecond
	}
	return true, 0
}

func (l *refuser) Connect(user, ip string) (func(), bool) {
	return func() {}, !l.noSocket
}

func (l *refuser) lastAsked() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.asked) == 0 {
		return ""
	}
	return l.asked[len(l.asked)-1]
}

// A refused message is not stored or published, and the error says
// how long to wait.
func TestSendRateLimited(t *testing.T) {
	t.Parallel()
	lim := &refuser{refuse: map[string]bool{runtime.BucketMessages: true}}
	h := newHub(t, echo, runtime.Config{Limiter: lim})
	sub := h.join(t, alice, runtime.JoinRequest{})
	ctx := context.Background()
	for name, send := range map[string]func() error{
		"Hub.Send": func() error {
			_, _, err := h.Send(ctx, alice, runtime.SendRequest{SessionID: sub.Session.ID, Content: "hi"})
			return err
		},
		"Subscription.Send": func() error {
			_, _, err := sub.Send(ctx, runtime.SendRequest{Content: "hi"})
			return err
		},
	} {
		err := send()
		expectKind(t, err, runtime.KindRateLimited)
		if got := runtime.RetryAfter(err); got != 1500*time.Millisecond {
			t.Fatalf("%s: RetryAfter = %v, want 1.5s", name, got)
		}
		if got := lim.lastAsked(); got != "messages user:alice" {
			t.Fatalf("%s: limiter asked for %q", name, got)
		}
	}
	if n := len(h.stored(t, sub.Session.ID)); n != 0 {
		t.Fatalf("%d rate-limited messages stored", n)
	}
	expectQuiet(t, sub)
}

// Every limited operation asks for its own bucket, keyed by user or, for
// anonymous visitors, by address.
func TestLimitBuckets(t *testing.T) {
	t.Parallel()
	lim := &refuser{refuse: map[string]bool{
		runtime.BucketHistory: true, runtime.BucketList: true, runtime.BucketConversations: true,
	}}
	h := newHub(t, silent, runtime.Config{Limiter: lim})
	ctx := context.Background()
	sid := h.join(t, alice, runtime.JoinRequest{}).Session.ID

	_, _, err := h.History(ctx, alice, sid, runtime.HistoryQuery{Limit: 10})
	checkLimited(t, lim, err, "history user:alice")
	_, _, err = h.Conversations(ctx, bob, runtime.ConversationFilter{Limit: 10})
	checkLimited(t, lim, err, "list user:bob")
	_, err = h.Join(ctx, anon, runtime.JoinRequest{})
	checkLimited(t, lim, err, "conversations ip:"+anon.IP)
	if n := h.Stats().Conversations; n != 1 {
		t.Fatalf("Stats().Conversations = %d: a refused anonymous join created a conversation", n)
	}

	lim.noSocket = true
	_, err = h.Connect(alice)
	expectKind(t, err, runtime.KindTooMany)
}

func checkLimited(t *testing.T, lim *refuser, err error, asked string) {
	t.Helper()
	expectKind(t, err, runtime.KindRateLimited)
	if runtime.RetryAfter(err) <= 0 {
		t.Fatalf("no RetryAfter on %v", err)
	}
	if got := lim.lastAsked(); got != asked {
		t.Fatalf("limiter asked for %q, want %q", got, asked)
	}
}

// Users starting conversations over REST and fetching tickets are
// limited too: each start holds memory until eviction, each unredeemed
// ticket until it expires.
func TestStartAndTicketLimited(t *testing.T) {
	t.Parallel()
	lim := &refuser{refuse: map[string]bool{runtime.BucketConversations: true, runtime.BucketTickets: true}}
	h := newHub(t, echo, runtime.Config{Limiter: lim})
	_, err := h.StartConversation(context.Background(), alice, "echo", "")
	expectKind(t, err, runtime.KindRateLimited)
	if got := lim.lastAsked(); got != runtime.BucketConversations+" user:alice" {
		t.Fatalf("asked %q", got)
	}
	_, _, err = h.IssueTicket(context.Background(), alice)
	expectKind(t, err, runtime.KindRateLimited)
	if _, total, _ := h.Conversations(context.Background(), alice, runtime.ConversationFilter{Limit: 5}); total != 0 {
		t.Fatalf("a refused start left %d conversations", total)
	}
}

func TestCheckJSONDepth(t *testing.T) {
	nest := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	for _, tc := range []struct {
		json string
		ok   bool
	}{
		{`{"a":1}`, true},
		{nest(runtime.MaxJSONDepth), true},
		{nest(runtime.MaxJSONDepth + 1), false},
		{`{"a":` + nest(runtime.MaxJSONDepth) + `}`, false},
		{`{"s":"` + nest(100) + `"}`, true},                  // brackets in a string
		{`{"s":"\"` + nest(100) + `\\"}`, true},              // escaped quotes stay in the string
		{`{"s":"\\"}` + nest(runtime.MaxJSONDepth+1), false}, // the string ended
	} {
		err := runtime.CheckJSONDepth([]byte(tc.json))
		if (err == nil) != tc.ok || (err != nil && !runtime.IsKind(err, runtime.KindInvalid)) {
			t.Errorf("%.40q: %v, want ok=%v", tc.json, err, tc.ok)
		}
	}
}
