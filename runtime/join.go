package runtime

import (
	"context"
	"errors"
	"slices"
)

// JoinRequest is what a socket asks for when it connects.
type JoinRequest struct {
	BotID       BotID     // empty: the default bot (or the session's)
	SessionID   SessionID // empty: a new conversation (anonymous) or the latest one (users)
	ResumeToken string    // anonymous visitors resuming SessionID
}

// Join subscribes a socket to a conversation, creating the conversation
// when there is none to join (protocol §3). A new conversation's dialog
// starts after the subscription exists, so the greeting reaches it live.
func (h *Hub) Join(ctx context.Context, id Identity, req JoinRequest) (*Subscription, error) {
	bot, err := h.botFor(id, req.BotID)
	if err != nil && (req.SessionID == "" || IsKind(err, KindForbidden)) {
		return nil, err
	}
	if !id.Anonymous && req.SessionID == "" {
		// Two devices joining at once must find or create one
		// conversation, and the dialog must start before either sends.
		unlock, err := h.joinLock(ctx, id)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	s, token, created, err := h.sessionToJoin(ctx, id, req, bot)
	if err != nil {
		return nil, err
	}
	if !id.Anonymous {
		if err := h.store.UpsertUser(ctx, id); err != nil {
			return nil, err
		}
	}
	sub, err := h.subscribe(ctx, id, s, nil, -1, created)
	if err != nil {
		return nil, err
	}
	sub.ResumeToken = token
	h.arrive(sub.sock) // after agentJoined: an agent who joined is a member
	return sub, nil
}

// subscribe makes s live here and subscribes id to it, on sock (nil: a
// new socket), as a socket that connects to s or joins it (Follow). A
// conversation that never started (new, or created just before a crash)
// starts its dialog now, after the subscription exists, so that the
// greeting reaches it live.
func (h *Hub) subscribe(ctx context.Context, id Identity, s *Session, sock *socket, after int64, created bool) (*Subscription, error) {
	for {
		c, err := h.adopt(s)
		if err != nil {
			return nil, err
		}
		if h.cfg.Cluster != nil {
			// Another node may have stored messages whose wake-up has not
			// reached this node yet: read them now, so that the
			// subscriber's snapshot (the connected frame's last_seq, the
			// end of its after= replay) is not behind what that node has
			// already delivered, and nothing falls between the replay and
			// live delivery.
			if err := c.catchUp(ctx); err != nil {
				return nil, err
			}
		}
		err = c.agentMember(ctx, id)
		var sub *Subscription
		if err == nil {
			sub, err = c.subscribe(id, sock, after)
		}
		if errors.Is(err, errEvicted) {
			if s, err = h.store.FindSession(ctx, s.ID); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		c.agentJoined(sub)
		if created || (sub.Session.Run == 0 && sub.Session.LastSeq == 0) {
			c.enqueue(startInput)
		}
		return sub, nil
	}
}

// agentMember makes an agent (or an admin) who did not start the
// conversation a member as their socket joins it, so that they keep
// access once it leaves the queue.
func (c *conv) agentMember(ctx context.Context, id Identity) error {
	s := c.snapshot()
	if author, _ := authorOf(id, s); author != SenderAgent || slices.Contains(s.Members, id.UserID) {
		return nil
	}
	_, err := c.update(ctx, SessionUpdate{AddMember: &id.UserID})
	return err
}

// agentJoined tells the conversation when an agent (or an admin) who did
// not start it opens their first socket of it here.
func (c *conv) agentJoined(sub *Subscription) {
	id := sub.Identity
	if author, _ := authorOf(id, sub.Session); author != SenderAgent {
		return
	}
	c.mu.Lock()
	first := true
	for other := range c.subs {
		if other != sub && other.Identity.UserID == id.UserID {
			first = false
		}
	}
	c.mu.Unlock()
	if first {
		_, name := authorOf(id, sub.Session)
		c.publish(&Event{Type: EventStatus, SessionID: c.id, Status: StatusAgentJoined, Agent: id.UserID, AgentName: name})
	}
}

// sessionToJoin finds or creates the conversation a socket joins.
func (h *Hub) sessionToJoin(ctx context.Context, id Identity, req JoinRequest, bot *Bot) (s *Session, token string, created bool, err error) {
	if req.SessionID != "" {
		s, err = h.resumable(ctx, id, req)
		return s, req.ResumeToken, false, err
	}
	if id.Anonymous {
		if err := h.allow(BucketConversations, id); err != nil {
			return nil, "", false, err
		}
		token = newSecret()
		s, err = h.createSession(ctx, id, bot.ID, hashSecret(token), nil)
		return s, token, true, err
	}
	s, err = h.store.FindLatestSession(ctx, id.UserID, bot.ID)
	if IsKind(err, KindNotFound) {
		s, err = h.createSession(ctx, id, bot.ID, "", nil)
		return s, "", true, err
	}
	return s, "", false, err
}

// resumable loads req.SessionID and checks the caller may join it.
func (h *Hub) resumable(ctx context.Context, id Identity, req JoinRequest) (*Session, error) {
	s, err := h.session(ctx, req.SessionID)
	if err != nil {
		return nil, err
	}
	if req.BotID != "" && req.BotID != s.BotID {
		return nil, Errorf(KindInvalid, "conversation %s belongs to bot %q, not %q", s.ID, s.BotID, req.BotID)
	}
	if id.Anonymous {
		if !s.Anonymous || req.ResumeToken == "" || !secretMatches(req.ResumeToken, s.ResumeTokenHash) {
			return nil, Errorf(KindForbidden, "a valid resume_token is needed to resume this conversation")
		}
		return s, nil
	}
	return s, mayAccess(id, s)
}

// session returns a conversation from memory or the store.
func (h *Hub) session(ctx context.Context, sid SessionID) (*Session, error) {
	c, err := h.conv(ctx, sid)
	if err != nil {
		return nil, err
	}
	return c.snapshot(), nil
}

// createSession stores a new conversation of id with bot; with, when not
// nil, sets more of it before it is stored.
func (h *Hub) createSession(ctx context.Context, id Identity, bot BotID, tokenHash string, with func(*Session)) (*Session, error) {
	now := h.now().UTC()
	s := &Session{
		ID: SessionID(NewID()), BotID: bot, UserID: id.UserID, UserName: id.Name,
		Anonymous: id.Anonymous, Status: StatusActive, ResumeTokenHash: tokenHash,
		Suggestions: []string{}, CreatedAt: now, LastActivity: now,
	}
	if s.Anonymous {
		s.UserID = "anon:" + string(s.ID)
	}
	if with != nil {
		with(s)
	}
	if err := h.store.CreateSession(ctx, s); err != nil {
		return nil, err
	}
	h.feedWake.wake()
	return s, nil
}

// botFor resolves the bot a caller asks for. Anonymous visitors may talk
// only to the default bot.
func (h *Hub) botFor(id Identity, want BotID) (*Bot, error) {
	def, ok := h.DefaultBot()
	if want == "" {
		if !ok {
			return nil, Errorf(KindNotFound, "no default bot is configured")
		}
		return def, nil
	}
	bot, err := h.Bot(want)
	if err != nil {
		return nil, err
	}
	if id.Anonymous && !bot.Default {
		return nil, Errorf(KindForbidden, "anonymous visitors may talk only to the default bot; log in to talk to %q", want)
	}
	return bot, nil
}

// Bots lists the loaded bots.
func (h *Hub) Bots() []*Bot { return h.engine.Bots() }

// Bot returns one bot, or KindNotFound.
func (h *Hub) Bot(id BotID) (*Bot, error) {
	for _, b := range h.engine.Bots() {
		if b.ID == id {
			return b, nil
		}
	}
	return nil, Errorf(KindNotFound, "there is no bot %q", id)
}

// DefaultBot returns the bot anonymous visitors talk to.
func (h *Hub) DefaultBot() (*Bot, bool) {
	for _, b := range h.engine.Bots() {
		if b.Default {
			return b, true
		}
	}
	return nil, false
}

// stripe picks one of n locks for key (FNV-1a), so that users do not wait
// for each other's database round trips.
func stripe(key string, n int) int {
	h := uint32(2166136261)
	for i := 0; i < len(key); i++ {
		h = (h ^ uint32(key[i])) * 16777619
	}
	return int(h % uint32(n))
}

// joinLock serialises the joins of id that may create a conversation, on
// this node and, with several, on every node (the devices may be on
// different nodes).
func (h *Hub) joinLock(ctx context.Context, id Identity) (unlock func(), err error) {
	mu := &h.joinMu[stripe(id.UserID, len(h.joinMu))]
	mu.Lock()
	cl := h.cfg.Cluster
	if cl == nil {
		return mu.Unlock, nil
	}
	release, err := cl.Lock(ctx, "join "+id.UserID)
	if err != nil {
		mu.Unlock()
		return nil, err
	}
	return func() { release(); mu.Unlock() }, nil
}
