package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// HTTP has the Hub's Fetcher make the request live, and journals its
// outcome, a response or an *HTTPError, with a hash of the request; a
// replay gives the same outcome back without touching the network, and
// takes a request that differs
// for a changed script. The journal is committed at once: a request is
// slow anyway, and a crash after it then does not make the replay send it
// again. (A crash during it does: requests are at least once.)
func (h *host) HTTP(ctx context.Context, req HTTPRequest) (HTTPResponse, error) {
	r := h.r
	key := textHash(req.Method + " " + req.URL + "\x00" + req.ContentType + "\x00" + req.Body)
	if r.replaying() {
		e, err := r.take(EntryHTTP)
		if err != nil {
			return HTTPResponse{}, err
		}
		return decodeHTTPEntry(e, key)
	}
	if r.input != nil {
		// The message this turn answers is not stored yet (early.go): it
		// is, before anything leaves the server, so that a repeat of a
		// stored message or a failed commit cannot have made a request.
		if err := r.flush(ctx); err != nil {
			return HTTPResponse{}, err
		}
	}
	resp, err := r.c.hub.cfg.HTTP.Fetch(ctx, r.httpAllow(), req)
	var he *HTTPError
	if err != nil && !errors.As(err, &he) {
		return HTTPResponse{}, err // the run was stopped
	}
	r.record(JournalEntry{Kind: EntryHTTP, Value: encodeHTTPEntry(key, resp, he)})
	if ferr := r.flush(ctx); ferr != nil {
		return HTTPResponse{}, ferr
	}
	return resp, err
}

// httpAllow is the bot's http_allow as loaded now: an edit of bot.yaml
// applies to the conversations in progress from their next request.
func (r *runner) httpAllow() []string {
	b, err := r.c.hub.Bot(r.c.session.BotID)
	if err != nil {
		return nil
	}
	return b.HTTPAllow
}

// httpEntry is the Value of an EntryHTTP. A body that is not UTF-8 goes in
// Body64 (base64), since JSON text would replace its bad bytes.
type httpEntry struct {
	Req    string `json:"req"`
	Status int    `json:"status,omitempty"`
	Body   string `json:"body,omitempty"`
	Body64 []byte `json:"body64,omitempty"`
	Error  string `json:"error,omitempty"`
}

func encodeHTTPEntry(key string, resp HTTPResponse, he *HTTPError) string {
	v := httpEntry{Req: key, Status: resp.Status}
	switch {
	case he != nil:
		v.Error = he.Message
	case utf8.ValidString(resp.Body):
		v.Body = resp.Body
	default:
		v.Body64 = []byte(resp.Body)
	}
	b, _ := json.Marshal(v) // strings, an int and bytes: cannot fail
	return string(b)
}

func decodeHTTPEntry(e JournalEntry, key string) (HTTPResponse, error) {
	var v httpEntry
	if err := json.Unmarshal([]byte(e.Value), &v); err != nil || v.Req != key {
		return HTTPResponse{}, divergence(EntryHTTP+" of another request", e)
	}
	if v.Error != "" {
		return HTTPResponse{}, &HTTPError{Message: v.Error}
	}
	body := v.Body
	if v.Body64 != nil {
		body = string(v.Body64)
	}
	return HTTPResponse{Status: v.Status, Body: body}, nil
}
