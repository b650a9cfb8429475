package runtime

import (
	"context"
	"errors"
)

// Chat over request and response (rest's /api/bots/:id/chat): a client
// that cannot hold a socket sends one message and gets the bot's answer
// to it. It takes the path a socket takes: the conversation is joined (a
// subscription without presence: a request is not a person coming
// online), the message is sent as a socket sends it (access rule,
// message rate limit, client_id), and the turn is over when the dialog
// is idle again (WaitIdle).
//
// What a turn's answer is, wherever it is read from: the bot messages
// stored after the user's message, up to the next user message; when it
// is the conversation's first user message, also the bot messages before
// it (the greeting the bot opened with). The same rule answers a retry
// with the same client_id, from the store, so a retry gets the same
// answer.

// ChatRequest is one user message of a chat.
type ChatRequest struct {
	BotID BotID
	// SessionID names the conversation, which must be one with BotID.
	// Empty: the caller's latest active conversation with the bot, as a
	// socket connecting without session_id joins, or a new one.
	SessionID SessionID
	Content   string
	ClientID  string
}

// Turn is one user message of a chat and the dialog's answer to it. Close
// it when done.
type Turn struct {
	// Session is the conversation as it was when the turn began.
	Session *Session
	// Message is the user's message as stored.
	Message *Message
	// Repeat says that the client_id was used before: nothing was stored
	// or run again, and the answer is the one stored for it.
	Repeat bool
	// Elsewhere says that another node runs the dialog (several nodes):
	// this one cannot tell when the turn is over, so Wait does not wait
	// and the answer is what is stored so far.
	Elsewhere bool

	sub   *Subscription
	first bool // Message is the conversation's first user message
	idle  chan struct{}
	err   error // of WaitIdle, once idle is closed
	piece pieces
}

// maxReply bounds the messages a turn's answer is read with.
const maxReply = 100

// Chat sends req's message to the bot and returns the turn, whose dialog
// answers it asynchronously: Wait, Reply and Next give the answer.
func (h *Hub) Chat(ctx context.Context, id Identity, req ChatRequest) (*Turn, error) {
	if id.Anonymous {
		return nil, Errorf(KindUnauthorized, "log in to chat over REST")
	}
	send := SendRequest{SessionID: req.SessionID, Content: req.Content, ClientID: req.ClientID}
	if err := validateSend(send); err != nil {
		return nil, err // before a conversation is made for it
	}
	sub, err := h.chatJoin(ctx, id, req)
	if err != nil {
		return nil, err
	}
	if err := h.runHere(ctx, sub); err != nil {
		sub.Close()
		return nil, err
	}
	m, created, err := sub.Send(ctx, send)
	if err != nil {
		sub.Close()
		return nil, err
	}
	t := &Turn{Session: sub.Session, Message: m, Repeat: !created, sub: sub, idle: make(chan struct{})}
	t.Elsewhere = h.cfg.Cluster != nil && !sub.conv.leased.Load()
	if t.first, err = h.firstUserMessage(ctx, m); err != nil {
		sub.Close()
		return nil, err
	}
	go t.watch()
	return t, nil
}

// chatJoin subscribes to the conversation req names, or to the caller's
// latest with the bot, as Join does, without counting the caller online.
func (h *Hub) chatJoin(ctx context.Context, id Identity, req ChatRequest) (*Subscription, error) {
	bot, err := h.botFor(id, req.BotID)
	if err != nil {
		return nil, err
	}
	if req.SessionID != "" {
		s, err := h.resumable(ctx, id, JoinRequest{BotID: bot.ID, SessionID: req.SessionID})
		if err != nil {
			return nil, err
		}
		return h.subscribe(ctx, id, s, nil, -1, false)
	}
	unlock, err := h.joinLock(ctx, id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	s, _, created, err := h.sessionToJoin(ctx, id, JoinRequest{BotID: bot.ID}, bot)
	if err != nil {
		return nil, err
	}
	if err := h.store.UpsertUser(ctx, id); err != nil {
		return nil, err
	}
	return h.subscribe(ctx, id, s, nil, -1, created)
}

// runHere makes this node run the conversation's dialog when no live
// node does (several nodes): a conversation just loaded here is run by
// nobody until the orphan sweep, and only its runner can tell when a
// turn is over. It returns once the lease is settled either way.
func (h *Hub) runHere(ctx context.Context, sub *Subscription) error {
	if h.cfg.Cluster == nil || sub.conv.leased.Load() {
		return nil
	}
	sub.conv.enqueue(resumeInput) // as the orphan sweep does
	return sub.WaitIdle(ctx)
}

// firstUserMessage reports whether no user message precedes m.
func (h *Hub) firstUserMessage(ctx context.Context, m *Message) (bool, error) {
	before, err := h.store.FindMessages(ctx, MessageFilter{SessionID: m.SessionID, BeforeSeq: m.Seq, Limit: maxReply})
	if err != nil {
		return false, err
	}
	for _, b := range before {
		if b.Sender == SenderUser {
			return false, nil
		}
	}
	return len(before) < maxReply, nil
}

// watch closes t.idle once the dialog has answered everything stored so
// far, or the subscription ended.
func (t *Turn) watch() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-t.sub.Done():
			cancel()
		case <-ctx.Done():
		}
	}()
	t.err = t.sub.WaitIdle(ctx)
	close(t.idle)
}

// Wait returns once the turn is over: the dialog waits for input again,
// has returned, or waits for people (a TRANSFER). It returns ctx's error
// when ctx ends first.
// The events meanwhile are discarded (Reply reads the answer from the
// store), so that a long turn does not fill the subscription's queue.
func (t *Turn) Wait(ctx context.Context) error {
	for {
		select {
		case <-t.sub.Events():
		case <-t.idle:
			return t.idleErr()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// idleErr is WaitIdle's error, once idle is closed.
func (t *Turn) idleErr() error {
	if errors.Is(t.err, context.Canceled) {
		return Errorf(KindUnavailable, "the conversation was closed")
	}
	return t.err
}

// Reply returns the answer as stored so far, oldest first (the rule
// above).
func (t *Turn) Reply(ctx context.Context) ([]*Message, error) {
	store := t.sub.conv.hub.store
	var out []*Message
	if t.first {
		before, err := store.FindMessages(ctx, MessageFilter{SessionID: t.Message.SessionID, BeforeSeq: t.Message.Seq, Limit: maxReply})
		if err != nil {
			return nil, err
		}
		out = botMessages(out, before)
	}
	after, err := store.FindMessages(ctx, MessageFilter{SessionID: t.Message.SessionID, AfterSeq: t.Message.Seq, Limit: maxReply})
	if err != nil {
		return nil, err
	}
	for i, m := range after {
		if m.Sender == SenderUser {
			after = after[:i]
			break
		}
	}
	return botMessages(out, after), nil
}

// botMessages appends the bot's messages of list to out.
func botMessages(out, list []*Message) []*Message {
	for _, m := range list {
		if m.Sender == SenderBot {
			out = append(out, m)
		}
	}
	return out
}

// Close ends the turn's subscription; the dialog goes on regardless.
func (t *Turn) Close() { t.sub.Close() }
