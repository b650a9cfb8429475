// Package supportapp is the support app's interface: the Socket.IO events
// and the REST API under /api/v1/chat that the farmer-support apps
// (Flutter and Next.js, written against Socket.IO) speak, served by
// Parley's runtime so that those apps work unchanged (docs/socketio.md).
//
// Start at shapes.go: the app's JSON objects (user, message, media,
// conversation) and the rules that build them from runtime values; view.go
// fills them in for one caller (isRead, unread counts, who is online,
// names). Both transports use them, so a message reads the same on
// Socket.IO and REST. The REST API is rest.go (its routes, with who may
// call each) and the rest_*.go files beside it, one per group of
// endpoints, with the envelopes in rest_reply.go; the Socket.IO server is
// socketio*.go.
//
// Nothing here decides who may do what or stores anything: every call
// goes through runtime.Hub (Send, History, MarkRead, Assign, Upload, …),
// so the access rule, rate limits, idempotency and the cross-node fan-out
// are Parley's own, and a message sent here is the same message on /ws.
// The package imports runtime and inbound (who a request is), never the
// other adapters (rest, ws, schema).
package supportapp
