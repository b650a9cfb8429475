package runtime

import (
	"context"
	"sync"
	"time"
)

// The caller's feed (GET /api/events): every event of every conversation
// a caller may see, in one stream with ids that resume. The events are
// rows of the store's feed (FeedStore), written in the transaction of
// what they tell of; a Feed reads them in id order from a cursor and
// keeps those the access rule (mayAccess) lets its caller see, as the
// conversation is now. A message row points at its message by seq, which
// the Feed reads from the messages.
//
// A Feed is told to read again when this node publishes (a local commit),
// when another node writes (Cluster.Changes), and every FeedPoll in any
// case: a wake-up is a hint, the rows are the truth.

// FeedStore keeps the feed's rows. The store implements it when it can;
// without it the feed is unavailable.
type FeedStore interface {
	// FeedAfter returns up to limit rows with ID > after, in ID order,
	// which is the order they committed in.
	FeedAfter(ctx context.Context, after int64, limit int) ([]*FeedRow, error)
	// FeedBounds returns the highest ID stored (0 when none) and the
	// horizon: the highest ID the retention sweep deleted.
	FeedBounds(ctx context.Context) (head, horizon int64, err error)
	// AppendFeed stores a read receipt that is not the owner's (theirs
	// goes with their mark: SessionUpdate.ReadBy).
	AppendFeed(ctx context.Context, r *FeedRow) error
	// SweepFeed deletes the rows created before cutoff, moving the
	// horizon past them, and returns how many it deleted.
	SweepFeed(ctx context.Context, cutoff time.Time) (int64, error)
}

// FeedKind is what a feed row tells of.
type FeedKind string

const (
	FeedMessage FeedKind = "message" // a message stored; Seq is its seq
	FeedCreated FeedKind = "created" // a conversation started
	FeedUpdated FeedKind = "updated" // its status, support status or agent changed
	FeedRead    FeedKind = "read"    // Reader has read up to Seq
)

// FeedRow is one row of the feed.
type FeedRow struct {
	ID        int64
	SessionID SessionID
	Kind      FeedKind
	Seq       int64
	Reader    string
	// Conversation is its state after the change (created, updated).
	Conversation *FeedConversation
	CreatedAt    time.Time
}

// FeedConversation is a conversation as a created or updated row keeps it.
type FeedConversation struct {
	BotID         string `json:"bot_id"`
	UserID        string `json:"user_id"`
	Title         string `json:"title"`
	Status        string `json:"status"`
	SupportStatus string `json:"support_status"`
	AssignedAgent string `json:"assigned_agent"`
}

// FeedEvent is what a Feed delivers: a row its caller may see, with the
// message of a message row; or, with Reset, word that the rows between
// the caller's id and ID were swept away (or the id is unknown here).
type FeedEvent struct {
	ID      int64
	Row     *FeedRow
	Message *Message
	Reset   bool
}

// feedPage is how many rows a Feed reads at a time.
const feedPage = 256

// Feed reads the feed for one caller from a cursor. It is not safe for
// concurrent use: one stream owns it.
type Feed struct {
	hub    *Hub
	store  FeedStore
	id     Identity
	cursor int64
	reset  bool // the first Read starts with a reset event
}

// OpenFeed starts id's feed after the event id after: -1 means from now
// on, 0 from the oldest row kept. An id the sweep has passed, or one
// higher than any stored, starts from now on with a reset event.
func (h *Hub) OpenFeed(ctx context.Context, id Identity, after int64) (*Feed, error) {
	fs, ok := h.store.(FeedStore)
	if !ok {
		return nil, Errorf(KindUnavailable, "this store keeps no feed")
	}
	if id.Anonymous {
		return nil, Errorf(KindUnauthorized, "the feed is for users and API keys")
	}
	head, horizon, err := fs.FeedBounds(ctx)
	if err != nil {
		return nil, err
	}
	f := &Feed{hub: h, store: fs, id: id, cursor: after}
	switch {
	case after < 0:
		f.cursor = head
	case after == 0:
		f.cursor = horizon
	case after < horizon || after > head:
		f.cursor, f.reset = head, true
	}
	return f, nil
}

