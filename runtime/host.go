package runtime

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// host is a conversation's DialogHost: every method journals what it does
// (runner.go), or answers from the journal during a replay. Its methods
// run on the dialog goroutine while Step runs.
type host struct{ r *runner }

var _ DialogHost = (*host)(nil)

// automated is every bot message's metadata: where people and bots share a
// conversation, a client can tell a bot's message from a person's without
// knowing the senders (docs/support.md). Shared and never modified.
var automated = json.RawMessage(`{"automated":true}`)

// Talk is TalkFiles without files (host_talk.go): its journal entry is
// the text's hash alone.
func (h *host) Talk(ctx context.Context, text string) error {
	return h.TalkFiles(ctx, text, nil)
}

func (h *host) Suggest(ctx context.Context, list []string) error {
	r := h.r
	if list == nil {
		list = []string{}
	}
	if r.replaying() {
		_, err := r.take(EntrySuggest)
		return err
	}
	r.record(JournalEntry{Kind: EntrySuggest})
	r.pending.Suggestions = &list
	r.events = append(r.events, &Event{Type: EventSuggestion, SessionID: r.c.id, Suggestions: list})
	return r.flushIfStale(ctx)
}

// Typing is not journaled: an indicator is not a durable effect, so it is
// skipped during a replay. Live, it is shown at once, unless messages wait
// to be committed: then it keeps its place after them. The user's message
// the turn answers may not be stored yet either (early.go): then it is
// shown as soon as that message is (typingLocked).
func (h *host) Typing(ctx context.Context, active bool) error {
	r := h.r
	if r.replaying() {
		return nil
	}
	e := &Event{Type: EventTyping, SessionID: r.c.id, Sender: SenderBot, Active: active}
	if len(r.events) > 0 {
		r.events = append(r.events, e)
		return nil
	}
	if r.input != nil {
		r.c.mu.Lock()
		r.input.typingLocked(r.c, e)
		r.c.mu.Unlock()
		return nil
	}
	r.c.publish(e)
	return nil
}

func (h *host) GetMemory(ctx context.Context, key string) (string, bool, error) {
	r := h.r
	if r.replaying() {
		e, err := r.take(EntryGet)
		return e.Value, e.Found, err
	}
	v, ok, err := r.memory(ctx, key)
	if err != nil {
		return "", false, err
	}
	r.record(JournalEntry{Kind: EntryGet, Value: v, Found: ok})
	return v, ok, nil
}

// memory reads a key, seeing the run's own writes that have not committed.
func (r *runner) memory(ctx context.Context, key string) (string, bool, error) {
	for i := len(r.pending.Memory) - 1; i >= 0; i-- {
		if w := r.pending.Memory[i]; w.Key == key {
			return w.Value, w.Value != "", nil
		}
	}
	return r.c.hub.store.GetMemory(ctx, r.scope(), key)
}

func (h *host) SetMemory(ctx context.Context, key, value string) error {
	r := h.r
	if r.replaying() {
		_, err := r.take(EntrySet)
		return err
	}
	r.record(JournalEntry{Kind: EntrySet, Value: key})
	r.pending.Memory = append(r.pending.Memory, MemoryWrite{Scope: r.scope(), Key: key, Value: value})
	return r.flushIfStale(ctx)
}

func (h *host) Now(ctx context.Context) (time.Time, error) {
	r := h.r
	if r.replaying() {
		e, err := r.take(EntryNow)
		if err != nil {
			return time.Time{}, err
		}
		return time.Parse(time.RFC3339Nano, e.Value)
	}
	t := r.c.hub.now().UTC()
	r.record(JournalEntry{Kind: EntryNow, Value: t.Format(time.RFC3339Nano)})
	return t, nil
}

// Random journals the bounds with the number, so that a replay of a
// script that changed its range is caught.
func (h *host) Random(ctx context.Context, lo, hi int) (int, error) {
	r := h.r
	bounds := " " + strconv.Itoa(lo) + " " + strconv.Itoa(hi)
	if r.replaying() {
		e, err := r.take(EntryRandom)
		if err != nil {
			return 0, err
		}
		n, rest, _ := strings.Cut(e.Value, " ")
		if " "+rest != bounds {
			return 0, divergence(EntryRandom+" in other bounds", e)
		}
		return strconv.Atoi(n)
	}
	n := r.c.hub.cfg.Rand(lo, hi)
	r.record(JournalEntry{Kind: EntryRandom, Value: strconv.Itoa(n) + bounds})
	return n, nil
}

func (h *host) Replaying() bool { return h.r.replaying() }

// Wait is durable: the deadline is committed before the pause, so that a
// WAIT pending when the server stops fires after a restart at its
// deadline (the replay reaches this entry and waits out what is left).
func (h *host) Wait(ctx context.Context, d time.Duration) error {
	r := h.r
	var deadline time.Time
	if r.replaying() {
		e, err := r.take(EntryWait)
		if err != nil {
			return err
		}
		if deadline, err = time.Parse(time.RFC3339Nano, e.Value); err != nil {
			return err
		}
		if len(r.replay) > 0 {
			return nil // the pause was over before the journal went on
		}
	} else {
		deadline = r.c.hub.now().Add(d).UTC()
		r.record(JournalEntry{Kind: EntryWait, Value: deadline.Format(time.RFC3339Nano)})
		r.pending.WakeAt = &deadline
		if err := r.flush(ctx); err != nil {
			return err
		}
	}
	if err := sleepUntil(ctx, r.c.hub.now, deadline); err != nil {
		return err
	}
	zero := time.Time{}
	r.pending.WakeAt = &zero // committed with what the script does next
	return nil
}

func sleepUntil(ctx context.Context, now func() time.Time, deadline time.Time) error {
	t := time.NewTimer(deadline.Sub(now()))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// scope is the memory of this user with this bot; an anonymous visitor
// has no identity beyond the conversation, so its memory is per
// conversation and goes with it.
func (r *runner) scope() MemoryScope {
	s := r.c.session // BotID, UserID and Anonymous never change
	if s.Anonymous {
		return MemoryScope{BotID: s.BotID, Owner: "session:" + string(s.ID)}
	}
	return MemoryScope{BotID: s.BotID, Owner: "user:" + s.UserID}
}

// defaultRand is RANDOM's source unless Config.Rand replaces it.
func defaultRand(lo, hi int) int { return lo + rand.IntN(hi-lo+1) }
