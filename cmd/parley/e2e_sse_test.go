package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// A /ws socket and an SSE stream of one user on one conversation get the
// same frames, byte for byte, in the same order: the other person's
// presence, typing, messages and read receipts, and the bot's replies.
func TestSSESameFramesAsWS(t *testing.T) {
	s := MustRunMain(t)
	ann, bea := tokenFor(t, "ann"), tokenFor(t, "bea")
	var c struct{ ID string }
	if st := api(t, s, "POST", "/api/conversations", ann, map[string]any{
		"bot_id": "echo", "participants": []string{"bea"},
	}, &c); st != 201 {
		t.Fatalf("POST /api/conversations: %d", st)
	}
	annWS, hello := mustDial(t, s, "session_id="+c.ID, ann)
	annSSE := mustSSE(t, s.URL(), "/api/conversations/"+c.ID+"/events", ann)
	first := annSSE.next()
	if first.Event != "status" || first.frame.Status != "connected" || first.frame.SessionID != c.ID || *first.frame.LastSeq != *hello.LastSeq || first.ID != "" {
		t.Fatalf("first event %+v, want the connected status", first)
	}
	if hd := annSSE.resp.Header; hd.Get("Content-Type") != "text/event-stream" || hd.Get("Cache-Control") != "no-cache" ||
		hd.Get("X-Accel-Buffering") != "no" || hd.Get("Connection") != "keep-alive" {
		t.Fatalf("headers %v", hd)
	}

	beaWS, _ := mustDial(t, s, "session_id="+c.ID, bea)
	for i := range 3 {
		beaWS.send(map[string]any{"type": "typing", "active": true})
		beaWS.say(fmt.Sprint("hello ", i), fmt.Sprint("c", i))
		beaWS.expectMessage("user", fmt.Sprint("hello ", i))
		f := beaWS.expectMessage("bot", fmt.Sprint("hello ", i))
		beaWS.send(map[string]any{"type": "read", "seq": f.Seq})
	}
	beaWS.say("bye", "bye")
	const last = 7 // the echo of bye

	var fromWS, fromSSE []string
	for {
		f := annWS.next()
		fromWS = append(fromWS, f.raw)
		if f.Type == "message" && f.Seq == last {
			break
		}
	}
	for {
		e := annSSE.next()
		if e.Event != e.frame.Type {
			t.Fatalf("event %q carries a %q frame", e.Event, e.frame.Type)
		}
		if want := strconv.FormatInt(e.frame.Seq, 10); (e.Event == "message") != (e.ID == want) {
			t.Fatalf("event %s has id %q", e.Data, e.ID)
		}
		fromSSE = append(fromSSE, e.Data)
		if e.Event == "message" && e.frame.Seq == last {
			break
		}
	}
	if len(fromWS) < 3*5 {
		t.Fatalf("only %d frames: %q", len(fromWS), fromWS)
	}
	for i := range max(len(fromWS), len(fromSSE)) {
		if i >= len(fromWS) || i >= len(fromSSE) || fromWS[i] != fromSSE[i] {
			t.Fatalf("frames differ at %d:\n/ws %q\nSSE %q", i, fromWS, fromSSE)
		}
	}
}

// Who may open a stream: the access rule of every endpoint, checked
// before the stream starts, so that refusals are JSON errors.
func TestSSEAccess(t *testing.T) {
	s := MustRunMain(t)
	ann, bob := tokenFor(t, "ann"), tokenFor(t, "bob")
	var c struct {
		ConversationID string `json:"conversation_id"`
	}
	if st := api(t, s, "POST", "/api/conversations/start", ann, map[string]any{"bot_id": "echo"}, &c); st != 201 {
		t.Fatalf("start: %d", st)
	}
	path := "/api/conversations/" + c.ConversationID + "/events"
	refused := func(path string, h http.Header, status int, code string) {
		t.Helper()
		sc, resp := openSSE(t, s.URL(), path, h)
		if sc != nil {
			t.Fatalf("GET %s with %v: a stream, want %d", path, h, status)
		}
		var body struct{ Error string }
		json.NewDecoder(resp.Body).Decode(&body)
		if resp.StatusCode != status || body.Error != code || resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("GET %s with %v: %d %q, want %d %s", path, h, resp.StatusCode, body.Error, status, code)
		}
	}
	bearer := func(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }
	refused(path, nil, 401, "unauthorized")
	refused(path, bearer("not-a-jwt"), 401, "unauthorized")
	refused(path, bearer(bob), 403, "forbidden")
	refused("/api/conversations/no-such-conversation/events", bearer(ann), 404, "not_found")
	refused(path, http.Header{"Authorization": {"Bearer " + ann}, "Last-Event-ID": {"x"}}, 400, "invalid_request")
	refused(path+"?after=-1", bearer(ann), 400, "invalid_request")

	// A ticket opens one stream, once.
	var tk struct{ Ticket string }
	if st := api(t, s, "POST", "/api/ws-ticket", ann, nil, &tk); st != 200 {
		t.Fatalf("ws-ticket: %d", st)
	}
	sc, _ := openSSE(t, s.URL(), path+"?ticket="+tk.Ticket, nil)
	if sc == nil || sc.next().frame.Status != "connected" {
		t.Fatal("the ticket opened no stream")
	}
	refused(path+"?ticket="+tk.Ticket, nil, 401, "unauthorized")
	var bobTicket struct{ Ticket string }
	api(t, s, "POST", "/api/ws-ticket", bob, nil, &bobTicket)
	refused(path+"?ticket="+bobTicket.Ticket, nil, 403, "forbidden")
}

