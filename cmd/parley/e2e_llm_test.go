package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"parley/llm/llmtest"
)

// llmConfig is a test server's config with the stub as its LLM endpoint.
func llmConfig(t *testing.T, stub *llmtest.Server) Config {
	c := testConfig(t)
	c.LLMBaseURL, c.LLMModel, c.LLMAPIKey = stub.BaseURL(), "stub-model", "sk-stub"
	return c
}

// expectStream skips frames until a stream frame with content, and
// checks it is message id's (any id when "").
func (c *wsClient) expectStream(id, content string) frame {
	c.t.Helper()
	f := c.expect("stream", func(f frame) bool { return f.Content == content })
	if f.ID == "" || (id != "" && f.ID != id) || f.Sender != "bot" || f.Seq != 0 {
		c.t.Fatalf("stream frame %s, want bot's of message %q without a seq", f.raw, id)
	}
	return f
}

// The assistant's reply reaches /ws as it is written: one stream frame
// per chunk released by the stub, each with the whole text so far under
// the id of the message that then replaces it, stored once, with its seq.
// A socket that joins in the middle catches up with the next frame.
func TestLLMStreamsOverWS(t *testing.T) {
	stub := llmtest.NewServer(t)
	stub.Reply(func(llmtest.Request) []string { return []string{"Parley ", "is ", "a bot ", "runtime."} })
	stub.Hold(true)
	s := mustStart(t, llmConfig(t, stub))
	tok := tokenFor(t, "lena")
	sock, hello := mustDial(t, s, "bot_id=assistant", tok)
	sock.expectMessage("bot", "Hi! I answer with a language model. Ask me anything.")
	sock.say("What is Parley?", "q1")
	sock.expectMessage("user", "What is Parley?")
	id := sock.expectStream("", "Parley ").ID

	late, _ := mustDial(t, s, "session_id="+hello.SessionID+"&after=2", tok)
	stub.Release(1)
	sock.expectStream(id, "Parley is ")
	late.expectStream(id, "Parley is ")
	stub.Release(1)
	sock.expectStream(id, "Parley is a bot ")
	stub.Release(1)
	for _, c := range []*wsClient{sock, late} {
		f := c.expect("message", nil)
		if f.ID != id || f.Content != "Parley is a bot runtime." || f.Seq != 3 || f.Sender != "bot" || string(f.Metadata) != `{"automated":true}` {
			t.Fatalf("final message %s, want the stream's id %s with seq 3", f.raw, id)
		}
	}
	if n := stub.Hits(); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
	r := stub.Requests()[0]
	got := fmt.Sprint(r.Model, " ", r.Auth, " ", r.Messages)
	want := "stub-model Bearer sk-stub [{system You are Parley's assistant, talking with a visitor in a web chat. Answer briefly and plainly.} " +
		"{assistant Hi! I answer with a language model. Ask me anything.} {user What is Parley?}]"
	if got != want {
		t.Errorf("request\n%s\nwant\n%s", got, want)
	}
}

// Failures reach the script as nil, err: the stub's error status, a call
// that stalls past --llm-timeout (what was streamed is taken back with an
// empty stream frame), no endpoint at all. A script that uses the nil
// gets dialog_error.
func TestLLMErrorsOverWS(t *testing.T) {
	stub := llmtest.NewServer(t)
	c := llmConfig(t, stub)
	c.LLMTimeout = 300 * time.Millisecond
	writeBot(t, c.Bots, "careless", "name: Careless\n", `while true do HEAR() TALK("got " .. LLM("x")) end`)
	s := mustStart(t, c)
	tok := tokenFor(t, "omar")
	sock, _ := mustDial(t, s, "bot_id=assistant", tok)
	sock.expectMessage("bot", "Hi!…")

	stub.Fail(503, "overloaded")
	sock.say("one", "e1")
	sock.expectMessage("user", "one")
	sock.expectMessage("bot", "Sorry, I could not get an answer: LLM: the endpoint answered 503 Service Unavailable: overloaded. Try again in a moment.")

	stub.Fail(0, "")
	stub.Hold(true)
	sock.say("two", "e2")
	sock.expectMessage("user", "two")
	id := sock.expectStream("", "You ").ID
	sock.expectStream(id, "")
	sock.expectMessage("bot", "Sorry, I could not get an answer: LLM: no complete reply within 300ms. Try again in a moment.")

	careless, _ := mustDial(t, s, "bot_id=careless", tok)
	careless.say("hi", "c1")
	careless.expectMessage("user", "hi")
	careless.expectError("dialog_error")

	bare := mustStart(t, testConfig(t))
	sock, _ = mustDial(t, bare, "bot_id=assistant", tok)
	sock.expectMessage("bot", "Hi!…")
	sock.say("hello?", "n1")
	sock.expectMessage("user", "hello?")
	sock.expectMessage("bot", "I have no language model to ask yet. Start parley with --llm-base-url…")
}

// kill -9 in an LLM dialog: after a reply was stored, the restarted
// server goes on without asking the stub for it again (the hit count);
// while a reply streams, nothing of it was stored, so the dialog, brought
// back at start-up, asks again and the reply is stored once.
func TestLLMKill(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real binary")
	}
	stub := llmtest.NewServer(t)
	srv := newKillable(t, "--bots", testBots(t), "--rate-limits", "off",
		"--llm-base-url", stub.BaseURL(), "--llm-model", "stub-model")
	srv.start()
	ts := &testServer{urlOverride: srv.url}
	tok := tokenFor(t, "kim")
	sock, hello := mustDial(t, ts, "bot_id=assistant", tok)
	sid := hello.SessionID
	sock.expectMessage("bot", "Hi!…")
	sock.say("first", "k1")
	sock.expectMessage("user", "first")
	sock.expectMessage("bot", "You said: first")

	srv.kill() // after the reply was stored
	srv.start()
	sock, _ = mustDial(t, ts, "session_id="+sid+"&after=3", tok)
	sock.say("second", "k2")
	sock.expectMessage("user", "second")
	sock.expectMessage("bot", "You said: second")
	if n := stub.Hits(); n != 2 {
		t.Fatalf("%d calls after the restart, want 2: the stored reply was asked for again", n)
	}
	if last := stub.Requests()[1]; !strings.Contains(fmt.Sprint(last.Messages), "{assistant You said: first} {user second}") {
		t.Errorf("the second prompt lacks the first reply: %v", last.Messages)
	}

	stub.Hold(true)
	sock.say("third", "k3")
	sock.expectMessage("user", "third")
	sock.expectStream("", "You ")
	srv.kill() // while the reply streams
	srv.start()
	sock, _ = mustDial(t, ts, "session_id="+sid+"&after=6", tok)
	stub.Release(3)
	f := sock.expect("message", nil)
	if f.Content != "You said: third" || f.Seq != 7 {
		t.Fatalf("after the restart: %s, want the third reply with seq 7", f.raw)
	}
	if n := stub.Hits(); n != 4 {
		t.Errorf("%d calls, want 4: the interrupted call is made again, once", n)
	}
	stub.Hold(false)
	sock.say("fourth", "k4")
	sock.expectMessage("user", "fourth")
	sock.expectMessage("bot", "You said: fourth")
	if n := stub.Hits(); n != 5 {
		t.Errorf("%d calls, want 5", n)
	}
}
