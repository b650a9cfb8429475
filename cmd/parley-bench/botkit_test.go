package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"
)

// The generators against the Botkit peer alone (no parley binary): the
// web adapter's frames, closed and open loop. They need node and the
// peer's packages; without them they skip, except in CI (PARLEY_CI=1),
// where .ci/run installs both and a skip would hide a broken peer.

// needBotkit is the installed peer, or a skip (a failure in CI).
func needBotkit(t *testing.T) *botkitSetup {
	t.Helper()
	skip := func(why string) {
		t.Helper()
		if os.Getenv("PARLEY_CI") == "1" {
			t.Fatalf("%s (PARLEY_CI=1: .ci/run installs the Botkit peer, so its tests must run)", why)
		}
		t.Skip(why)
	}
	if _, err := exec.LookPath("node"); err != nil {
		skip("node is not installed: the Botkit peer cannot run (apt-get install nodejs npm)")
	}
	if !botkitInstalled("botkit") {
		skip("cmd/parley-bench/botkit/node_modules is missing (run cmd/parley-bench/botkit/setup.sh)")
	}
	s, err := prepareBotkit(t.Context(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func botkitEnv(t *testing.T, o options) (*env, *target) {
	t.Helper()
	s := needBotkit(t)
	p, err := s.start(t.Context(), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.stop(); err != nil {
			t.Errorf("stopping botkit: %v", err)
		}
	})
	return &env{o: o, tag: "test"}, p.target()
}

func TestClosedLoopOnBotkit(t *testing.T) {
	t.Parallel()
	e, tg := botkitEnv(t, options{Duration: 10 * time.Second, Turns: 20})
	res, err := e.turnsOn(context.Background(), tg, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r := res[0]; r.Turns != 20 || r.Errors != 0 || r.Lat.P50 <= 0 || r.rate() <= 0 {
		t.Errorf("closed loop: %+v", r)
	}
}

func TestOpenLoopOnBotkit(t *testing.T) {
	t.Parallel()
	e, tg := botkitEnv(t, options{Duration: 10 * time.Second, Turns: 30})
	res, err := e.turnsOn(context.Background(), tg, 3, 100)
	if err != nil {
		t.Fatal(err)
	}
	if r := res[0]; r.Turns != 30 || r.Errors != 0 || r.Lat.P99 <= 0 {
		t.Errorf("open loop: %+v", r)
	}
}

// The web adapter's frames, as botbuilder-adapter-web reads and writes
// them: what the generator sends, and a reply read as the bot's message.
func TestBotkitDialect(t *testing.T) {
	t.Parallel()
	got := string(botkitDialect.message("u1", "hello"))
	if want := `{"type":"message","text":"hello","user":"u1","channel":"websocket"}`; got != want {
		t.Errorf("message = %s, want %s", got, want)
	}
	f, err := botkitDialect.frame([]byte(`{"type":"message","text":"hello"}`))
	if err != nil || f.Type != "message" || f.Sender != "bot" || f.Content != "hello" {
		t.Errorf("frame = %+v, %v", f, err)
	}
	if _, err := botkitDialect.frame([]byte(`not json`)); err == nil {
		t.Error("a bad frame was read")
	}
}