// Streams count against the per-user cap of open connections with sockets.
func TestSSEConnectionCap(t *testing.T) {
	s := MustRunMain(t, limitsOn)
	tok := tokenFor(t, "rita")
	c, hello := mustDial(t, s, "bot_id=echo", tok)
	path := "/api/conversations/" + hello.SessionID + "/events"
	for range 49 {
		mustSSE(t, s.URL(), path, tok)
	}
	sc, resp := openSSE(t, s.URL(), path, http.Header{"Authorization": {"Bearer " + tok}})
	if sc != nil || resp.StatusCode != 429 {
		t.Fatalf("the 51st connection: %d, want 429", resp.StatusCode)
	}
	c.conn.CloseNow()
	waitUntil(t, func() bool {
		sc, _ := openSSE(t, s.URL(), path, http.Header{"Authorization": {"Bearer " + tok}})
		return sc != nil
	})
}

// The heartbeat: an idle stream gets event: ping at the configured rate.
func TestSSEHeartbeat(t *testing.T) {
	s := MustRunMain(t, func(c *Config) { c.SSEHeartbeat = 50 * time.Millisecond })
	tok := tokenFor(t, "hal")
	var c struct {
		ConversationID string `json:"conversation_id"`
	}
	api(t, s, "POST", "/api/conversations/start", tok, map[string]any{"bot_id": "echo"}, &c)
	sc := mustSSE(t, s.URL(), "/api/conversations/"+c.ConversationID+"/events", tok)
	for range 2 {
		if e := sc.expect("ping", nil); e.ID != "" || e.frame.Type != "ping" {
			t.Fatalf("ping %+v", e)
		}
	}
}

// A stream resumes with Last-Event-ID after the server is killed (-9) and
// restarted, while messages keep being stored: every message arrives once,
// in seq order, none lost.
func TestSSEResumeAcrossCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real binary")
	}
	srv := newKillable(t, "--bots", testBots(t), "--rate-limits", "off")
	srv.start()
	tok := tokenFor(t, "kim")
	var c struct {
		ConversationID string `json:"conversation_id"`
	}
	if st := api(t, &testServer{urlOverride: srv.url}, "POST", "/api/conversations/start", tok, map[string]any{"bot_id": "echo"}, &c); st != 201 {
		t.Fatalf("start: %d", st)
	}
	path := "/api/conversations/" + c.ConversationID + "/events"
	const n = 30 // user messages; each gets an echo
	posted := make(chan error, 1)
	go func() { posted <- postUntilStored(srv.url, path[:len(path)-len("/events")]+"/messages", tok, n) }()

	sc := mustSSE(t, srv.url, path, tok, "Last-Event-ID", "0")
	seen := map[int64]frame{}
	lastID := int64(0)
	killed, restarted := false, false
	for lastID < 2*n {
		e, ok := <-sc.events
		if !ok {
			// The server went away: restart it and reconnect where we were.
			if !killed || restarted {
				t.Fatalf("the stream ended: %v", sc.err)
			}
			srv.start()
			restarted = true
			sc = mustSSE(t, srv.url, path, tok, "Last-Event-ID", strconv.FormatInt(lastID, 10))
			continue
		}
		if e.Event != "message" {
			continue
		}
		id, _ := strconv.ParseInt(e.ID, 10, 64)
		if id != lastID+1 || e.frame.Seq != id {
			t.Fatalf("event id %s (seq %d) after %d", e.ID, e.frame.Seq, lastID)
		}
		seen[id], lastID = e.frame, id
		if id == 10 && !killed {
			srv.kill()
			killed = true
		}
	}
	if err := <-posted; err != nil {
		t.Fatal(err)
	}
	// Each message once, and the bot's echo of each once, each in order
	// (an echo may come after later messages: posting does not wait).
	next := map[string]int{}
	for id := int64(1); id <= 2*n; id++ {
		m := seen[id]
		if want := fmt.Sprint("m", next[m.Sender]); m.Content != want {
			t.Fatalf("message %d from %s is %q, want %q", id, m.Sender, m.Content, want)
		}
		next[m.Sender]++
	}
}

// postUntilStored posts m0…m(n-1) in order, each once (client_id), retrying
// each while the server is down, as a client would.
func postUntilStored(base, path, tok string, n int) error {
	deadline := time.Now().Add(time.Minute)
	for i := range n {
		body, _ := json.Marshal(map[string]string{"content": fmt.Sprint("m", i), "client_id": fmt.Sprint("c", i)})
		for {
			req, _ := http.NewRequest("POST", base+path, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 201 {
					break
				}
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("message %d not stored: %v", i, err)
			}
			time.Sleep(20 * time.Millisecond) // the server is restarting
		}
	}
	return nil
}
