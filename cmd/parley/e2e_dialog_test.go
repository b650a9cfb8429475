package main

import (
	"fmt"
	"os"
	"testing"
)

// A hostile script affects only its own conversation: each misdeed ends
// in a dialog_error frame and a log line with bot, file and line; the next
// message restarts the script; a concurrent conversation keeps answering.
func TestHostileScriptsContained(t *testing.T) {
	s := MustRunMain(t)
	victim, _ := mustDial(t, s, "bot_id=hostile", tokenFor(t, "mallory"))
	bystander, _ := mustDial(t, s, "bot_id=echo", tokenFor(t, "nina"))

	for i, cmd := range []string{"loop", "exec", "open", "require", "crash"} {
		victim.say(cmd, fmt.Sprint("h", i))
		victim.expectMessage("user", cmd)
		// While the script misbehaves, the bystander is answered.
		bystander.say(fmt.Sprint("ping ", i), fmt.Sprint("b", i))
		bystander.expectMessage("user", fmt.Sprint("ping ", i))
		bystander.expectMessage("bot", fmt.Sprint("ping ", i))

		e := victim.expectError("dialog_error")
		if e.Message == "" {
			t.Errorf("%s: dialog_error without a message", cmd)
		}
		victim.say("hello", fmt.Sprint("after", i))
		victim.expectMessage("user", "hello")
		victim.expectMessage("bot", "ok: hello")
	}
	if _, err := os.Stat("/tmp/parley-pwned"); err == nil {
		t.Fatal("os.execute ran a command")
	}
	if line, ok := s.logs.find("hostile", "start.lua", "line="); !ok {
		t.Errorf("no log line names the bot, file and line")
	} else {
		t.Logf("logged: %s", line)
	}
}

// After a restart a user's history and the bot's memory of them are there.
func TestRestartKeepsHistoryAndMemory(t *testing.T) {
	c := testConfig(t)
	s := mustStart(t, c)
	tok := tokenFor(t, "olga")
	sock, hello := mustDial(t, s, "bot_id=counter", tok)
	sock.expectMessage("bot", "visit 1")
	sock.say("remember me", "r1")
	sock.expectMessage("user", "remember me")
	sock.expectMessage("bot", "you said: remember me")
	s.Close()

	s2 := mustStart(t, c)
	var h historyBody
	if code := api(t, s2, "GET", "/api/conversations/"+hello.SessionID+"/history", tok, nil, &h); code != 200 || len(h.Messages) != 3 {
		t.Fatalf("history after restart: %d %+v", code, h)
	}
	// A new conversation with the bot reads the memory of the first.
	var st startBody
	api(t, s2, "POST", "/api/conversations/start", tok, map[string]string{"bot_id": "counter"}, &st)
	sock2, _ := mustDial(t, s2, "after=0&session_id="+st.SessionID, tok)
	sock2.expectMessage("bot", "visit 2")
}
