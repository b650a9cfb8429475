package ws_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/coder/websocket"

	"parley/runtime"
	"parley/ws"
)

// expectFrame reads the next frame and checks its type, session_id and
// the fields of want.
func expectFrame(t *testing.T, conn *websocket.Conn, typ, sid string, want map[string]any) map[string]any {
	t.Helper()
	f := read(t, conn)
	ok := f["type"] == typ && f["session_id"] == sid
	for k, v := range want {
		ok = ok && fmt.Sprint(f[k]) == fmt.Sprint(v)
	}
	if !ok {
		t.Fatalf("frame %v, want %s of %s with %v", f, typ, sid, want)
	}
	return f
}

// An agent's console: one socket on the first of four conversations
// assigned to the agent joins two more, one with a replay; it gets the
// messages of the three it follows and a notification of the fourth;
// its frames go to the conversation they name; one it does not follow
// is refused and the socket stays; after a leave, the left conversation
// comes as notifications only.
func TestOneSocketSeveralConversations(t *testing.T) {
	t.Parallel()
	s := newServer(t, silent, runtime.Config{}, ws.Config{})
	ctx := context.Background()
	var sids [4]string
	owners := [4]runtime.Identity{alice, bob, alice, bob}
	for i, owner := range owners {
		c, err := s.hub.CreateConversation(ctx, owner, runtime.NewConversation{})
		if err == nil {
			_, err = s.hub.Assign(ctx, admin, c.ID, "ag")
		}
		if err != nil {
			t.Fatal(err)
		}
		sids[i] = string(c.ID)
	}
	say := func(i int, content string) {
		t.Helper()
		if _, _, err := s.hub.Send(ctx, owners[i], runtime.SendRequest{SessionID: runtime.SessionID(sids[i]), Content: content}); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []string{"one", "two", "three"} {
		say(2, m)
	}

	conn := s.dial(t, "session_id="+sids[0], "ag")
	expectFrame(t, conn, "status", sids[0], map[string]any{"status": "connected", "last_seq": 0})
	expectFrame(t, conn, "status", sids[0], map[string]any{"status": "agent_joined"})
	write(t, conn, map[string]any{"type": "join", "session_id": sids[1]})
	expectFrame(t, conn, "status", sids[1], map[string]any{"status": "connected", "last_seq": 0, "bot_id": "echo"})
	expectFrame(t, conn, "status", sids[1], map[string]any{"status": "agent_joined"})
	// after=1 replays exactly what came after 1, then live frames.
	write(t, conn, map[string]any{"type": "join", "session_id": sids[2], "after": 1})
	expectFrame(t, conn, "status", sids[2], map[string]any{"status": "connected", "last_seq": 3})
	expectFrame(t, conn, "message", sids[2], map[string]any{"seq": 2, "content": "two"})
	expectFrame(t, conn, "message", sids[2], map[string]any{"seq": 3, "content": "three"})
	expectFrame(t, conn, "status", sids[2], map[string]any{"status": "agent_joined"})

	for i, m := range []string{"to 0", "to 1", "to 2", "to 3"} {
		say(i, m)
	}
	expectFrame(t, conn, "message", sids[0], map[string]any{"content": "to 0"})
	expectFrame(t, conn, "message", sids[1], map[string]any{"content": "to 1"})
	expectFrame(t, conn, "message", sids[2], map[string]any{"seq": 4, "content": "to 2"})
	if f := expectFrame(t, conn, "notification", sids[3], nil); f["message"].(map[string]any)["content"] != "to 3" {
		t.Fatalf("notification %v, want to 3", f)
	}

	// Frames name their conversation; the first is the default.
	write(t, conn, map[string]any{"type": "message", "session_id": sids[1], "content": "agent to 1"})
	expectFrame(t, conn, "message", sids[1], map[string]any{"content": "agent to 1", "sender": "agent"})
	write(t, conn, map[string]any{"type": "message", "content": "agent to 0"})
	expectFrame(t, conn, "message", sids[0], map[string]any{"content": "agent to 0", "sender": "agent"})
	for _, typ := range []string{"message", "typing", "read"} {
		write(t, conn, map[string]any{"type": typ, "session_id": sids[3], "content": "x", "seq": 1, "client_id": "c-" + typ})
		expectFrame(t, conn, "error", sids[3], map[string]any{"code": "forbidden"})
	}

	// A conversation of someone else's, and an unknown one: refused, and
	// the socket goes on.
	theirs, err := s.hub.CreateConversation(ctx, alice, runtime.NewConversation{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, conn, map[string]any{"type": "join", "session_id": string(theirs.ID)})
	expectFrame(t, conn, "error", string(theirs.ID), map[string]any{"code": "forbidden"})
	write(t, conn, map[string]any{"type": "join", "session_id": "no-such-conversation"})
	expectFrame(t, conn, "error", "no-such-conversation", map[string]any{"code": "not_found"})
	write(t, conn, map[string]any{"type": "join", "session_id": sids[1]})
	expectFrame(t, conn, "error", sids[1], map[string]any{"code": "invalid_request"}) // followed already
	write(t, conn, map[string]any{"type": "leave", "session_id": sids[3]})
	expectFrame(t, conn, "error", sids[3], map[string]any{"code": "invalid_request"}) // not followed

	// Leaving: its last frame is the left status; then notifications.
	write(t, conn, map[string]any{"type": "leave", "session_id": sids[1]})
	expectFrame(t, conn, "status", sids[1], map[string]any{"status": "left"})
	say(1, "after leave")
	say(0, "still followed")
	if f := expectFrame(t, conn, "notification", sids[1], nil); f["message"].(map[string]any)["content"] != "after leave" {
		t.Fatalf("notification %v, want after leave", f)
	}
	expectFrame(t, conn, "message", sids[0], map[string]any{"content": "still followed"})
}

// A socket follows at most runtime.MaxFollows conversations, its first
// included; one more is rate_limited, and the socket stays.
func TestFollowBound(t *testing.T) {
	t.Parallel()
	s := newServer(t, silent, runtime.Config{}, ws.Config{})
	conn := s.dial(t, "", "alice")
	first := read(t, conn)["session_id"].(string)
	for i := 1; i <= runtime.MaxFollows; i++ {
		c, err := s.hub.CreateConversation(context.Background(), alice, runtime.NewConversation{})
		if err != nil {
			t.Fatal(err)
		}
		write(t, conn, map[string]any{"type": "join", "session_id": string(c.ID)})
		if i < runtime.MaxFollows {
			expectFrame(t, conn, "status", string(c.ID), map[string]any{"status": "connected"})
			continue
		}
		expectFrame(t, conn, "error", string(c.ID), map[string]any{"code": "rate_limited"})
	}
	write(t, conn, map[string]any{"type": "message", "content": "still open"})
	expectFrame(t, conn, "message", first, map[string]any{"content": "still open"})
}

// A join while another socket writes to the conversation: its frames are
// the greeting and then every message once, in seq order, whether it came
// in the replay or live.
func TestJoinWhileWriting(t *testing.T) {
	t.Parallel()
	s := newServer(t, silent, runtime.Config{}, ws.Config{})
	ctx := context.Background()
	c, err := s.hub.CreateConversation(ctx, alice, runtime.NewConversation{Participants: []string{"bob"}})
	if err != nil {
		t.Fatal(err)
	}
	sid := string(c.ID)
	conn := s.dial(t, "", "bob") // his own conversation first
	read(t, conn)
	const n = 40
	done := make(chan error, 1)
	go func() {
		for i := 1; i <= n; i++ {
			if _, _, err := s.hub.Send(ctx, alice, runtime.SendRequest{SessionID: c.ID, Content: fmt.Sprint(i)}); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	write(t, conn, map[string]any{"type": "join", "session_id": sid, "after": 0})
	next := int64(1)
	greeted := false
	for next <= n {
		f := read(t, conn)
		switch {
		case f["type"] == "notification" && !greeted:
			continue // a message before the join
		case f["type"] == "status" && f["status"] == "connected" && f["session_id"] == sid:
			greeted = true
		case f["type"] == "message" && greeted:
			if seq := int64(f["seq"].(float64)); seq != next {
				t.Fatalf("message %d after %d", seq, next-1)
			}
			next++
		default:
			t.Fatalf("frame %v (greeted %v, next seq %d)", f, greeted, next)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
