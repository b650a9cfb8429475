package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"parley/runtime"
)

// TestHTTPJournaled: a request's outcome, a response or an error, is
// journaled; a dialog rebuilt from its journal gets it back without the
// request being sent again, and goes on live afterwards.
func TestHTTPJournaled(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hit %d %s", hits.Add(1), r.URL.Path)
	}))
	defer srv.Close()
	fetch := func(ctx context.Context, h runtime.DialogHost, in *runtime.Message) error {
		if in == nil {
			return nil
		}
		resp, err := h.HTTP(ctx, runtime.HTTPRequest{Method: http.MethodGet, URL: in.Content})
		if he := (*runtime.HTTPError)(nil); errors.As(err, &he) {
			return h.Talk(ctx, "error: "+he.Message)
		} else if err != nil {
			return err
		}
		return h.Talk(ctx, fmt.Sprint(resp.Status, " ", resp.Body))
	}
	h := newHub(t, fetch, runtime.Config{})
	h.engine.httpAllow = []string{strings.TrimPrefix(srv.URL, "http://")}
	sub := h.join(t, alice, runtime.JoinRequest{})
	say := func(text, want string) {
		t.Helper()
		h.send(t, alice, sub.Session.ID, text)
		expectMessage(t, sub, runtime.SenderUser, text)
		if got := nextEvent(t, sub); got.Type != runtime.EventMessage || !strings.HasPrefix(got.Message.Content, want) {
			t.Fatalf("after %q: %s, want a message starting %q", text, describe(got), want)
		}
	}
	say(srv.URL+"/a", "200 hit 1 /a")
	say("http://127.0.0.1:1/", "error: 127.0.0.1:1 is not in this bot's http_allow")
	say(srv.URL+"/b", "200 hit 2 /b")

	before := h.Stats().Replays
	if err := h.Reload(context.Background(), sub.Session.ID); err != nil {
		t.Fatal(err)
	}
	if h.Stats().Replays != before+1 {
		t.Fatal("Reload did not replay")
	}
	expectQuiet(t, sub) // the same answers: no divergence, nothing said again
	if n := hits.Load(); n != 2 {
		t.Fatalf("the server was hit %d times, want 2: the replay sent a request", n)
	}
	say(srv.URL+"/c", "200 hit 3 /c")
}
