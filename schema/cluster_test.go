package schema

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"parley/runtime"
	"parley/schema/schematest"
)

// twoNodes opens two stores on one new PostgreSQL schema and makes each a
// node: what two parley processes on one database are.
func twoNodes(t *testing.T, lease time.Duration) (a, b *DB, ca, cb *Cluster) {
	t.Helper()
	schematest.Require(t)
	cfg := Config{Driver: "postgres", DSN: schematest.URL(t)}
	a, b = openConfig(t, cfg), openConfig(t, cfg)
	return a, b, startNode(t, a, "node-a", lease), startNode(t, b, "node-b", lease)
}

// testRun makes node ids unique among the tests sharing the database.
var testRun = fmt.Sprint(time.Now().UnixNano())

func startNode(t *testing.T, db *DB, id string, lease time.Duration) *Cluster {
	t.Helper()
	c, err := db.StartCluster(context.Background(), ClusterConfig{NodeID: id + "-" + testRun + "-" + fmt.Sprint(rand.Uint32()), LeaseTime: lease})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func newTestSession(t *testing.T, db *DB) *runtime.Session {
	t.Helper()
	now := time.Now().UTC()
	s := &runtime.Session{ID: runtime.SessionID(runtime.NewID()), BotID: "b", UserID: "u", Status: runtime.StatusActive,
		CreatedAt: now, LastActivity: now}
	if err := db.CreateSession(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return s
}

func mustAcquire(t *testing.T, c *Cluster, sid runtime.SessionID) int64 {
	t.Helper()
	fence, err := c.Acquire(context.Background(), sid)
	if err != nil {
		t.Fatal(err)
	}
	return fence
}

// A lease is one node's at a time; the fence grows with each taking, and
// a dialog write under an old fence is refused with ErrNotRunner.
func TestClusterLeaseAndFence(t *testing.T) {
	ctx := context.Background()
	a, _, ca, cb := twoNodes(t, 10*time.Second)
	s := newTestSession(t, a)

	f1 := mustAcquire(t, ca, s.ID)
	if f1 == 0 {
		t.Fatal("node A could not take a free lease")
	}
	if f := mustAcquire(t, cb, s.ID); f != 0 {
		t.Fatalf("node B took a lease live node A holds (fence %d)", f)
	}
	write := func(fence int64) error {
		return a.CommitDialog(ctx, &runtime.DialogWrite{SessionID: s.ID, Fence: fence,
			Messages: []*runtime.Message{{Sender: runtime.SenderBot, Content: "hi"}}})
	}
	if err := write(f1); err != nil {
		t.Fatalf("write under the lease: %v", err)
	}
	if err := ca.Release(ctx, s.ID, f1); err != nil {
		t.Fatal(err)
	}
	f2 := mustAcquire(t, cb, s.ID)
	if f2 <= f1 {
		t.Fatalf("node B's fence %d does not follow %d", f2, f1)
	}
	err := write(f1)
	if !errors.Is(err, runtime.ErrNotRunner) {
		t.Fatalf("write under a lost lease: %v; want ErrNotRunner", err)
	}
	if got, _ := a.FindSession(ctx, s.ID); got.LastSeq != 1 {
		t.Fatalf("LastSeq %d after a refused write; want 1", got.LastSeq)
	}
	// Unfenced writes (a single node) are not checked.
	if err := write(0); err != nil {
		t.Fatal(err)
	}
}

// A dead node's leases lapse after the lease time, and its conversations
// with work become orphans; a node's own leases are its orphans too.
func TestClusterDeadNodeOrphans(t *testing.T) {
	ctx := context.Background()
	lease := 1500 * time.Millisecond
	a, _, ca, cb := twoNodes(t, lease)
	s := newTestSession(t, a)
	idle := newTestSession(t, a)
	mustAcquire(t, ca, s.ID)
	mustAcquire(t, ca, idle.ID)
	if _, err := a.AppendMessage(ctx, &runtime.Message{SessionID: s.ID, Sender: runtime.SenderUser, Content: "x"}); err != nil {
		t.Fatal(err)
	}
	orphans := func(c *Cluster) []runtime.SessionID {
		t.Helper()
		ids, err := c.Orphans(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	if got := orphans(cb); len(got) != 0 {
		t.Fatalf("node B sees orphans %v while node A lives", got)
	}
	if got := orphans(ca); !slices.Equal(got, []runtime.SessionID{s.ID}) {
		t.Fatalf("node A's own conversations with work: %v; want %v", got, []runtime.SessionID{s.ID})
	}

	// Node A dies: its heartbeat stops (Close would release its leases,
	// so stop the loops only).
	ca.cancel()
	ca.wg.Wait()
	deadline := time.Now().Add(10 * lease)
	for len(orphans(cb)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("node A's conversation never became an orphan")
		}
		time.Sleep(lease / 10) // polling the database clock, not a sync
	}
	if got := orphans(cb); !slices.Equal(got, []runtime.SessionID{s.ID}) {
		t.Fatalf("orphans %v; want only the conversation with work %v", got, s.ID)
	}
	if mustAcquire(t, cb, s.ID) == 0 {
		t.Fatal("node B could not take a dead node's lease")
	}
}

// A node restarted under its id within the lease time (as a supervisor
// restarts a killed process) is live again at once: it gives back the
// leases its previous process held, so another node may take those
// conversations at once instead of leaving them to a process that is gone.
func TestClusterRestartGivesBackLeases(t *testing.T) {
	ctx := context.Background()
	a, _, ca, cb := twoNodes(t, 10*time.Second)
	s := newTestSession(t, a)
	f1 := mustAcquire(t, ca, s.ID)
	if f1 == 0 {
		t.Fatal("node A could not take a free lease")
	}
	// Node A is killed: its loops stop, nothing is released.
	ca.cancel()
	ca.wg.Wait()
	ca.listener.Close()
	if f := mustAcquire(t, cb, s.ID); f != 0 {
		t.Fatal("node B took the lease of node A before A's lease time ran out")
	}

	again, err := a.StartCluster(ctx, ClusterConfig{NodeID: ca.node, LeaseTime: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { again.Close(context.Background()) })
	f2 := mustAcquire(t, cb, s.ID)
	if f2 <= f1 {
		t.Fatalf("after node A restarted, node B got fence %d for the conversation A's previous process held (fence %d); want it taken", f2, f1)
	}
	err = a.CommitDialog(ctx, &runtime.DialogWrite{SessionID: s.ID, Fence: f1,
		Messages: []*runtime.Message{{Sender: runtime.SenderBot, Content: "from the process that died"}}})
	if !errors.Is(err, runtime.ErrNotRunner) {
		t.Fatalf("a write under the previous process's fence: %v; want ErrNotRunner", err)
	}
}

// Writes announce themselves to the other node only, in the committing
// transaction; broadcasts arrive as sent; a dropped wake-up connection
// is reported as a nil batch once it is back.
func TestClusterChanges(t *testing.T) {
	ctx := context.Background()
	a, b, _, cb := twoNodes(t, 10*time.Second)
	s := newTestSession(t, a)
	next := func() []runtime.SessionID {
		t.Helper()
		select {
		case ids := <-cb.Changes():
			return ids
		case <-time.After(10 * time.Second):
			t.Fatal("no change reached node B")
		}
		return nil
	}
	if _, err := a.AppendMessage(ctx, &runtime.Message{SessionID: s.ID, Sender: runtime.SenderUser, Content: "x"}); err != nil {
		t.Fatal(err)
	}
	if got := next(); !slices.Equal(got, []runtime.SessionID{s.ID}) {
		t.Fatalf("node B heard %v; want %v", got, s.ID)
	}
	// Its own writes are not announced back to it; A's next one is.
	other := newTestSession(t, b)
	if _, err := b.AppendMessage(ctx, &runtime.Message{SessionID: other.ID, Sender: runtime.SenderUser, Content: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := a.DeleteSession(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if got := next(); !slices.Equal(got, []runtime.SessionID{s.ID}) {
		t.Fatalf("node B heard %v; want the deletion of %v", got, s.ID)
	}

	// Broadcasts.
	ca := startNode(t, a, "node-c", 10*time.Second)
	ca.Broadcast(&runtime.Event{Type: runtime.EventTyping, SessionID: other.ID, Sender: runtime.SenderBot, Active: true})
	select {
	case e := <-cb.Events():
		if e.Type != runtime.EventTyping || e.SessionID != other.ID || !e.Active {
			t.Fatalf("broadcast arrived as %+v", e)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the broadcast did not arrive")
	}

	// The wake-up connection is cut: node B is told to re-read.
	var pid int
	if err := b.read.GetContext(ctx, &pid, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, "parley-listen-"+cb.node); err != nil {
		t.Fatal(err)
	}
	if _, err := b.read.ExecContext(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	if got := next(); got != nil {
		t.Fatalf("after the cut node B heard %v; want nil (re-read everything)", got)
	}
}

func TestClusterNeedsPostgresAndANodeID(t *testing.T) {
	ctx := context.Background()
	if _, err := openTest(t).StartCluster(ctx, ClusterConfig{NodeID: "a"}); err == nil {
		t.Error("SQLite joined a cluster")
	}
	schematest.Require(t)
	db := testBackends[1].open(t)
	for _, id := range []string{"", "a b", "a|b", "a'b", string(make([]byte, 65))} {
		if _, err := db.StartCluster(ctx, ClusterConfig{NodeID: id}); err == nil {
			t.Errorf("node id %q accepted", id)
		}
	}
}
