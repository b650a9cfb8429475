package runtime

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// Config configures a Hub. Zero values are replaced by defaults in New.
type Config struct {
	Store  Store
	Engine DialogEngine
	Logger *slog.Logger
	Now    func() time.Time

	// QueueSize bounds each subscriber's queue of events (default 256).
	// A subscriber that falls this far behind is dropped.
	QueueSize int
	// AnonymousTTL is how long an anonymous conversation may sit idle
	// before it is deleted with its messages (default 30m). A conversation
	// with an open socket is not idle.
	AnonymousTTL time.Duration
	// TicketTTL is how long a /ws ticket stays valid (default 30s).
	TicketTTL time.Duration
	// Limiter applies rate limits; nil means none.
	Limiter Limiter
	// Rand is the source of RANDOM (default math/rand/v2); tests fix it.
	Rand func(lo, hi int) int
	// DialogIdleEvict is how long a dialog may sit idle in memory before it
	// is dropped, to be rebuilt from its journal on its next message
	// (default 5m).
	DialogIdleEvict time.Duration
	// TypingExpiry is how long a person's typing indicator lasts without
	// a refresh before the others are told it stopped (default 5s).
	TypingExpiry time.Duration
	// Cluster connects this node to the others on its database; nil for
	// a single node (cluster.go).
	Cluster Cluster
	// PresenceEvery is how often, with a Cluster, a node lists its online
	// users to the others (default 10s). Its users go offline on the
	// others 2 to 4 times this after it dies (presence_nodes.go).
	PresenceEvery time.Duration
	// AutoAssign assigns each conversation entering the support queue
	// on this node to the next agent online, round robin (autoassign.go).
	// Off by default: agents take conversations from the queue. With no
	// agent online it stays waiting.
	AutoAssign bool
	// FeedRetention is how long the feed (feed.go) keeps its events
	// (default 7 days); a client resuming from an older one gets a reset.
	FeedRetention time.Duration
	// FeedPoll is how often an open feed reads the store even when
	// nothing woke it (default 1s): the bound on the delay of an event
	// whose wake-up was lost.
	FeedPoll time.Duration
	// HTTP makes the requests of scripts (HTTP_GET, HTTP_POST); nil
	// refuses them all, each an error the script sees. cmd wires
	// package outbound's.
	HTTP Fetcher
	// LLM makes the chat completions of scripts (LLM); nil answers every
	// call with ErrNoLLM, an error the script sees. cmd wires package
	// llm's.
	LLM LLM
	// Blobs keeps the bytes of uploads; nil refuses uploads. cmd wires
	// package uploads' disk store.
	Blobs BlobStore
	// Inspect sniffs an upload's type; nil: the standard library's.
	Inspect Inspector
	// Uploads bounds uploads (defaults in UploadLimits).
	Uploads UploadLimits
}

// Hub owns the live conversations. ws and rest call its methods; every
// method checks that the caller may touch the conversation it names.
type Hub struct {
	cfg     Config
	store   Store
	engine  DialogEngine
	log     *slog.Logger
	now     func() time.Time
	tickets *tickets

	ctx    context.Context // the sweep's; cancelled when the hub is closed
	cancel context.CancelFunc

	joinMu  [64]sync.Mutex // serialise one user's find-or-create in Join (striped by user)
	mu      sync.Mutex
	convs   map[SessionID]*conv
	saved   map[string]bool // script versions stored by this process
	closing bool
	wg      sync.WaitGroup // dialog goroutines and the sweep

	// The people here: sockets by user, presence, conversations by
	// person (registry.go); presenceMu serialises one user's presence
	// changes (presence.go, striped by user).
	reg        registry
	presenceMu [64]sync.Mutex
	assigner   assigner     // the round robin of Config.AutoAssign
	feedWake   waker        // the open feeds' wake-up (feed.go)
	blobMu     sync.RWMutex // uploads (read) against the blob sweep (write): upload_sweep.go
	counters
}

