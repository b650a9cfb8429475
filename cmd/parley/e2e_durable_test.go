package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/runtime"
)

// A dialog evicted between two HEARs is rebuilt from its journal on the
// next message; the user sees nothing unusual (the client checks that
// every frame follows the last, and there is no error frame).
func TestEvictionBetweenHears(t *testing.T) {
	s := MustRunMain(t)
	tok := tokenFor(t, "eve")
	c, _ := mustDial(t, s, "bot_id=durable", tok)
	start := c.expectMessage("bot", "start …")
	c.say("42", "e1")
	c.expectMessage("user", "42")
	c.expectMessage("bot", "pick a color")

	before := s.hub.Stats()
	// Everything is idle from there, once the dialog has settled after
	// the message it sent (it may still be committing its park).
	waitUntil(t, func() bool {
		s.hub.Evict(time.Now().Add(time.Hour))
		return s.hub.Stats().Evictions > before.Evictions
	})

	c.say("green", "e2")
	c.expectMessage("user", "green")
	c.expectMessage("bot", "saved 42 green")
	if after := s.hub.Stats(); after.Replays <= before.Replays {
		t.Fatalf("the dialog was not rebuilt from its journal: %+v → %+v", before, after)
	}
	c.say("hi", "e3")
	c.expectMessage("user", "hi")
	done := c.expectMessage("bot", "done hi 42 green …")
	if want := "done hi 42 green " + start.Content[len("start "):]; done.Content[:len(want)] != want {
		t.Fatalf("after the replay the dialog said %q, want %q…", done.Content, want)
	}

	// With no socket open, the whole conversation leaves memory.
	c.conn.CloseNow()
	waitUntil(t, func() bool {
		s.hub.Evict(time.Now().Add(time.Hour))
		return s.hub.Stats().Conversations == 0
	})
	back, _ := mustDial(t, s, "bot_id=durable", tok)
	back.say("more", "e4")
	back.expect("message", func(f frame) bool { return f.Sender == "bot" && f.Content == "again more" })
}

// Editing a bot on disk is picked up without a restart: a conversation
// that started on the old script finishes on it (even across a restart),
// a new one gets the new script.
func TestScriptEditedMidConversation(t *testing.T) {
	c := testConfig(t)
	bot := filepath.Join(c.Bots, "editable")
	writeBot(t, c.Bots, "editable", "name: Editable\n", `TALK "v1 hello"
local a = HEAR()
TALK("v1 got " .. a)
local b = HEAR()
TALK("v1 end " .. b)
`)
	s := mustStart(t, c)
	tok := tokenFor(t, "ed")
	old, hello := mustDial(t, s, "bot_id=editable", tok)
	old.expectMessage("bot", "v1 hello")
	old.say("one", "o1")
	old.expectMessage("user", "one")
	old.expectMessage("bot", "v1 got one")

	v1, _ := s.engine.Script("editable")
	writeAtomic(t, filepath.Join(bot, "start.lua"), `TALK "v2 hello"
while true do TALK("v2 got " .. HEAR()) end
`)
	waitUntil(t, func() bool {
		sc, err := s.engine.Script("editable")
		return err == nil && sc.Version != v1.Version
	})

	// A new conversation runs the new script.
	var st startBody
	api(t, s, "POST", "/api/conversations/start", tok, map[string]string{"bot_id": "editable"}, &st)
	fresh, _ := mustDial(t, s, "after=0&session_id="+st.SessionID, tok)
	fresh.expectMessage("bot", "v2 hello")

	// The old one finishes on the old script, even after a restart.
	s.Close()
	s2 := mustStart(t, c)
	again, _ := mustDial(t, s2, "session_id="+hello.SessionID, tok)
	again.say("two", "o2")
	again.expectMessage("user", "two")
	again.expectMessage("bot", "v1 end two")
	// Its run is over: the next message starts a new run, on v2.
	again.say("three", "o3")
	again.expectMessage("user", "three")
	again.expectMessage("bot", "v2 hello")
	again.expectMessage("bot", "v2 got three")
}

