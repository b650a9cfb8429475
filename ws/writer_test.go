package ws_test

import (
	"context"
	"fmt"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"parley/runtime"
	"parley/ws"
)

// No lost wakeup: a socket's writer exists only while it has something to
// write, and an event queued while the writer decides to exit must still
// be written. Each round, several goroutines queue an event for the socket
// at once, while its writer is idle or exiting after the previous round;
// the client must read every one of them, each producer's in its order.
// An event stranded in the queue with no writer to come leaves the client
// waiting, and the test fails after waitFor.
func TestWriterNoLostWakeup(t *testing.T) {
	t.Parallel()
	const producers, rounds = 4, 400
	s := newServer(t, silent, runtime.Config{QueueSize: 2 * producers}, ws.Config{})
	conn := s.dial(t, "", "alice")
	read(t, conn) // connected
	sub := <-s.subs

	last := make(map[string]int)
	for r := range rounds {
		var start, wg sync.WaitGroup
		start.Add(1)
		for p := range producers {
			wg.Go(func() {
				start.Wait()
				err := runtime.Errorf(runtime.KindInvalid, "%d %d", p, r)
				sub.Offer(runtime.ErrorEvent(sub.Session.ID, err, ""))
			})
		}
		start.Done()
		wg.Wait()
		for range producers {
			f := read(t, conn) // fails after waitFor: an event was stranded
			var p, n int
			if _, err := fmt.Sscanf(f["message"].(string), "%d %d", &p, &n); err != nil || n != r {
				t.Fatalf("round %d: frame %v", r, f)
			}
			key := fmt.Sprint(p)
			if prev, ok := last[key]; ok && prev != r-1 {
				t.Fatalf("producer %d: round %d after %d", p, r, prev)
			}
			last[key] = r
		}
	}
}

// ServeHTTP returns once the socket is greeted, and the socket lives on
// in one goroutine of its own, its reader: an idle socket holds neither
// the handler's goroutine nor the request. The socket still reads and
// writes after that.
func TestHandlerReturnsAfterGreeting(t *testing.T) {
	// Not parallel: it counts the goroutines of the whole test binary.
	s := newServer(t, echo, runtime.Config{}, ws.Config{})
	const n = 8
	conns := make([]*websocket.Conn, n)
	var sid string
	for i := range conns {
		conns[i] = s.dial(t, "", "alice")
		sid = read(t, conns[i])["session_id"].(string)
	}
	for range n {
		select {
		case <-s.returned:
		case <-time.After(waitFor):
			t.Fatal("ServeHTTP did not return after the greeting")
		}
	}
	var dump strings.Builder
	pprof.Lookup("goroutine").WriteTo(&dump, 2)
	if got := strings.Count(dump.String(), "ws.(*Handler).ServeHTTP"); got != 0 {
		t.Fatalf("%d goroutines are still in ServeHTTP:\n%s", got, dump.String())
	}
	// A socket's goroutine that has not run yet shows only the wrapper
	// of the go statement in start.
	got := strings.Count(dump.String(), "ws.(*connection).run(") + strings.Count(dump.String(), "ws.(*connection).start.gowrap")
	if got != n {
		t.Fatalf("%d socket goroutines for %d sockets:\n%s", got, n, dump.String())
	}
	last := conns[n-1]
	write(t, last, map[string]string{"type": "message", "content": "still here", "session_id": sid})
	for {
		if f := read(t, last); f["sender"] == "bot" && f["content"] == "echo: still here" {
			return
		}
	}
}

// Shutdown (Hub.Close) ends every socket: the frames queued before the
// end, the shutting_down status last, are written, then the socket closes
// with 1001, and the server is done with it.
func TestShutdownDrainsThenCloses(t *testing.T) {
	t.Parallel()
	s := newServer(t, silent, runtime.Config{}, ws.Config{})
	conn := s.dial(t, "", "alice")
	read(t, conn) // connected
	sub := <-s.subs
	for i := range 3 { // queued, not yet written, when the hub closes
		sub.Offer(runtime.ErrorEvent(sub.Session.ID, runtime.Errorf(runtime.KindInvalid, "queued %d", i), ""))
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	go s.hub.Close(ctx)
	var got []string
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			if code := websocket.CloseStatus(err); code != websocket.StatusGoingAway {
				t.Fatalf("closed with %d (%v), want 1001; frames %q", code, err, got)
			}
			break
		}
		got = append(got, string(data))
	}
	if len(got) != 4 || !strings.Contains(got[0], "queued 0") || !strings.Contains(got[2], "queued 2") ||
		!strings.Contains(got[3], `"shutting_down"`) {
		t.Fatalf("frames before the close: %q, want the 3 queued then shutting_down", got)
	}
	waitEnded(t, s)
}