// New returns a Hub and starts its background sweep.
func New(cfg Config) *Hub {
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	h := &Hub{
		cfg: cfg, store: cfg.Store, engine: cfg.Engine, log: cfg.Logger, now: cfg.Now,
		tickets: newTickets(cfg.Now, cfg.TicketTTL),
		ctx:     ctx, cancel: cancel,
		convs: make(map[SessionID]*conv),
		saved: make(map[string]bool),
		reg:   newRegistry(),
	}
	h.wg.Add(2)
	go h.sweepLoop()
	go h.evictLoop()
	if cfg.Cluster != nil {
		h.wg.Add(3)
		go h.watchLoop()
		go h.orphanLoop()
		go h.presenceLoop()
	}
	return h
}

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.QueueSize <= 0 {
		c.QueueSize = 256
	}
	if c.AnonymousTTL <= 0 {
		c.AnonymousTTL = 30 * time.Minute
	}
	if c.FeedRetention <= 0 {
		c.FeedRetention = 7 * 24 * time.Hour
	}
	if c.FeedPoll <= 0 {
		c.FeedPoll = time.Second
	}
	if c.TicketTTL <= 0 {
		c.TicketTTL = 30 * time.Second
	}
	if c.Limiter == nil {
		c.Limiter = noLimits{}
	}
	if c.Rand == nil {
		c.Rand = defaultRand
	}
	if c.DialogIdleEvict <= 0 {
		c.DialogIdleEvict = 5 * time.Minute
	}
	if c.PresenceEvery <= 0 {
		c.PresenceEvery = 10 * time.Second
	}
	if c.TypingExpiry <= 0 {
		c.TypingExpiry = 5 * time.Second
	}
	if c.HTTP == nil {
		c.HTTP = noFetcher{}
	}
	if c.LLM == nil {
		c.LLM = noLLM{}
	}
	if c.Blobs == nil {
		c.Blobs = noBlobs{}
	}
	if c.Inspect == nil {
		c.Inspect = inspectStd
	}
	c.Uploads = c.Uploads.withDefaults()
	return c
}

// Close drains the hub: new work is refused, every subscriber gets a
// shutting_down status and is ended, and dialogs finish the messages
// already stored until ctx expires, when they are cancelled.
func (h *Hub) Close(ctx context.Context) error {
	h.mu.Lock()
	h.closing = true
	convs := make([]*conv, 0, len(h.convs))
	for _, c := range h.convs {
		convs = append(convs, c)
	}
	h.mu.Unlock()
	for _, c := range convs {
		c.closeInput()
		c.endAll(&Event{Type: EventStatus, SessionID: c.id, Status: StatusShuttingDown}, ReasonShuttingDown)
		c.stop()
	}
	done := make(chan struct{})
	go func() { h.wg.Wait(); close(done) }()
	h.cancel() // stops the sweep; dialogs are cancelled only at the deadline
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		for _, c := range convs {
			c.cancel()
		}
		<-done
		return ctx.Err()
	}
}

// conv returns the live conversation, loading it from the store when it
// is not in memory.
func (h *Hub) conv(ctx context.Context, id SessionID) (*conv, error) {
	h.mu.Lock()
	c, ok := h.convs[id]
	h.mu.Unlock()
	if ok {
		return c, nil
	}
	s, err := h.store.FindSession(ctx, id)
	if err != nil {
		return nil, err
	}
	return h.adopt(s)
}

// adopt makes s live, unless another caller did so first.
func (h *Hub) adopt(s *Session) (*conv, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return nil, Errorf(KindUnavailable, "the server is shutting down")
	}
	if c, ok := h.convs[s.ID]; ok {
		return c, nil
	}
	h.wg.Add(1) // done when the conversation ends (worker.go, end)
	c := newConv(h, s)
	h.convs[s.ID] = c
	return c, nil
}

// forget ends a conversation deleted from the store.
func (h *Hub) forget(id SessionID) {
	h.mu.Lock()
	c, ok := h.convs[id]
	delete(h.convs, id)
	h.mu.Unlock()
	if ok {
		c.endAll(nil, ReasonDeleted)
		c.cancel()
	}
}
