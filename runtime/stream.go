package runtime

import (
	"sync"
	"time"
)

// streamEvery is the most often a growing LLM reply is published: a
// client gets at most 20 stream frames a second per reply, each with the
// whole text so far, whatever the endpoint's chunk rate.
const streamEvery = 50 * time.Millisecond

// streamer publishes the text of a reply as it grows (EventStream),
// throttled to streamEvery: the first text at once, then the latest at
// most every streamEvery (a timer publishes what arrived meanwhile, so
// the last chunk is never held back for long). The zero streamer's
// pointer, nil, publishes nothing.
//
// Every method holds mu while it publishes, and stop sets done under it:
// no stream frame of a reply is published after stop returns, so none
// follows the reply's message.
type streamer struct {
	c  *conv
	id string // the ID the reply's message will have

	mu    sync.Mutex
	text  string    // the latest text
	sent  string    // the text of the last frame
	last  time.Time // when it was published
	timer *time.Timer
	done  bool
}

// update takes the whole text so far (LLM's partial).
func (s *streamer) update(text string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.text = text
	if s.done || s.timer != nil {
		return
	}
	if wait := streamEvery - time.Since(s.last); wait > 0 {
		s.timer = time.AfterFunc(wait, s.fire)
		return
	}
	s.publishLocked(s.text)
}

func (s *streamer) fire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timer = nil
	if !s.done {
		s.publishLocked(s.text)
	}
}

func (s *streamer) publishLocked(text string) {
	if text == s.sent {
		return
	}
	s.sent, s.last = text, time.Now()
	m := &Message{ID: s.id, SessionID: s.c.id, Sender: SenderBot, Content: text, Metadata: automated}
	s.c.publish(&Event{Type: EventStream, SessionID: s.c.id, Message: m})
}

// stop ends the stream before the reply's message is published. When
// abandoned (the call failed, or the reply is empty: no message follows),
// a stream frame with empty content tells the clients that showed part of
// it to remove it.
func (s *streamer) stop(abandoned bool) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.done = true
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	if abandoned && s.sent != "" {
		s.publishLocked("")
	}
}
