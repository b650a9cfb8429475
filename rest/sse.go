package rest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"parley/runtime"
	"parley/wire"
)

// Server-Sent Events (docs/protocol.md, "Server-Sent Events"). An SSE
// stream is a socket that only reads: it subscribes through the same
// runtime calls as /ws, so it gets the same frames in the same order, and
// each event's data is the frame as wire encodes it for /ws.

// sseStream writes the events of one response. Every write has the write
// timeout and is flushed at once: a client that reads too slowly fails
// the write and the stream ends, never buffered without bound (its queue
// in the runtime is bounded too).
type sseStream struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
}

// startSSE answers 200 text/event-stream with the headers that keep
// proxies from buffering or caching the stream.
func (h *Handler) startSSE(w http.ResponseWriter) *sseStream {
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("Connection", "keep-alive")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	s := &sseStream{w: w, rc: http.NewResponseController(w), timeout: h.cfg.SSEWriteTimeout}
	return s
}

// write sends one event: its type, its id when it has one, and data (a
// JSON value, which never holds a raw newline).
func (s *sseStream) write(typ, id string, data []byte) error {
	s.rc.SetWriteDeadline(time.Now().Add(s.timeout))
	var err error
	if id != "" {
		_, err = fmt.Fprintf(s.w, "event: %s\nid: %s\ndata: %s\n\n", typ, id, data)
	} else {
		_, err = fmt.Fprintf(s.w, "event: %s\ndata: %s\n\n", typ, data)
	}
	if err == nil {
		err = s.rc.Flush()
	}
	return err
}

// json writes v as the data of an event.
func (s *sseStream) json(typ, id string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.write(typ, id, data)
}

// ping is the heartbeat, an event a client can see (EventSource ignores
// comments) and a write that finds a dead connection.
func (s *sseStream) ping() error { return s.write("ping", "", []byte(`{"type":"ping"}`)) }

// event writes a runtime event as its frame; a message's id is its seq.
func (s *sseStream) event(e *runtime.Event) error {
	data, err := wire.EncodeEvent(e)
	if err != nil {
		return err
	}
	id := ""
	if e.Type == runtime.EventMessage {
		id = strconv.FormatInt(e.Message.Seq, 10)
	}
	return s.write(string(e.Type), id, data)
}

// lastEventID is where a stream resumes: the Last-Event-ID header (sent
// by EventSource when it reconnects) or else ?after= (for clients that
// cannot set headers); -1 when neither is given.
func lastEventID(r *http.Request) (int64, error) {
	v := r.Header.Get("Last-Event-ID")
	if v == "" {
		v = r.URL.Query().Get("after")
	}
	if v == "" {
		return -1, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, runtime.Errorf(runtime.KindInvalid, "Last-Event-ID and after must be an event id this stream sent (a whole number >= 0)")
	}
	return n, nil
}

// streamIdentity is the caller of a stream: credentials in the headers,
// as for every endpoint, or a ticket from POST /api/ws-ticket in the
// query (a browser's EventSource cannot set headers). Anonymous callers
// are refused.
func (h *Handler) streamIdentity(r *http.Request) (runtime.Identity, error) {
	id, err := h.identify(r)
	if err == nil && id.Anonymous && r.URL.Query().Get("ticket") != "" {
		ip := id.IP
		id, err = h.hub.RedeemTicket(r.Context(), r.URL.Query().Get("ticket"))
		id.IP = ip
	}
	if err == nil && id.Anonymous {
		err = runtime.Errorf(runtime.KindUnauthorized, "send \"Authorization: Bearer <JWT>\", \"X-API-Key\" or ?ticket= from POST /api/ws-ticket")
	}
	return id, err
}