// Wake returns a channel closed when the feed may have new rows.
func (f *Feed) Wake() <-chan struct{} { return f.hub.feedWake.wait() }

// Read returns the next events the caller may see, nil when there are
// none yet. It reads until it has events or has caught up.
func (f *Feed) Read(ctx context.Context) ([]*FeedEvent, error) {
	if f.reset {
		f.reset = false
		return []*FeedEvent{{ID: f.cursor, Reset: true}}, nil
	}
	for {
		rows, err := f.store.FeedAfter(ctx, f.cursor, feedPage)
		if err != nil || len(rows) == 0 {
			return nil, err
		}
		events, err := f.visible(ctx, rows)
		if err != nil {
			return nil, err
		}
		f.cursor = rows[len(rows)-1].ID
		if len(events) > 0 || len(rows) < feedPage {
			return events, nil
		}
	}
}

// visible keeps the rows whose conversation the caller may see now, and
// reads the messages of the message rows. A conversation deleted since
// is skipped, its rows with it.
func (f *Feed) visible(ctx context.Context, rows []*FeedRow) ([]*FeedEvent, error) {
	sessions := map[SessionID]*Session{}
	seqs := map[SessionID][2]int64{} // the seq range of the message rows kept
	var out []*FeedEvent
	for _, r := range rows {
		s, seen := sessions[r.SessionID]
		if !seen {
			var err error
			s, err = f.hub.store.FindSession(ctx, r.SessionID)
			if err != nil && !IsKind(err, KindNotFound) {
				return nil, err
			}
			sessions[r.SessionID] = s
		}
		if s == nil || mayAccess(f.id, s) != nil {
			continue
		}
		if r.Kind == FeedMessage {
			rg, ok := seqs[r.SessionID]
			if !ok {
				rg = [2]int64{r.Seq, r.Seq}
			}
			seqs[r.SessionID] = [2]int64{min(rg[0], r.Seq), max(rg[1], r.Seq)}
		}
		out = append(out, &FeedEvent{ID: r.ID, Row: r})
	}
	return f.withMessages(ctx, out, seqs)
}

// withMessages attaches to each message event its message, read by
// conversation; a message gone (its conversation deleted) drops its event.
func (f *Feed) withMessages(ctx context.Context, events []*FeedEvent, seqs map[SessionID][2]int64) ([]*FeedEvent, error) {
	msgs := map[SessionID]map[int64]*Message{}
	for sid, rg := range seqs {
		ms, err := f.hub.store.FindMessages(ctx, MessageFilter{SessionID: sid, AfterSeq: rg[0] - 1, BeforeSeq: rg[1] + 1})
		if err != nil {
			return nil, err
		}
		bySeq := make(map[int64]*Message, len(ms))
		for _, m := range ms {
			bySeq[m.Seq] = m
		}
		msgs[sid] = bySeq
	}
	out := events[:0]
	for _, e := range events {
		if e.Row.Kind == FeedMessage {
			if e.Message = msgs[e.Row.SessionID][e.Row.Seq]; e.Message == nil {
				continue
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// waker tells the open feeds to read again: wait returns a channel that
// wake closes. With no feed waiting, wake costs a lock and nothing else.
type waker struct {
	mu sync.Mutex
	ch chan struct{}
}

func (w *waker) wait() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ch == nil {
		w.ch = make(chan struct{})
	}
	return w.ch
}

func (w *waker) wake() {
	w.mu.Lock()
	if w.ch != nil {
		close(w.ch)
		w.ch = nil
	}
	w.mu.Unlock()
}

// sweepFeed deletes the feed rows older than FeedRetention.
func (h *Hub) sweepFeed(ctx context.Context) error {
	fs, ok := h.store.(FeedStore)
	if !ok {
		return nil
	}
	n, err := fs.SweepFeed(ctx, h.now().Add(-h.cfg.FeedRetention))
	if n > 0 {
		h.log.Info("deleted old feed events", "count", n)
	}
	return err
}

// PollEvery is how often an open feed reads without a wake-up.
func (f *Feed) PollEvery() time.Duration { return f.hub.cfg.FeedPoll }
