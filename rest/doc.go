// Package rest serves Parley's JSON API under /api (protocol §4) on the
// standard ServeMux. Start at handler.go: the routes, the auth middleware
// (auth.go: a bearer JWT from jwt.go or an API key) that puts the caller's
// runtime.Identity into the request context, and the handlers, which only
// parse, call the runtime.Hub and encode. Errors become
// {"error":CODE,"message":…} through one Kind→status table (errors.go);
// a path routed for other methods is 405 with Allow (unrouted.go), and
// bodies are read by decode.go, which refuses unknown fields. Chat with a
// bot without a socket is chat.go and chat_stream.go (runtime.Hub.Chat);
// a user's conversations with one bot and the inbox, botconversations.go;
// teams of bots, teams.go. openapi.json (served by openapi.go) describes
// every route; a test holds it against the ServeMux's patterns (mux.go).
//
// A conversation's frames also stream as Server-Sent Events (events.go,
// sse.go): a stream subscribes through Hub.Join as a /ws socket does, and
// writes each event with package wire's encoder, so both channels carry
// the same bytes in the same order.
//
// rest also implements two runtime interfaces that cmd hands to ws as
// well: JWT (runtime.Authenticator) and Limiter (runtime.Limiter, the
// token buckets of protocol §4). rest imports only runtime, inbound and wire.
package rest
