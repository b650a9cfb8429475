package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// nodeSIODir holds the socket.io-client package the Node test drives
// (.ci/run installs it with npm ci).
const nodeSIODir = "../../supportapp/e2e"

// requireNodeSIO skips without node or the npm package, with a message
// that says how to get them; under PARLEY_CI=1 it fails instead.
func requireNodeSIO(t *testing.T) {
	t.Helper()
	_, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(nodeSIODir, "node_modules", "socket.io-client", "package.json"))
	}
	if err == nil {
		return
	}
	msg := "needs node and socket.io-client: (cd supportapp/e2e && npm ci): " + err.Error()
	if os.Getenv("PARLEY_CI") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// The same chat as TestSocketIOChat with the real socket.io-client
// (supportapp/e2e/chat.mjs), over WebSocket and over long-polling: every
// event between a farmer and an agent, a bad token refused with a
// connect error; then a /ws client of the conversation sees the
// messages the Node client saw, in the same order.
func TestSocketIONode(t *testing.T) {
	requireNodeSIO(t)
	for _, transport := range []string{"websocket", "polling"} {
		t.Run(transport, func(t *testing.T) {
			s, cid := sioServer(t)
			annTok := tokenFor(t, "ann")
			cmd := exec.Command("node", "chat.mjs")
			cmd.Dir = nodeSIODir
			cmd.Env = append(os.Environ(), "URL="+s.URL(), "ANN_TOKEN="+annTok,
				"AG_TOKEN="+tokenWithRole(t, "ag", "agent"), "CID="+cid, "TRANSPORT="+transport)
			out, err := cmd.Output()
			var res struct {
				OK    bool
				IDs   []string
				Error string
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if jerr := json.Unmarshal([]byte(lines[len(lines)-1]), &res); jerr != nil || !res.OK || err != nil {
				t.Fatalf("chat.mjs: %v %s", err, out)
			}
			if len(res.IDs) != 5 {
				t.Fatalf("chat.mjs saw %d messages, want 5: %v", len(res.IDs), res.IDs)
			}
			ws, _ := mustDial(t, s, "session_id="+cid+"&after=0", annTok)
			for i, id := range res.IDs {
				if f := ws.nextMessage(); f.ID != id {
					t.Fatalf("/ws message %d is %s (%q), want %s", i, f.ID, f.Content, id)
				}
			}
		})
	}
}
