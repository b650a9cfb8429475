package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"
)

// The handover (docs/support.md, "TRANSFER"): a bot's TRANSFER puts the
// conversation in the support queue and waits, durably, until people end
// the handover (an agent resolves or closes it) or, with a timeout, until
// nobody took it in time.
//
// The session is the truth of a handover: Transfer names the pending
// TRANSFER by its place in the journal ("RUN.INDEX"), TransferOutcome is
// "" until it ends. The journal has two entries: EntryTransfer when the
// script calls it (committed before anything else happens, so that a
// replay knows it is in a handover) and EntryTransferred with the outcome
// the script got, so that a replay gets the same one whatever happened to
// the conversation since. While a handover is pending the dialog is
// blocked in the host, as in WAIT, and user messages are for the people:
// they are stored and delivered and taken unheard (conv.userMessageLocked).

// TransferOutcome is how a handover ended, as TRANSFER returns it.
type TransferOutcome struct {
	Resolved bool   `json:"resolved"`
	Status   string `json:"status"` // TransferResolved, TransferClosed or TransferTimeout
	Agent    string `json:"agent,omitempty"`
	Note     string `json:"note,omitempty"`
}

// transferStart is EntryTransfer's value.
type transferStart struct {
	Reason   string    `json:"reason,omitempty"`
	Deadline time.Time `json:"deadline,omitzero"`
}

// Bounds of a handover: TRANSFER's timeout, and the agent's note.
const (
	MaxTransferTimeout = 7 * 24 * time.Hour
	MaxNoteLen         = 4000
)

// errHubClosing ends a handover's wait when the server stops: the run
// stays where its journal is, and the next start takes the wait up again.
var errHubClosing = errors.New("the server is stopping")

// transferPoll is how often, with several nodes, a pending handover reads
// its session again, should a change announced by another node be missed.
const transferPoll = 10 * time.Second

// Transfer hands the conversation to people and waits until they end the
// handover; timeout (0: none) ends it as TransferTimeout if it is still
// waiting for an agent by then.
func (h *host) Transfer(ctx context.Context, reason string, timeout time.Duration) (TransferOutcome, error) {
	r := h.r
	var start transferStart
	var key string
	if r.replaying() {
		e, err := r.take(EntryTransfer)
		if err != nil {
			return TransferOutcome{}, err
		}
		if err := json.Unmarshal([]byte(e.Value), &start); err != nil {
			return TransferOutcome{}, divergence(EntryTransfer+" with a value it cannot read", e)
		}
		if start.Reason != reason {
			return TransferOutcome{}, divergence(EntryTransfer+" for another reason", e)
		}
		key = transferKey(e)
		if r.replaying() {
			e, err := r.take(EntryTransferred)
			if err != nil {
				return TransferOutcome{}, err
			}
			var out TransferOutcome
			err = json.Unmarshal([]byte(e.Value), &out)
			return out, err
		}
		// The journal ends in the handover: it was under way when the
		// dialog stopped. Wait for it again, from the store's state.
	} else {
		start = transferStart{Reason: reason}
		if timeout > 0 {
			start.Deadline = r.c.hub.now().Add(timeout).UTC()
		}
		v, _ := json.Marshal(start)
		r.record(JournalEntry{Kind: EntryTransfer, Value: string(v)})
		key = transferKey(r.pending.Entries[len(r.pending.Entries)-1])
		if err := r.flush(ctx); err != nil {
			return TransferOutcome{}, err
		}
	}
	out, err := r.c.awaitTransfer(ctx, key, start)
	if err != nil {
		return TransferOutcome{}, err
	}
	v, _ := json.Marshal(out)
	r.record(JournalEntry{Kind: EntryTransferred, Value: string(v)})
	return out, nil
}

func transferKey(e JournalEntry) string {
	return strconv.FormatInt(e.Run, 10) + "." + strconv.FormatInt(e.Index, 10)
}

// awaitTransfer starts handover key, unless the session shows it started
// (a replay after a restart), and waits for its outcome.
func (c *conv) awaitTransfer(ctx context.Context, key string, start transferStart) (TransferOutcome, error) {
	if c.snapshot().Transfer != key {
		now, waiting, empty, zero := c.hub.now(), SupportWaiting, "", time.Time{}
		_, err := c.update(ctx, SessionUpdate{
			SupportStatus: &waiting, Transfer: &key, TransferReason: &start.Reason,
			AssignedAgent: &empty, SupportNote: &empty, ResolvedBy: &empty,
			WaitingSince: &now, FirstReplyAt: &zero, ResolvedAt: &zero,
		})
		if err != nil {
			return TransferOutcome{}, err
		}
		c.hub.autoAssign(ctx, c.id, "")
	}
	var poll <-chan time.Time
	if c.hub.cfg.Cluster != nil {
		t := time.NewTicker(transferPoll)
		defer t.Stop()
		poll = t.C
	}
	for {
		c.mu.Lock()
		s := *c.session
		if c.changed == nil {
			c.changed = make(chan struct{})
		}
		changed := c.changed
		// Under mu, as refreshTransferLocked clears it: an ending taken
		// from the store after this read finds it set.
		pending := s.Transfer == key && s.TransferOutcome == ""
		c.setHandover(pending)
		c.mu.Unlock()
		if !pending {
			return outcomeOf(&s, key), nil
		}
		var expired <-chan time.Time
		var timer *time.Timer
		if !start.Deadline.IsZero() && s.SupportStatus == SupportWaiting {
			timer = time.NewTimer(start.Deadline.Sub(c.hub.now()))
			expired = timer.C
		}
		err := c.awaitChange(ctx, changed, expired, poll)
		if timer != nil {
			timer.Stop()
		}
		if err != nil {
			c.setHandover(false)
			return TransferOutcome{}, err
		}
	}
}

