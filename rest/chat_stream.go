package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"parley/runtime"
	"parley/wire"
)

// streamEvent is one data: line of …/chat/stream.
type streamEvent struct {
	Type    string `json:"type"` // text, error, done
	Content string `json:"content"`
}

// chatStream is POST /api/bots/:id/chat/stream: 200 text/event-stream,
// a text event per piece of the reply as it is produced, then done and
// [DONE]. A refusal comes before the stream, as JSON with its status; a
// failure once it runs is an error event before done. After ChatTimeout
// the stream ends with done, as when the turn is over.
func (h *Handler) chatStream(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	turn, err := h.startChat(r, id)
	if err != nil {
		return err
	}
	defer turn.Close()
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("X-Accel-Buffering", "no") // nginx: pass each event on at once
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	send := func(v any) error {
		b, _ := json.Marshal(v)
		if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
			return err
		}
		return rc.Flush()
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.ChatTimeout)
	defer cancel()
	for {
		p, err := turn.Next(ctx)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, context.DeadlineExceeded) {
				send(streamEvent{Type: "error", Content: h.streamError(err)})
			}
			break
		}
		if err := send(streamEvent{Type: "text", Content: p.Text}); err != nil {
			return nil // the client left
		}
	}
	send(streamEvent{Type: "done"})
	fmt.Fprint(w, "data: [DONE]\n\n")
	rc.Flush()
	return nil
}

// streamError is the text of a stream's error event: as writeError
// would say it, internal errors logged and not shown.
func (h *Handler) streamError(err error) string {
	if wire.HTTPStatus(err) == http.StatusInternalServerError {
		h.log.Error("chat stream failed", "err", err)
		return "internal error"
	}
	return runtime.ErrorMessage(err)
}
