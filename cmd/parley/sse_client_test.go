package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// sseEvent is one Server-Sent Event as a client parses it (the
// WHATWG rules, for the fields the server writes).
type sseEvent struct {
	Event string // "message" when the stream names none
	ID    string // this event's id: line, "" when it has none
	Data  string
	frame frame // Data decoded
}

// sseClient reads an SSE stream over a real HTTP connection: a reader
// goroutine queues every event, and each expectation waits for its event
// with a deadline.
type sseClient struct {
	t      *testing.T
	resp   *http.Response
	cancel context.CancelFunc
	events chan sseEvent
	err    error // why reading stopped; valid once events is closed
}

// openSSE requests path with the given headers and returns the response;
// a 200 text/event-stream response is read by a client, any other is
// returned with its body unread.
func openSSE(t *testing.T, base, path string, header http.Header) (*sseClient, *http.Response) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("GET %s: %v", path, err)
	}
	if resp.StatusCode != 200 {
		t.Cleanup(cancel)
		return nil, resp
	}
	c := &sseClient{t: t, resp: resp, cancel: cancel, events: make(chan sseEvent, 4096)}
	go c.read()
	t.Cleanup(c.close)
	return c, resp
}

// mustSSE opens a stream with a bearer token (and more headers, such as
// Last-Event-ID, in kv pairs) and fails the test unless it is 200.
func mustSSE(t *testing.T, base, path, token string, kv ...string) *sseClient {
	t.Helper()
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	c, resp := openSSE(t, base, path, h)
	if c == nil {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	return c
}

func (c *sseClient) close() {
	c.cancel()
	c.resp.Body.Close()
}

func (c *sseClient) read() {
	defer close(c.events)
	sc := bufio.NewScanner(c.resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var e sseEvent
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			if e.Data != "" {
				if e.Event == "" {
					e.Event = "message"
				}
				json.Unmarshal([]byte(e.Data), &e.frame)
				e.frame.raw = e.Data
				c.events <- e
			}
			e = sseEvent{}
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "event":
			e.Event = value
		case "id":
			e.ID = value
		case "data":
			if e.Data != "" {
				e.Data += "\n"
			}
			e.Data += value
		}
	}
	c.err = sc.Err()
	if c.err == nil {
		c.err = io.EOF
	}
}

// next returns the next event, failing the test after the deadline.
func (c *sseClient) next() sseEvent {
	c.t.Helper()
	select {
	case e, ok := <-c.events:
		if !ok {
			c.t.Fatalf("stream ended while waiting for an event: %v", c.err)
		}
		return e
	case <-time.After(waitFor):
		c.t.Fatalf("no event within %v", waitFor)
	}
	return sseEvent{}
}

// expect skips events until one of type typ satisfies match (nil: any).
func (c *sseClient) expect(typ string, match func(sseEvent) bool) sseEvent {
	c.t.Helper()
	deadline := time.After(waitFor)
	for {
		select {
		case e, ok := <-c.events:
			if !ok {
				c.t.Fatalf("stream ended while waiting for a %s event: %v", typ, c.err)
			}
			if e.Event == typ && (match == nil || match(e)) {
				return e
			}
		case <-deadline:
			c.t.Fatalf("no matching %s event within %v", typ, waitFor)
		}
	}
}

// expectEnd waits for the server to end the stream, skipping events.
func (c *sseClient) expectEnd() {
	c.t.Helper()
	deadline := time.After(waitFor)
	for {
		select {
		case _, ok := <-c.events:
			if !ok {
				return
			}
		case <-deadline:
			c.t.Fatalf("the stream did not end within %v", waitFor)
		}
	}
}
