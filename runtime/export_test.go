package runtime

import "context"

// Hooks for the external tests' fake dialogs, for what no DialogHost
// method does yet: a bot message written as it streams (an LLM reply).

// StreamForTest publishes what a message being written (id) has so far,
// after committing the turn so far, as a reply streamed from an HTTP
// request would be.
func StreamForTest(ctx context.Context, h DialogHost, id, text string) error {
	r := h.(*host).r
	if err := r.flush(ctx); err != nil {
		return err
	}
	r.c.publish(&Event{Type: EventStream, SessionID: r.c.id, Message: &Message{ID: id, Sender: SenderBot, Content: text}})
	return nil
}

// TalkIDForTest is Talk with the message's id chosen: the final message
// of a streamed reply has the id its stream events had.
func TalkIDForTest(ctx context.Context, h DialogHost, id, text string) error {
	r := h.(*host).r
	m := &Message{ID: id, Sender: SenderBot, Content: text, Metadata: automated}
	r.record(JournalEntry{Kind: EntryTalk, Value: textHash(text)})
	r.pending.Messages = append(r.pending.Messages, m)
	r.events = append(r.events, &Event{Type: EventMessage, SessionID: r.c.id, Message: m})
	return r.flush(ctx)
}
