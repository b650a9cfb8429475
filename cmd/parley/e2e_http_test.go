package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// fetcherBot fetches each URL it hears and says the status and body, or
// the error; "last" repeats the last body, from before a restart too.
const fetcherBot = `TALK "ready"
local last = "nothing"
while true do
  local url = HEAR()
  if url == "last" then
    TALK("last: " .. last)
  else
    local ok, body, status = pcall(HTTP_GET, url)
    if ok then
      last = body
      TALK(status .. ": " .. body)
    else
      TALK("error: " .. body)
    end
  end
end
`

// A bot fetches from a host its bot.yaml lists and says the body; a host
// it does not list (another, or 127.0.0.1 on a port not listed) is an
// error it reports. After a restart the dialog has the response from its
// journal, without the server being asked again.
func TestHTTPFromScripts(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %d from %s", hits.Add(1), r.URL.Path)
	}))
	defer srv.Close()
	c := testConfig(t)
	writeBot(t, c.Bots, "fetcher", "name: Fetcher\nhttp_allow:\n  - "+strings.TrimPrefix(srv.URL, "http://")+"\n", fetcherBot)
	s := mustStart(t, c)
	tok := tokenFor(t, "hana")
	sock, hello := mustDial(t, s, "bot_id=fetcher", tok)
	sock.expectMessage("bot", "ready")

	ask := func(sock *wsClient, id, text, want string) {
		t.Helper()
		sock.say(text, id)
		sock.expectMessage("user", text)
		if f := sock.nextMessage(); f.Type != "message" || !strings.Contains(f.Content, want) {
			t.Fatalf("asked %q, got %s; want a message with %q", text, f.raw, want)
		}
	}
	ask(sock, "h1", srv.URL+"/quote", "200: hello 1 from /quote")
	ask(sock, "h2", "http://127.0.0.1:1/", "error: start.lua:8: HTTP_GET: 127.0.0.1:1 is not in this bot's http_allow")
	ask(sock, "h3", "http://example.com/", "HTTP_GET: example.com is not in this bot's http_allow")
	ask(sock, "h4", "file:///etc/passwd", `HTTP_GET: only http and https URLs can be fetched, not "file"`)
	s.Close()

	s2 := mustStart(t, c)
	again, _ := mustDial(t, s2, "bot_id=fetcher&session_id="+hello.SessionID, tok)
	ask(again, "h5", "last", "last: hello 1 from /quote")
	if n := hits.Load(); n != 1 {
		t.Errorf("the server was asked %d times, want 1: the replay asked it again", n)
	}
}
