package rest

import (
	"context"
	"net/http"
	"time"

	"parley/runtime"
	"parley/wire"
)

// conversationEvents is GET /api/conversations/:id/events: the
// conversation's frames as SSE, as a /ws socket of it gets them. Errors
// before the stream starts are the API's JSON errors.
func (h *Handler) conversationEvents(w http.ResponseWriter, r *http.Request) {
	sub, release, after, err := h.subscribeStream(r)
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	defer release()
	defer sub.Close()
	s := h.startSSE(w)
	if err := h.greet(r.Context(), s, sub, after); err != nil {
		return
	}
	h.pump(r.Context(), s, sub)
}

// subscribeStream checks the caller and subscribes them to the
// conversation, counted against the caller's open connections as a
// socket is.
func (h *Handler) subscribeStream(r *http.Request) (*runtime.Subscription, func(), int64, error) {
	id, err := h.streamIdentity(r)
	if err != nil {
		return nil, nil, 0, err
	}
	after, err := lastEventID(r)
	if err != nil {
		return nil, nil, 0, err
	}
	release, err := h.hub.Connect(id)
	if err != nil {
		return nil, nil, 0, err
	}
	sid := runtime.SessionID(r.PathValue("id"))
	sub, err := h.hub.Join(r.Context(), id, runtime.JoinRequest{SessionID: sid})
	if err != nil {
		release()
		return nil, nil, 0, err
	}
	return sub, release, after, nil
}

// greet writes what a /ws socket gets before live frames: the connected
// status (last_seq), the messages after `after` up to it, and the
// suggestions in force. Every later message arrives live, once.
func (h *Handler) greet(ctx context.Context, s *sseStream, sub *runtime.Subscription, after int64) error {
	if err := s.json("status", "", wire.Connected(sub)); err != nil {
		return err
	}
	if after >= 0 {
		err := sub.Backlog(ctx, after, func(m *runtime.Message) error {
			return s.event(&runtime.Event{Type: runtime.EventMessage, SessionID: m.SessionID, Message: m})
		})
		if err != nil {
			return err
		}
	}
	if ss := sub.Session; len(ss.Suggestions) > 0 {
		return s.json("suggestion", "", wire.SuggestionFrame(ss.ID, ss.Suggestions))
	}
	return nil
}

// pump writes the subscription's events and the heartbeat until the
// client goes, the subscription ends (a slow reader, the conversation
// deleted, the server shutting down) or the server shuts down.
func (h *Handler) pump(ctx context.Context, s *sseStream, sub *runtime.Subscription) {
	beat := time.NewTicker(h.cfg.SSEHeartbeat)
	defer beat.Stop()
	for {
		var err error
		select {
		case <-ctx.Done():
			return
		case <-h.closing:
			s.json("status", "", wire.Status{Type: "status", Status: runtime.StatusShuttingDown, SessionID: string(sub.Session.ID)})
			return
		case <-beat.C:
			err = s.ping()
		case e := <-sub.Events():
			err = s.event(e)
		case <-sub.Done():
			h.drain(s, sub)
			return
		}
		if err != nil {
			return
		}
	}
}

// drain writes the events queued before the subscription ended (the
// shutting_down status, a deletion's error), unless it ended because the
// client read too slowly: then it reconnects with Last-Event-ID.
func (h *Handler) drain(s *sseStream, sub *runtime.Subscription) {
	if sub.Reason() == runtime.ReasonSlow {
		return
	}
	for {
		select {
		case e := <-sub.Events():
			if s.event(e) != nil {
				return
			}
		default:
			return
		}
	}
}
