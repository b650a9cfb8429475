package runtime

import (
	"context"
	"io"
	"strings"
)

// A turn's answer as it is produced (Turn.Next), for a client that shows
// it growing: each bot message, and, while one is still being written
// (an LLM reply, EventStream: its final id and the whole text so far),
// each part added since the last piece. The text given out for a message
// is always a prefix of its final text, so the pieces of one message put
// end to end are that message. The store has the last word: once the
// turn is over, what the subscription missed (it was dropped as slow,
// say) is given from the stored answer.

// Piece is new text of a turn's answer: a whole bot message, or what a
// message being written added since the last piece of it.
type Piece struct {
	MessageID string
	Text      string
}

// pieces is what a turn has given out, and what it has to give.
type pieces struct {
	started bool
	mine    bool              // the user's message came by: later ones are the answer
	over    bool              // the next user message came by: no live event counts
	sent    map[string]string // id → text given out, of messages being written
	final   map[string]bool   // ids of messages given out whole
	queue   []Piece
	done    bool // the stored answer was read: nothing more comes
}

// Next returns the next piece of the answer, io.EOF once the turn is
// over and all of it was given, or ctx's error when ctx ends first. A
// repeated client_id's answer comes whole from the store once the turn
// it names is over.
func (t *Turn) Next(ctx context.Context) (Piece, error) {
	p := &t.piece
	if !p.started {
		p.started, p.sent, p.final = true, map[string]string{}, map[string]bool{}
		if err := t.prologue(ctx); err != nil {
			return Piece{}, err
		}
	}
	for len(p.queue) == 0 {
		if p.done {
			return Piece{}, io.EOF
		}
		select {
		case e := <-t.sub.Events():
			t.take(e)
		case <-t.idle:
			if err := t.finish(ctx); err != nil {
				return Piece{}, err
			}
		case <-ctx.Done():
			return Piece{}, ctx.Err()
		}
	}
	next := p.queue[0]
	p.queue = p.queue[1:]
	return next, nil
}

// prologue gives the bot messages stored before the subscription began
// that are part of the answer: the greeting, before a first message.
func (t *Turn) prologue(ctx context.Context) error {
	if !t.first || t.Repeat {
		return nil
	}
	before := min(t.Message.Seq, t.Session.LastSeq+1)
	list, err := t.sub.conv.hub.store.FindMessages(ctx, MessageFilter{SessionID: t.Message.SessionID, BeforeSeq: before, Limit: maxReply})
	for _, m := range botMessages(nil, list) {
		t.piece.add(m.ID, m.Content, true)
	}
	return err
}

// take gives out what a live event adds to the answer.
func (t *Turn) take(e *Event) {
	p := &t.piece
	if t.Repeat || p.over || e.Message == nil || e.SessionID != t.Message.SessionID {
		return
	}
	m := e.Message
	switch {
	case e.Type == EventMessage && m.ID == t.Message.ID:
		p.mine = true
	case e.Type == EventMessage && m.Sender == SenderUser && p.mine:
		// The next user message: the turn is over; the store says
		// whether anything of it is missing.
		p.over = true
	case m.Sender != SenderBot:
	case e.Type == EventMessage && (p.mine || t.first):
		p.add(m.ID, m.Content, true)
	case e.Type == EventStream && p.mine:
		p.add(m.ID, m.Content, false)
	}
}

// finish drains the events published before the turn went idle, then
// gives what the stored answer has that was not given.
func (t *Turn) finish(ctx context.Context) error {
	for drained := false; !drained; {
		select {
		case e := <-t.sub.Events():
			t.take(e)
		default:
			drained = true
		}
	}
	if err := t.idleErr(); err != nil {
		return err
	}
	reply, err := t.Reply(ctx)
	if err != nil {
		return err
	}
	for _, m := range reply {
		t.piece.add(m.ID, m.Content, true)
	}
	t.piece.done = true
	return nil
}

// add queues what text adds to what was given of message id. A text
// that does not continue what was given (a rewrite) is skipped while the
// message is being written, and given whole once final.
func (p *pieces) add(id, text string, final bool) {
	if p.final[id] {
		return
	}
	given := p.sent[id]
	delta := text
	if strings.HasPrefix(text, given) {
		delta = text[len(given):]
	} else if !final {
		return
	}
	if final {
		p.final[id] = true
		delete(p.sent, id)
	} else {
		p.sent[id] = text
	}
	if delta != "" {
		p.queue = append(p.queue, Piece{MessageID: id, Text: delta})
	}
}
