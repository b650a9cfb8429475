package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// LLM commits what the turn did so far (the user's message it answers,
// the bot's messages before), then has the Hub's LLM client make the call
// live, streaming the reply as EventStream events under the ID its
// message will have, and stores the reply as a bot message in the same
// commit as its journal entry: a replay gives the same reply (or error)
// back without calling the endpoint again, and takes a request that
// differs for a changed script. A crash during the call loses the call,
// not a reply: none was stored, and the replay calls again.
func (h *host) LLM(ctx context.Context, req LLMRequest) (string, error) {
	r := h.r
	key := llmKey(req)
	if r.replaying() {
		e, err := r.take(EntryLLM)
		if err != nil {
			return "", err
		}
		return decodeLLMEntry(e, key)
	}
	if err := r.flush(ctx); err != nil {
		return "", err
	}
	var m *Message
	var s *streamer
	if !req.Silent {
		m = &Message{ID: NewID(), Sender: SenderBot, Metadata: automated}
		s = &streamer{c: r.c, id: m.ID}
	}
	text, err := r.complete(ctx, req, s)
	var le *LLMError
	if err != nil && !errors.As(err, &le) {
		return "", err // the run was stopped
	}
	r.record(JournalEntry{Kind: EntryLLM, Value: encodeLLMEntry(key, text, le)})
	if le == nil && m != nil && text != "" {
		m.Content = text
		r.pending.Messages = append(r.pending.Messages, m)
		r.pending.MessageEntries = append(r.pending.MessageEntries, -1) // its entry is the LLM's, not the message's
		r.events = append(r.events, &Event{Type: EventMessage, SessionID: r.c.id, Message: m})
	}
	if ferr := r.flush(ctx); ferr != nil {
		return "", ferr
	}
	return text, err
}

// complete makes the call through s (nil: silent) and checks the reply.
func (r *runner) complete(ctx context.Context, req LLMRequest, s *streamer) (string, error) {
	bot, err := r.c.hub.Bot(r.c.session.BotID)
	if err != nil {
		bot = &Bot{ID: r.c.session.BotID} // removed since: the server's settings
	}
	text, err := r.c.hub.cfg.LLM.Complete(ctx, bot, req, s.update)
	if err == nil && len(text) > MaxContentLen {
		err = &LLMError{Message: fmt.Sprintf("LLM: the reply is longer than %d bytes", MaxContentLen)}
	}
	s.stop(err != nil || text == "")
	if err != nil {
		return "", err
	}
	return text, nil
}

// llmKey identifies a request in the journal, to catch a replay of a
// script that asks something else.
func llmKey(req LLMRequest) string {
	b, _ := json.Marshal(req) // strings, numbers and a bool: cannot fail
	return textHash(string(b))
}

// llmEntry is the Value of an EntryLLM.
type llmEntry struct {
	Req   string `json:"req"`
	Reply string `json:"reply,omitempty"`
	Error string `json:"error,omitempty"`
}

func encodeLLMEntry(key, reply string, le *LLMError) string {
	v := llmEntry{Req: key, Reply: reply}
	if le != nil {
		v.Error = le.Message
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func decodeLLMEntry(e JournalEntry, key string) (string, error) {
	var v llmEntry
	if err := json.Unmarshal([]byte(e.Value), &v); err != nil || v.Req != key {
		return "", divergence(EntryLLM+" of another request", e)
	}
	if v.Error != "" {
		return "", &LLMError{Message: v.Error}
	}
	return v.Reply, nil
}

// History commits what the turn did so far, so that the store has every
// message the script has seen and said, then reads the last n and
// journals them: the prompt a replay builds is the same.
func (h *host) History(ctx context.Context, n int) ([]HistoryMessage, error) {
	r := h.r
	if r.replaying() {
		e, err := r.take(EntryHistory)
		if err != nil {
			return nil, err
		}
		var list []HistoryMessage
		if err := json.Unmarshal([]byte(e.Value), &list); err != nil {
			return nil, divergence(EntryHistory+" with a value it cannot read", e)
		}
		return list, nil
	}
	if err := r.flush(ctx); err != nil {
		return nil, err
	}
	n = min(max(n, 0), MaxHistory)
	var msgs []*Message
	if n > 0 {
		var err error
		msgs, err = r.c.hub.store.FindMessages(ctx, MessageFilter{SessionID: r.c.id, Limit: n, Newest: true})
		if err != nil {
			return nil, err
		}
	}
	list := historyOf(msgs)
	v, _ := json.Marshal(list)
	r.record(JournalEntry{Kind: EntryHistory, Value: string(v)})
	return list, nil
}

// historyOf gives messages the roles of a prompt: the bot's are the
// assistant's, everyone else's (the user's, people's) the user's.
func historyOf(msgs []*Message) []HistoryMessage {
	list := make([]HistoryMessage, len(msgs))
	for i, m := range msgs {
		role := LLMUser
		if m.Sender == SenderBot {
			role = LLMAssistant
		}
		list[i] = HistoryMessage{Role: role, Content: m.Content, Sender: m.Sender, Name: m.SenderName}
	}
	return list
}
