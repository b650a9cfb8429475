package rest

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"parley/runtime"
	"parley/wire"
)

// feedEvents is GET /api/events: the caller's feed (docs/protocol.md,
// "The feed"), every event of every conversation they may see, as SSE
// with ids that resume. It reuses the conversation stream's writer,
// heartbeat, credentials, caps and shutdown hook (sse.go).
func (h *Handler) feedEvents(w http.ResponseWriter, r *http.Request) {
	feed, release, err := h.openFeed(r)
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	defer release()
	s := h.startSSE(w)
	if s.rc.Flush() != nil { // the headers now: the first event may be far off
		return
	}
	h.pumpFeed(r.Context(), s, feed)
}

// openFeed checks the caller and opens their feed where they left it,
// counted against their open connections as a socket is.
func (h *Handler) openFeed(r *http.Request) (*runtime.Feed, func(), error) {
	id, err := h.streamIdentity(r)
	if err != nil {
		return nil, nil, err
	}
	after, err := lastEventID(r)
	if err != nil {
		return nil, nil, err
	}
	release, err := h.hub.Connect(id)
	if err != nil {
		return nil, nil, err
	}
	feed, err := h.hub.OpenFeed(r.Context(), id, after)
	if err != nil {
		release()
		return nil, nil, err
	}
	return feed, release, nil
}

// pumpFeed writes the feed's events as they commit, and the heartbeat,
// until the client goes or the server shuts down. It reads when woken
// (a commit here or on another node) and every poll interval in any case.
// A failed read ends the stream: the client resumes with its last id.
func (h *Handler) pumpFeed(ctx context.Context, s *sseStream, feed *runtime.Feed) {
	beat := time.NewTicker(h.cfg.SSEHeartbeat)
	defer beat.Stop()
	poll := time.NewTicker(feed.PollEvery())
	defer poll.Stop()
	for {
		wake := feed.Wake() // before reading: a commit during the read wakes the next
		if err := writeFeed(ctx, s, feed); err != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-h.closing:
			s.json("status", "", wire.Status{Type: "status", Status: runtime.StatusShuttingDown})
			return
		case <-beat.C:
			if s.ping() != nil {
				return
			}
		case <-wake:
		case <-poll.C:
		}
	}
}

// writeFeed writes the events committed since the last read.
func writeFeed(ctx context.Context, s *sseStream, feed *runtime.Feed) error {
	for {
		events, err := feed.Read(ctx)
		if err != nil || len(events) == 0 {
			return err
		}
		for _, e := range events {
			typ, data, err := wire.FeedFrame(e)
			if err != nil {
				return err
			}
			if err := s.write(typ, strconv.FormatInt(e.ID, 10), data); err != nil {
				return err
			}
		}
	}
}
