// Package ws serves Parley's WebSocket endpoint, /ws (protocol §3), on
// github.com/coder/websocket. Start at handler.go: ServeHTTP authenticates
// the request, checks its origin, joins a conversation through the
// runtime.Hub and then runs two loops per connection (conn.go):
//
//   - the read loop decodes client frames (frame.go) and calls the
//     runtime; errors that concern one frame become error frames and the
//     socket stays open; join and leave frames make the socket follow
//     more conversations than its first, or fewer (follow.go);
//   - the write loop is the only writer: it sends the subscription's
//     events in order, with a write timeout, and closes the socket when
//     the subscription ends (slow reader, shutdown, deletion).
//
// Close codes come from one table (close.go). ws imports only runtime and inbound.
package ws
