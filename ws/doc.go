// Package ws serves Parley's WebSocket endpoint, /ws (protocol §3), on
// github.com/coder/websocket. Start at handler.go: ServeHTTP authenticates
// the request, checks its origin, joins a conversation through the
// runtime.Hub, greets the socket and returns; the socket then lives in
// one goroutine of its own (conn.go), so that an idle socket costs about
// what a bare WebSocket echo server's does: one parked goroutine and the
// connection's buffers, not the request nor net/http's state for it.
//
//   - the reader (conn.go) decodes client frames (frame.go) and calls the
//     runtime; errors that concern one frame become error frames and the
//     socket stays open; join and leave frames make the socket follow
//     more conversations than its first, or fewer (follow.go). When the
//     connection ends it releases the subscription and the socket's slot;
//     Handler.Wait waits for every reader to have done so;
//   - the writer (writer.go) exists only while there is something to
//     write: the subscription wakes it (runtime.Subscription.Notify) when
//     it queues an event or ends, and one writer at a time sends the
//     events in order, with a write timeout, and closes the socket when
//     the subscription ends (slow reader, shutdown, deletion), after the
//     frames queued before the end;
//   - a timer pings the socket (ping.go).
//
// Close codes come from one table (close.go). ws imports only runtime and inbound.
package ws
