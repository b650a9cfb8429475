package dialogs_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"parley/outbound"
	"parley/runtime"
	"parley/runtime/runtimetest"
)

// TestHTTPKeywords: what HTTP_GET and HTTP_POST ask of the host and give
// the script; a refused request is an error the script can catch.
func TestHTTPKeywords(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, sourceFS(`
		local body, status = HTTP_GET("https://api.example.com/x")
		TALK(status .. " " .. type(status) .. " " .. body)
		TALK((HTTP_POST("https://api.example.com/p", "hello")))
		TALK((HTTP_POST("https://api.example.com/p", {b = 1, a = {"x", true}})))
		TALK((HTTP_POST("https://api.example.com/p")))
		local ok, err = pcall(HTTP_GET, "https://refused.example/")
		TALK(tostring(ok) .. " " .. err)
		ok, err = pcall(HTTP_POST, "https://api.example.com/p", function() end)
		TALK(err)
		ok, err = pcall(HTTP_POST, "https://api.example.com/p", {f = function() end})
		TALK(err)
		ok, err = pcall(HTTP_GET)
		TALK(err)
		body, status = HTTP_GET("https://api.example.com/missing")
		TALK(status .. " " .. body)`)), "t", nil)
	c.host.web = func(req runtime.HTTPRequest) (runtime.HTTPResponse, error) {
		switch {
		case strings.Contains(req.URL, "refused"):
			return runtime.HTTPResponse{}, &runtime.HTTPError{Message: "refused.example is not in this bot's http_allow"}
		case strings.HasSuffix(req.URL, "/missing"):
			return runtime.HTTPResponse{Status: 404, Body: "no such thing"}, nil
		}
		return runtime.HTTPResponse{Status: 200, Body: "got " + req.Method}, nil
	}
	c.begin(
		"http: GET https://api.example.com/x",
		"talk: 200 number got GET",
		"http: POST https://api.example.com/p [text/plain; charset=utf-8] hello",
		"talk: got POST",
		`http: POST https://api.example.com/p [application/json] {"a":["x",true],"b":1}`,
		"talk: got POST",
		"http: POST https://api.example.com/p",
		"talk: got POST",
		"http: GET https://refused.example/",
		"talk: false start.lua:7: HTTP_GET: refused.example is not in this bot's http_allow",
		`talk: start.lua:9: bad argument #2 to (anonymous) (a string, a table or nil expected, got a function)`,
		`talk: start.lua:11: bad argument #2 to (anonymous) (cannot be sent as JSON: a function cannot be stored)`,
		`talk: start.lua:13: bad argument #1 to (anonymous) (string expected, got nil)`,
		"http: GET https://api.example.com/missing",
		"talk: 404 no such thing",
	)
}

// TestHTTPDurable runs the keywords in the real runtime against a server
// listed in http_allow: the script gets the body and the status, and a
// host not listed is an error it catches. Rebuilt from its journal, the
// dialog has the same response without the server being asked again.
func TestHTTPDurable(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "quote %d", hits.Add(1))
	}))
	defer srv.Close()
	e := newEngine(t, fstest.MapFS{
		"t/bot.yaml": file("name: T\nhttp_allow: ['" + strings.TrimPrefix(srv.URL, "http://") + "']\n"),
		"t/start.lua": file(fmt.Sprintf(`
			local quote, status = HTTP_GET(%q)
			local ok, err = pcall(HTTP_GET, "http://127.0.0.1:1/")
			TALK(status .. " " .. quote)
			TALK(err)
			while true do
				HEAR()
				TALK("still " .. quote)
			end`, srv.URL+"/q")),
	})
	hub := runtime.New(runtime.Config{Store: runtimetest.NewMemStore(), Engine: e, HTTP: outbound.Client{}})
	defer hub.Close(context.Background())
	user := runtime.Identity{UserID: "u", Name: "U", Role: runtime.RoleUser}
	sub, err := hub.Join(t.Context(), user, runtime.JoinRequest{BotID: "t"})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	expectSaid(t, sub, "200 quote 1")
	expectSaid(t, sub, "start.lua:3: HTTP_GET: 127.0.0.1:1 is not in this bot's http_allow")

	if err := hub.Reload(t.Context(), sub.Session.ID); err != nil || hub.Stats().Replays != 1 {
		t.Fatalf("Reload: %v, %d replays", err, hub.Stats().Replays)
	}
	if _, _, err := hub.Send(t.Context(), user, runtime.SendRequest{SessionID: sub.Session.ID, Content: "again"}); err != nil {
		t.Fatal(err)
	}
	expectSaid(t, sub, "again")
	expectSaid(t, sub, "still quote 1")
	if n := hits.Load(); n != 1 {
		t.Errorf("the server was asked %d times; the replay must not ask it", n)
	}
}

// expectSaid waits for the next message of a conversation.
func expectSaid(t *testing.T, sub *runtime.Subscription, content string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e := <-sub.Events():
			if e.Type == runtime.EventError {
				t.Fatalf("error %s: %s", e.Code, e.Text)
			}
			if e.Type != runtime.EventMessage {
				continue
			}
			if e.Message.Content != content {
				t.Fatalf("said %q, want %q", e.Message.Content, content)
			}
			return
		case <-timeout:
			t.Fatalf("nothing said; want %q", content)
		}
	}
}
