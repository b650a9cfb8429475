package ws

import (
	"context"

	"golang.org/x/time/rate"

	"parley/runtime"
)

// Following several conversations on one socket (docs/protocol.md):
// {"type":"join","session_id","after"} and {"type":"leave","session_id"}.
// The runtime queues a joined conversation's greeting in the socket's
// queue, ahead of its live events, and the write loop writes it (greet)
// when it comes to it, as it greets a new socket; a leave's left status
// comes after the conversation's last frame. Each client frame about a
// conversation goes to the one it names, or the socket's first.

// Join frames of one socket: a burst of one per conversation a socket may
// follow, then joinRate a second. A join reads the store (the
// conversation, its backlog), so a client looping join and leave must not
// cost more than one that follows its conversations.
const joinRate = 5 // per second

func newJoinLimiter() *rate.Limiter { return rate.NewLimiter(joinRate, runtime.MaxFollows) }

// join follows the conversation a join frame names; a refusal is an error
// frame naming it, and the socket stays open.
func (c *connection) join(ctx context.Context, f *inFrame) {
	sid := runtime.SessionID(f.SessionID)
	if c.joins == nil {
		c.joins = newJoinLimiter()
	}
	if r := c.joins.Reserve(); r.Delay() > 0 {
		wait := r.Delay()
		r.Cancel()
		c.sub.Offer(c.errorEvent(sid, &runtime.Error{
			Kind: runtime.KindRateLimited, Message: "too many join frames; slow down", RetryAfter: wait,
		}, ""))
		return
	}
	after := int64(-1)
	if f.After != nil {
		after = *f.After
	}
	if err := c.sub.Follow(ctx, sid, after); err != nil {
		c.sub.Offer(c.errorEvent(sid, err, ""))
	}
}

// leave stops following the conversation a leave frame names.
func (c *connection) leave(f *inFrame) {
	sid := runtime.SessionID(f.SessionID)
	if err := c.sub.Leave(sid); err != nil {
		c.sub.Offer(c.errorEvent(sid, err, ""))
	}
}

// target is the subscription a message, read or typing frame is for: the
// conversation it names, which the socket must follow, or its first. A
// refusal is an error frame, and nil.
func (c *connection) target(f *inFrame) *runtime.Subscription {
	sub, err := c.sub.For(runtime.SessionID(f.SessionID))
	if err != nil {
		sid := runtime.SessionID(f.SessionID)
		if sid == "" {
			sid = c.sub.Session.ID
		}
		c.sub.Offer(c.errorEvent(sid, err, f.ClientID))
		return nil
	}
	return sub
}
