package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"parley/runtime"
	"parley/schema"
	"parley/schema/schematest"
)

// One wake-up naming several conversations, on PostgreSQL: another node
// stores messages in each of them, then a single NOTIFY names them all,
// as its group committer's transaction does when one batch wrote to
// several. This node reads them (one query for the batch) and each
// conversation's socket here gets every message once, in seq order: the
// client checks each frame follows the last, and a later message comes
// right after them, so nothing was repeated.
func TestClusterCatchUpOneWakeUp(t *testing.T) {
	dbURL := schematest.URL(t) // skips without PARLEY_TEST_DATABASE_URL
	cfg := testConfig(t)
	cfg.DatabaseURL, cfg.NodeID = dbURL, "catchup-b" // the schema is the test's own
	node := mustStart(t, cfg)

	// The other node: a store on the same schema that announces nothing
	// by itself, and the connection its NOTIFY goes on.
	ctx := context.Background()
	other, err := schema.Open(ctx, schema.Config{Driver: "postgres", DSN: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	raw, err := sql.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var schemaName string
	if err := raw.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schemaName); err != nil {
		t.Fatal(err)
	}
	wakeUp := func(ids []string) {
		t.Helper()
		payload := "catchup-a|" + strings.Join(ids, ",")
		if _, err := raw.ExecContext(ctx, `SELECT pg_notify($1, $2)`, "parley "+schemaName, payload); err != nil {
			t.Fatal(err)
		}
	}

	const convs = 5
	var clients []*wsClient
	var ids []string
	for i := range convs {
		c, hello := mustDial(t, node, "bot_id=echo", tokenFor(t, fmt.Sprint("catchup-user-", i)))
		clients, ids = append(clients, c), append(ids, hello.SessionID)
	}
	store := func(i int, content string) {
		t.Helper()
		m := &runtime.Message{SessionID: runtime.SessionID(ids[i]), Sender: runtime.SenderAgent, SenderName: "Ann", Content: content}
		if _, err := other.AppendMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	// A few messages in each conversation, more in the first than one
	// read of a catch-up brings.
	for i := range convs {
		n := 2 + i
		if i == 0 {
			n = 40
		}
		for k := range n {
			store(i, fmt.Sprintf("c%d m%d", i, k))
		}
	}
	wakeUp(ids)
	for i, c := range clients {
		n := 2 + i
		if i == 0 {
			n = 40
		}
		for k := range n {
			if f := c.expectMessage("agent", fmt.Sprintf("c%d m%d", i, k)); f.Seq != int64(k+1) {
				t.Fatalf("conversation %d: message %d has seq %d", i, k, f.Seq)
			}
		}
	}
	// Once: the next message each socket gets is the next one stored.
	for i := range convs {
		store(i, fmt.Sprintf("c%d last", i))
	}
	wakeUp(ids)
	for i, c := range clients {
		c.expectMessage("agent", fmt.Sprintf("c%d last", i))
	}
}
