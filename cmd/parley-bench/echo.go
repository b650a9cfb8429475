package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"
)

// The bare echo server: the baseline every Parley number is divided by.
// It speaks just enough of protocol §3 for the same generator code to
// drive it, with nothing behind the socket but memory: no auth check, no
// storage, no script, no hub. A message frame is answered as Parley's
// echo bot answers it, with the same two frames (the user message, then
// the bot's copy of it) sent to every socket of the conversation. Sockets
// that pass session_id share a room (fanout). History is served from
// memory in Parley's shape.

type echoServer struct {
	srv     *http.Server
	base    string
	sockets atomic.Int64

	mu    sync.Mutex
	rooms map[string]*room
}

type room struct {
	id    string
	mu    sync.Mutex
	conns map[*websocket.Conn]struct{}
	seq   int64          // the last message's
	msgs  []messageFrame // the last ones, historyKeep to 2 × historyKeep of them
}

// messageFrame is Parley's message frame (protocol §3).
type messageFrame struct {
	Type      string `json:"type"`
	ID        string `json:"id"`
	Seq       int64  `json:"seq"`
	SessionID string `json:"session_id"`
	Sender    string `json:"sender"`
	Content   string `json:"content"`
	Timestamp string `json:"timestamp"`
	ClientID  string `json:"client_id,omitempty"`
}

// startEcho serves the bare echo server on 127.0.0.1:0.
func startEcho() (*echoServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	e := &echoServer{rooms: map[string]*room{}, base: "http://" + ln.Addr().String()}
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", e.serveWS)
	mux.HandleFunc("GET /api/conversations/{id}/history", e.serveHistory)
	e.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go e.srv.Serve(ln)
	return e, nil
}

func (e *echoServer) close() { e.srv.Close() }

// target drives the echo server like Parley; its heap is this process's.
func (e *echoServer) target() *target {
	return &target{
		name:  "bare echo",
		base:  e.base,
		token: func(string) string { return "" },
		heap:  func(context.Context) (memSample, error) { return localHeap(), nil },
		gauge: e.gauge,
	}
}

// gauge answers parley_sockets; the echo server has no conversations or
// dialogs to count, so every other gauge is 0.
func (e *echoServer) gauge(_ context.Context, name string) (float64, error) {
	if name == "parley_sockets" {
		return float64(e.sockets.Load()), nil
	}
	return 0, nil
}

// serveWS runs one socket: the connected frame, then an echo per message.
func (e *echoServer) serveWS(w http.ResponseWriter, r *http.Request) {
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	e.sockets.Add(1)
	defer e.sockets.Add(-1)
	defer conn.CloseNow()
	rm := e.join(r.URL.Query().Get("session_id"), conn)
	defer e.leave(rm, conn)
	hello, _ := json.Marshal(map[string]any{"type": "status", "status": "connected",
		"session_id": rm.id, "bot_id": "echo", "last_seq": 0, "anonymous": false})
	if err := conn.Write(r.Context(), websocket.MessageText, hello); err != nil {
		return
	}
	for {
		_, data, err := conn.Read(r.Context())
		if err != nil {
			return
		}
		var in struct{ Type, Content, ClientID string }
		if json.Unmarshal(data, &in) != nil || in.Type != "message" {
			continue
		}
		rm.publish(r.Context(), "user", in.Content, in.ClientID)
		rm.publish(r.Context(), "bot", in.Content, "")
	}
}

// join adds conn to room id, or to a new room when id is empty or unknown.
func (e *echoServer) join(id string, conn *websocket.Conn) *room {
	e.mu.Lock()
	defer e.mu.Unlock()
	rm := e.rooms[id]
	if rm == nil {
		rm = &room{id: uuid.NewString(), conns: map[*websocket.Conn]struct{}{}}
		e.rooms[rm.id] = rm
	}
	rm.mu.Lock()
	rm.conns[conn] = struct{}{}
	rm.mu.Unlock()
	return rm
}

// leave removes conn; an empty room is forgotten, as Parley forgets an
// unfollowed conversation only after eviction.
func (e *echoServer) leave(rm *room, conn *websocket.Conn) {
	e.mu.Lock()
	defer e.mu.Unlock()
	rm.mu.Lock()
	defer rm.mu.Unlock()
	delete(rm.conns, conn)
	if len(rm.conns) == 0 {
		delete(e.rooms, rm.id)
	}
}

// historyKeep is how many messages a room keeps at least: the most a
// history page asks for. A room kept every message once, so the server's
// heap grew with every turn (about 1.5 million messages after a 30 s
// closed loop), and its garbage collector then set its p99 in the
// half-peak phase that follows, which is the bound Parley's p99 is held
// to (docs/benchmarks.md).
const historyKeep = 100

// publish stores one message and writes its frame to every socket of the
// room, in order (the room lock orders them).
func (rm *room) publish(ctx context.Context, sender, content, clientID string) {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	rm.seq++
	m := messageFrame{Type: "message", ID: uuid.NewString(), Seq: rm.seq, SessionID: rm.id,
		Sender: sender, Content: content, Timestamp: time.Now().UTC().Format(time.RFC3339Nano), ClientID: clientID}
	if len(rm.msgs) == 2*historyKeep {
		kept := make([]messageFrame, historyKeep, 2*historyKeep)
		copy(kept, rm.msgs[historyKeep:])
		rm.msgs = kept
	}
	rm.msgs = append(rm.msgs, m)
	data, _ := json.Marshal(m)
	for c := range rm.conns {
		c.Write(ctx, websocket.MessageText, data)
	}
}

// serveHistory answers GET /api/conversations/{id}/history?limit=N with
// the room's last N messages, oldest first.
func (e *echoServer) serveHistory(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	rm := e.rooms[r.PathValue("id")]
	e.mu.Unlock()
	if rm == nil {
		http.Error(w, `{"error":"not_found"}`, http.StatusNotFound)
		return
	}
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit <= 0 || limit > 100 {
		limit = 50
	}
	rm.mu.Lock()
	from := max(0, len(rm.msgs)-limit)
	page := append([]messageFrame(nil), rm.msgs[from:]...)
	rm.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"messages": page, "has_more": from > 0 || rm.seq > int64(len(rm.msgs))})
}
