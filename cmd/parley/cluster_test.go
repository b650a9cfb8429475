package main

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	_ "github.com/lib/pq"

	"parley/schema/schematest"
	"parley/ws"
)

// Several nodes on one PostgreSQL database (docs/deploy.md): real parley
// processes sharing a schema, a user's sockets on different nodes.

// tallyBot counts the messages of its run in a local variable, so a reply
// shows that the dialog took each message once and in order, and that a
// dialog moved to another node was rebuilt from its journal (a restarted
// run would count from 1 again). "slow …" makes it WAIT before answering,
// so that a node can be killed in the middle of a turn.
const tallyBot = `
local n = 0
while true do
  local m = HEAR()
  n = n + 1
  if m:sub(1, 5) == "slow " then WAIT(2) end
  TALK("#" .. n .. " " .. m)
end
`

// cluster is a test's nodes: parley processes on one database schema.
type cluster struct {
	t     *testing.T
	dbURL string // the schema, with an application_name for this test
	name  string // starts the node ids and application names of this test
	bots  string
}

func newCluster(t *testing.T) *cluster {
	schematest.Require(t)
	u, err := url.Parse(schematest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	// Every connection of the test's nodes is named, so that a test can
	// cut them (pg_terminate_backend) without touching other tests'.
	name := fmt.Sprintf("t%d", time.Now().UnixNano())
	q := u.Query()
	q.Set("application_name", "parley-test-"+name)
	u.RawQuery = q.Encode()
	bots := t.TempDir()
	writeBot(t, bots, "tally", "name: Tally\ndefault: true\n", tallyBot)
	return &cluster{t: t, dbURL: u.String(), name: name, bots: bots}
}

// node starts one more node, named id, and waits until it is ready.
func (c *cluster) node(id string, args ...string) *killable {
	k := c.newNode(id, args...)
	k.start()
	return k
}

// newNode is node id, not started yet.
func (c *cluster) newNode(id string, args ...string) *killable {
	k := newKillable(c.t)
	k.args = append(k.args, "--bots", c.bots, "--database-url", c.dbURL, "--node-id", c.nodeID(id), "--rate-limits", "off")
	k.args = append(k.args, args...)
	return k
}

// nodeID is the --node-id of the node named id.
func (c *cluster) nodeID(id string) string { return c.name + "-" + id }

// cutListener terminates the wake-up connection of the node id.
func (c *cluster) cutListener(id string) int { return c.cut("parley-listen-" + c.name + "-" + id) }

// cutAll terminates every database connection of the test's nodes.
func (c *cluster) cutAll() int {
	return c.cut("parley-test-"+c.name) + c.cut("parley-listen-"+c.name)
}

// cut terminates the database connections whose application_name starts
// with prefix, as a PostgreSQL restart or a network failure would.
func (c *cluster) cut(prefix string) int {
	c.t.Helper()
	db, err := sql.Open("postgres", schematest.Require(c.t))
	if err != nil {
		c.t.Fatal(err)
	}
	defer db.Close()
	var n int
	err = db.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name LIKE $1 || '%' AND pid <> pg_backend_pid()`, prefix).Scan(&n)
	if err != nil {
		c.t.Fatal(err)
	}
	return n
}

func server(k *killable) *testServer { return &testServer{urlOverride: k.url} }

// collect reads the message frames of c until it has seen n of them,
// failing on a gap in seq (wsClient checks) or a repeated seq.
func collect(c *wsClient, n int) []frame {
	c.t.Helper()
	var list []frame
	for len(list) < n {
		f := c.nextMessage()
		if f.Type == "error" {
			c.t.Fatalf("error frame: %s", f.raw)
		}
		list = append(list, f)
	}
	return list
}

// checkTally checks a conversation of the tally bot: user and bot
// messages as frames list them (gapless from seq first), each user
// message answered exactly once, in the order of seq.
func checkTally(t *testing.T, list []frame, firstCount int) {
	t.Helper()
	var users, bots []frame
	for _, f := range list {
		if f.Sender == "user" {
			users = append(users, f)
		} else {
			bots = append(bots, f)
		}
	}
	if len(users) != len(bots) {
		t.Fatalf("%d user messages, %d bot answers", len(users), len(bots))
	}
	for i, u := range users {
		want := fmt.Sprintf("#%d %s", firstCount+i, u.Content)
		if bots[i].Content != want {
			t.Fatalf("answer %d is %q (seq %d); want %q: a message was answered twice, not at all, or out of order", i, bots[i].Content, bots[i].Seq, want)
		}
		if bots[i].Seq < u.Seq {
			t.Fatalf("answer %q (seq %d) comes before its message (seq %d)", want, bots[i].Seq, u.Seq)
		}
	}
}

// sameFrames fails unless both sockets saw the same messages in the same
// order.
func sameFrames(t *testing.T, a, b []frame) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("node A's socket saw %d messages, node B's %d", len(a), len(b))
	}
	for i := range a {
		if a[i].ID != b[i].ID || a[i].Seq != b[i].Seq || a[i].Content != b[i].Content {
			t.Fatalf("message %d differs: node A %s, node B %s", i, a[i].raw, b[i].raw)
		}
	}
}

// TestTwoNodes: one user with a socket on each of two nodes; both send at
// once. Both sockets see every message, in the same seq order without gaps
// or duplicates, and the dialog (running on one node) answers each message
// exactly once.
func TestTwoNodes(t *testing.T) {
	c := newCluster(t)
	a, b := server(c.node("node-a")), server(c.node("node-b"))
	tok := tokenFor(t, "alice")
	onA, hello := mustDial(t, a, "bot_id=tally", tok)
	onB, _ := mustDial(t, b, "bot_id=tally&session_id="+hello.SessionID, tok)

	const each = 15
	for i := 1; i <= each; i++ {
		onA.say(fmt.Sprintf("a%d", i), fmt.Sprintf("a%d", i))
		onB.say(fmt.Sprintf("b%d", i), fmt.Sprintf("b%d", i))
	}
	seenA, seenB := collect(onA, 4*each), collect(onB, 4*each)
	sameFrames(t, seenA, seenB)
	if seenA[0].Seq != 1 {
		t.Fatalf("first message has seq %d", seenA[0].Seq)
	}
	checkTally(t, seenA, 1)

	// History agrees with what the sockets saw, on either node.
	var hist struct{ Messages []frame }
	api(t, b, "GET", "/api/conversations/"+hello.SessionID+"/history?limit=100", tok, nil, &hist)
	if len(hist.Messages) != len(seenA) {
		t.Fatalf("history has %d messages; the sockets saw %d", len(hist.Messages), len(seenA))
	}
	for i, m := range hist.Messages {
		if m.ID != seenA[i].ID || m.Seq != seenA[i].Seq {
			t.Fatalf("history message %d is %d %s; the sockets saw %d %s", i, m.Seq, m.ID, seenA[i].Seq, seenA[i].ID)
		}
	}

	// Deleted on one node, the conversation's sockets end on both.
	if code := api(t, a, "DELETE", "/api/conversations/"+hello.SessionID, tok, nil, nil); code != 204 {
		t.Fatalf("DELETE: %d", code)
	}
	onA.expectClose(websocket.StatusCode(4004))
	onB.expectClose(websocket.StatusCode(4004))
}

// TestFailover: the node running a dialog is killed in the middle of a
// turn. Another node takes the conversation over within the lease time,
// rebuilds the dialog from its journal and finishes the turn; the user
// reconnects to that node and the dialog continues where it was.
func TestFailover(t *testing.T) {
	c := newCluster(t)
	ka := c.node("node-a", "--lease-time", "2s")
	a, b := server(ka), server(c.node("node-b", "--lease-time", "2s"))
	tok := tokenFor(t, "alice")
	phone, hello := mustDial(t, a, "bot_id=tally", tok) // node A runs the dialog
	laptop, _ := mustDial(t, b, "bot_id=tally&session_id="+hello.SessionID, tok)

	phone.say("one", "c1")
	phone.say("two", "c2")
	before := collect(laptop, 4)
	checkTally(t, before, 1)
	collect(phone, 4)

	// Acknowledged on A; A dies during the turn's WAIT.
	phone.say("slow three", "c3")
	ack := phone.expectMessage("user", "slow three")
	ka.kill()

	laptop.expectMessage("user", "slow three")
	if f := laptop.expectMessage("bot", "#3 slow three"); f.Seq != ack.Seq+1 {
		t.Fatalf("the answer after failover has seq %d; want %d", f.Seq, ack.Seq+1)
	}

	// The phone reconnects to B and catches up from what it saw.
	phone, _ = mustDial(t, b, fmt.Sprintf("bot_id=tally&session_id=%s&after=%d", hello.SessionID, ack.Seq), tok)
	phone.expectMessage("bot", "#3 slow three")
	// A re-send of the acknowledged message stores nothing: the sender
	// gets the stored message (seq 5) back.
	phone.say("slow three", "c3")
	phone.lastSeq = 0 // the echo of a duplicate is not in seq order
	if f := phone.expectMessage("user", "slow three"); f.Seq != ack.Seq {
		t.Fatalf("the re-send got seq %d back; want %d", f.Seq, ack.Seq)
	}
	phone.lastSeq = ack.Seq + 1
	phone.say("four", "c4")
	phone.expectMessage("user", "four")
	phone.expectMessage("bot", "#4 four")
	laptop.expectMessage("user", "four")
	laptop.expectMessage("bot", "#4 four")

	var hist struct{ Messages []frame }
	api(t, b, "GET", "/api/conversations/"+hello.SessionID+"/history?limit=100", tok, nil, &hist)
	checkTally(t, hist.Messages, 1)
	if len(hist.Messages) != 8 {
		t.Fatalf("history has %d messages; want 8 (4 sent, 4 answers)", len(hist.Messages))
	}
}

// TestDatabaseConnectionsCut: no frame is lost when a node's wake-up
// connection (LISTEN) drops, nor when every connection of both nodes is
// cut at once, as when PostgreSQL restarts: once the connections are
// back, the node re-reads its live conversations.
func TestDatabaseConnectionsCut(t *testing.T) {
	c := newCluster(t)
	a, b := server(c.node("node-a")), server(c.node("node-b"))
	tok := tokenFor(t, "alice")
	viewer, hello := mustDial(t, b, "bot_id=tally", tok) // B runs the dialog
	sender, _ := mustDial(t, a, "bot_id=tally&session_id="+hello.SessionID, tok)

	var seen []frame
	round := func(name string, cut func() int) {
		t.Helper()
		if n := cut(); n == 0 {
			t.Fatalf("%s: no connection was cut", name)
		}
		for i := 1; i <= 5; i++ {
			text := fmt.Sprintf("%s %d", name, i)
			sender.say(text, text)
			// The acknowledgement: stored, whatever happened to the
			// connections (a write retries on a fresh one).
			sender.expect("message", func(f frame) bool { return f.Sender == "user" && f.Content == text })
		}
		got := collect(viewer, 10)
		seen = append(seen, got...)
		checkTally(t, seen, 1)
	}
	round("listener", func() int { return c.cutListener("node-b") })
	round("both-listeners", func() int { return c.cutListener("node-a") + c.cutListener("node-b") })
	round("everything", c.cutAll)
	if !strings.HasPrefix(seen[0].Content, "listener") || seen[0].Seq != 1 {
		t.Fatalf("first message %s", seen[0].raw)
	}
}

// TestJoinAtOnceOnTwoNodes: two devices of a user connecting at the same
// instant, each to a different node, without a session_id, join one
// conversation (the find-or-create is locked across nodes).
func TestJoinAtOnceOnTwoNodes(t *testing.T) {
	c := newCluster(t)
	nodes := []*testServer{server(c.node("node-a")), server(c.node("node-b"))}
	for i := range 8 {
		tok := tokenFor(t, fmt.Sprintf("user-%d", i))
		h := http.Header{"Authorization": {"Bearer " + tok}}
		dialed := make(chan *wsClient, 2)
		for _, n := range nodes {
			go func() {
				ws, _, err := dialWS(t, n, "bot_id=tally", h)
				if err != nil {
					t.Error(err)
				}
				dialed <- ws
			}()
		}
		var sessions []string
		for range nodes {
			ws := <-dialed
			if ws == nil {
				t.FailNow()
			}
			sessions = append(sessions, ws.expect("status", nil).SessionID)
		}
		if sessions[0] != sessions[1] {
			t.Fatalf("user-%d's devices joined two conversations: %v", i, sessions)
		}
	}
}

// TestTicketAnyNode: a /ws ticket issued by one node opens a socket on
// another (no sticky sessions for browsers either), once.
func TestTicketAnyNode(t *testing.T) {
	c := newCluster(t)
	a, b := server(c.node("node-a")), server(c.node("node-b"))
	var tk struct{ Ticket string }
	if code := api(t, a, "POST", "/api/ws-ticket", tokenFor(t, "tia"), nil, &tk); code != 200 {
		t.Fatalf("ws-ticket: %d", code)
	}
	sock, hello := mustDial(t, b, "bot_id=tally&ticket="+tk.Ticket, "")
	if hello.Anonymous == nil || *hello.Anonymous {
		t.Fatalf("a ticket from node A opened an anonymous socket on node B: %s", hello.raw)
	}
	sock.say("hi", "t1")
	sock.expectMessage("user", "hi")
	again, _, err := dialWS(t, a, "bot_id=tally&ticket="+tk.Ticket, nil)
	if err != nil {
		t.Fatal(err)
	}
	again.expectError("unauthorized")
	again.expectClose(ws.CloseUnauthorized)
}

// TestJoinsWithOnePoolConnection: the cross-node join lock has
// connections of its own, so logged-in joins cannot take the whole
// database pool and wait for themselves, even with a pool of one.
func TestJoinsWithOnePoolConnection(t *testing.T) {
	c := newCluster(t)
	n := server(c.node("node-a", "--db-max-open-conns", "1"))
	dialed := make(chan *wsClient, 12)
	for i := range cap(dialed) {
		go func() {
			h := http.Header{"Authorization": {"Bearer " + tokenFor(t, fmt.Sprintf("pool-%d", i%4))}}
			ws, _, err := dialWS(t, n, "bot_id=tally", h)
			if err != nil {
				t.Error(err)
			}
			dialed <- ws
		}()
	}
	for range cap(dialed) {
		ws := <-dialed
		if ws == nil {
			t.FailNow()
		}
		if f := ws.next(); f.Status != "connected" {
			t.Fatalf("join: %s", f.raw)
		}
	}
}
