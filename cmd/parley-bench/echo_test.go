package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// The generators against the in-process echo server alone: fast, no
// parley binary needed.

func echoEnv(t *testing.T, o options) (*env, *target) {
	t.Helper()
	e, err := startEcho()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.close)
	return &env{o: o, tag: "test"}, e.target()
}

func TestClosedLoopOnEcho(t *testing.T) {
	t.Parallel()
	e, tg := echoEnv(t, options{Duration: 10 * time.Second, Turns: 20})
	res, err := e.turnsOn(context.Background(), tg, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	if r.Turns != 20 || r.Errors != 0 || r.Lat.P50 <= 0 || r.rate() <= 0 {
		t.Errorf("closed loop: %+v", r)
	}
}

func TestOpenLoopOnEcho(t *testing.T) {
	t.Parallel()
	// Bounded by the number of turns, not by a duration: on a loaded
	// machine the last send due in 0.3 s could fall after it (29 of 30
	// came in one CI run).
	e, tg := echoEnv(t, options{Duration: 10 * time.Second, Turns: 30})
	res, err := e.turnsOn(context.Background(), tg, 3, 100)
	if err != nil {
		t.Fatal(err)
	}
	if r := res[0]; r.Turns != 30 || r.Errors != 0 || r.Lat.P99 <= 0 {
		t.Errorf("open loop: %+v", r)
	}
}

func TestFanoutOnEcho(t *testing.T) {
	t.Parallel()
	e, tg := echoEnv(t, options{Duration: 10 * time.Second, Turns: 10})
	r, err := e.fanoutOn(context.Background(), tg, 4)
	if err != nil {
		t.Fatal(err)
	}
	if r.Sends != 10 || r.Frames != 80 || r.Errors != 0 || r.Each.Count != 40 || r.All.P50 < r.Each.P50 {
		t.Errorf("fanout: %+v", r)
	}
}

func TestHistoryOnEcho(t *testing.T) {
	t.Parallel()
	e, tg := echoEnv(t, options{Duration: 10 * time.Second, Turns: 15})
	r, err := e.historyOn(context.Background(), tg, 2)
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != 15 || r.Errors != 0 || r.Lat.P50 <= 0 {
		t.Errorf("history: %+v", r)
	}
}

// TestEchoKeepsRecentHistory: a room keeps the messages a history page
// can ask for, not every one, so that the bare server's heap does not
// grow with each turn; seqs and has_more stay as if it kept them all.
func TestEchoKeepsRecentHistory(t *testing.T) {
	t.Parallel()
	e, err := startEcho()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.close)
	rm := &room{id: "r1", conns: map[*websocket.Conn]struct{}{}}
	e.mu.Lock()
	e.rooms[rm.id] = rm
	e.mu.Unlock()
	const total = 5*historyKeep + 7
	for i := range total {
		rm.publish(context.Background(), "user", fmt.Sprint(i+1), "")
	}
	if n := len(rm.msgs); n < historyKeep || n > 2*historyKeep {
		t.Errorf("the room keeps %d messages; want %d to %d", n, historyKeep, 2*historyKeep)
	}
	res, err := http.Get(e.base + "/api/conversations/r1/history?limit=100")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var page struct {
		Messages []messageFrame
		HasMore  bool `json:"has_more"`
	}
	if err := json.NewDecoder(res.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	if len(page.Messages) != 100 || !page.HasMore {
		t.Fatalf("history: %d messages, has_more %v; want 100, true", len(page.Messages), page.HasMore)
	}
	for i, m := range page.Messages {
		if want := int64(total - 100 + 1 + i); m.Seq != want || m.Content != fmt.Sprint(want) {
			t.Errorf("message %d: seq %d %q; want seq %d", i, m.Seq, m.Content, want)
		}
	}
}