// client_id dedupe and after=SEQ hold across a restart.
func TestResumeAcrossRestart(t *testing.T) {
	c := testConfig(t)
	s := mustStart(t, c)
	tok := tokenFor(t, "rae")
	sock, hello := mustDial(t, s, "bot_id=echo", tok)
	sock.say("before", "k1")
	first := sock.expectMessage("user", "before")
	sock.expectMessage("bot", "before")
	s.Close()

	s2 := mustStart(t, c)
	back, again := mustDial(t, s2, "bot_id=echo&after=1", tok)
	if again.SessionID != hello.SessionID || *again.LastSeq != 2 {
		t.Fatalf("after restart: %s", again.raw)
	}
	back.expectMessage("bot", "before") // seq 2, the backlog after 1
	back.lastSeq = 0                    // the duplicate answer repeats seq 1
	back.say("before", "k1")
	if dup := back.expectMessage("user", "before"); dup.ID != first.ID {
		t.Fatalf("re-sent client_id after restart stored again: %s", dup.raw)
	}
	back.lastSeq = 2
	back.say("after", "k2")
	if m := back.expectMessage("user", "after"); m.Seq != 3 {
		t.Fatalf("next message %s, want seq 3: the duplicate was answered", m.raw)
	}
	back.expectMessage("bot", "after")
}

// A bot folder that stops compiling keeps its last good version running;
// /readyz names the problem with file:line.
func TestBrokenBotKeepsLastGood(t *testing.T) {
	c := testConfig(t)
	writeBot(t, c.Bots, "fragile", "name: Fragile\n", "while true do TALK('ok ' .. HEAR()) end\n")
	s := mustStart(t, c)
	writeAtomic(t, filepath.Join(c.Bots, "fragile", "start.lua"), "TALK('oops'\n")
	var body string
	waitUntil(t, func() bool {
		resp, err := http.Get(s.URL() + "/readyz")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
		return resp.StatusCode == 200 && strings.Contains(body, "fragile/start.lua:")
	})
	t.Logf("readyz: %s", body)
	sock, _ := mustDial(t, s, "bot_id=fragile", tokenFor(t, "fay"))
	sock.say("still", "f1")
	sock.expectMessage("user", "still")
	sock.expectMessage("bot", "ok still")
}

// writeAtomic replaces a file by renaming a complete copy over it, so the
// bots watcher never reads it half-written.
func writeAtomic(t *testing.T, path, content string) {
	t.Helper()
	tmp := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// A user message another node stored while the dialog sat parked in HEAR,
// which this node has not heard of, comes before the next one sent here.
// That one's turn cannot be stored with its answer (the store finds the
// other message waiting for the dialog): it is stored on its own, both are
// published in seq order, and the dialog, rebuilt from its journal,
// answers each once, in that order.
func TestTurnBehindAnotherNodesMessage(t *testing.T) {
	s := MustRunMain(t, func(c *Config) { writeBot(t, c.Bots, "tally", "name: Tally\n", tallyBot) })
	tok := tokenFor(t, "olga")
	c, hello := mustDial(t, s, "bot_id=tally", tok)
	c.say("one", "o1")
	c.expectMessage("user", "one")
	c.expectMessage("bot", "#1 one")

	// The dialog is parked in HEAR once its goroutine is done.
	ctx := context.Background()
	olga := runtime.Identity{UserID: "olga", Name: "olga", Role: runtime.RoleUser}
	sub, err := s.hub.Join(ctx, olga, runtime.JoinRequest{SessionID: runtime.SessionID(hello.SessionID)})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	go func() {
		for range sub.Events() {
		}
	}()
	if err := sub.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	// Another node's message: in the database, and nowhere in this node.
	other := &runtime.Message{SessionID: runtime.SessionID(hello.SessionID), Sender: runtime.SenderUser,
		SenderID: "olga", SenderName: "olga", Content: "elsewhere"}
	if _, err := s.store.AppendMessage(ctx, other); err != nil {
		t.Fatal(err)
	}
	before := s.hub.Stats()
	c.say("two", "o2")
	checkTally(t, collect(c, 4), 2) // elsewhere, two, #2 elsewhere, #3 two
	if after := s.hub.Stats(); after.Replays <= before.Replays {
		t.Fatalf("the dialog was not rebuilt: %+v → %+v; the turn of two was stored with its answer", before, after)
	}
}