// setHandover says whether the dialog waits for people; waiting, it counts
// as idle (waitIdle), so those waiting for it to be idle are woken.
func (c *conv) setHandover(on bool) {
	c.inMu.Lock()
	defer c.inMu.Unlock()
	if c.handover == on {
		return
	}
	c.handover = on
	if on {
		close(c.idle)
		c.idle = make(chan struct{})
	}
}

// awaitChange waits for one of: a change of the session, the handover's
// deadline (then it times out, unless taken), a poll of the store.
func (c *conv) awaitChange(ctx context.Context, changed <-chan struct{}, expired, poll <-chan time.Time) error {
	select {
	case <-changed:
	case <-expired:
		// Nobody took it: the first of this and an agent's taking or
		// resolving it wins, in the store (IfSupportStatus, EndTransfer).
		timeout, waiting, open := TransferTimeout, SupportWaiting, SupportOpen
		_, err := c.update(ctx, SessionUpdate{EndTransfer: &timeout, SupportStatus: &open, IfSupportStatus: &waiting})
		return err
	case <-poll:
		return c.reread(ctx)
	case <-c.hub.ctx.Done():
		return errHubClosing
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// outcomeOf is what TRANSFER returns for handover key of s, which ended.
func outcomeOf(s *Session, key string) TransferOutcome {
	switch {
	case s.Transfer != key:
		return TransferOutcome{Status: TransferClosed} // replaced: cannot happen while the dialog waits
	case s.TransferOutcome == TransferTimeout:
		return TransferOutcome{Status: TransferTimeout}
	}
	return TransferOutcome{Resolved: true, Status: s.TransferOutcome, Agent: s.ResolvedBy, Note: s.SupportNote}
}

// reread refreshes the conversation from the store.
func (c *conv) reread(ctx context.Context) error {
	s, err := c.hub.store.FindSession(ctx, c.id)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.refreshLocked(s)
	c.mu.Unlock()
	return nil
}

// withPeopleLocked reports whether the conversation is with people rather
// than its bot: a handover is pending, or the bot is switched off. User
// messages are then not heard.
func (c *conv) withPeopleLocked() bool {
	s := c.session
	return s.BotOff || (s.Transfer != "" && s.TransferOutcome == "")
}

// supportChange completes a change of support status to status by who:
// entering the queue starts the desk's clock; resolving or closing ends a
// pending handover with who's name and note, which TRANSFER returns.
func (h *Hub) supportChange(upd *SessionUpdate, who Identity, status, note string) {
	now, zero, empty := h.now(), time.Time{}, ""
	switch status {
	case SupportWaiting:
		upd.WaitingSince, upd.FirstReplyAt, upd.ResolvedAt = &now, &zero, &zero
		upd.ResolvedBy, upd.SupportNote = &empty, &empty
	case SupportResolved, SupportClosed:
		name := who.Name
		if name == "" {
			name = who.UserID
		}
		upd.EndTransfer, upd.ResolvedBy, upd.SupportNote, upd.ResolvedAt = &status, &name, &note, &now
	}
}

// firstReplyLocked starts the desk's "time to first reply" clock's end: an
// agent message in a conversation that entered the queue and had none
// since. Its failure is logged: the message is stored all the same.
func (c *conv) firstReplyLocked(ctx context.Context, m *Message) {
	s := c.session
	if m.Sender != SenderAgent || s.WaitingSince.IsZero() || !s.FirstReplyAt.IsZero() {
		return
	}
	at := m.CreatedAt
	if _, err := c.hub.store.UpdateSession(ctx, c.id, SessionUpdate{FirstReplyAt: &at}); err != nil {
		c.logger().Warn("recording the first reply failed", "err", err)
		return
	}
	s.FirstReplyAt = at
}

// refreshTransferLocked takes the handover's fields from s and wakes a
// handover waiting for a change.
func (c *conv) refreshTransferLocked(s *Session) {
	d := c.session
	d.Transfer, d.TransferReason, d.TransferOutcome = s.Transfer, s.TransferReason, s.TransferOutcome
	d.SupportNote, d.ResolvedBy = s.SupportNote, s.ResolvedBy
	d.WaitingSince, d.FirstReplyAt, d.ResolvedAt = s.WaitingSince, s.FirstReplyAt, s.ResolvedAt
	if s.TransferOutcome != "" {
		// Busy again from here: whoever ended the handover and waits for
		// the dialog to be idle waits for what it does next.
		c.setHandover(false)
	}
	if c.changed != nil {
		close(c.changed)
		c.changed = nil
	}
}
