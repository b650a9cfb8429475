// Package runtime is Parley's domain and session engine. Start here.
//
// The domain types are Session (one conversation between a user and a bot),
// Message (one line of it, with a per-conversation Seq), Bot and Identity
// (who is calling). Errors carry a Kind (see errors.go) that each transport
// maps to its own codes with one table.
//
// The Hub (hub.go) owns the live conversations. Each live conversation has
// one goroutine (conv.go) that serialises everything that happens in it:
// user messages are stored, published and then fed to the dialog, whose
// outputs are stored and published in turn. A frame reaches a subscriber only
// after its row has committed. Subscribers have bounded queues, one per
// socket (socket.go; an SSE stream of rest is a socket that only reads),
// shared by the subscriptions of the conversations the socket follows
// (follow.go); a socket that falls behind is dropped and catches up from
// Seq when it reconnects. A socket may also start with no conversation
// and follow only those it joins (Socket, roomsocket.go: Socket.IO's).
//
// The people of a conversation see each other type and read (people.go):
// events that are not rows, published to the others' sockets and
// broadcast to the other nodes. They see each other come online and go
// offline (presence.go, presence_nodes.go), and hear of messages in their
// conversations their socket does not follow (notify.go); the hub's
// registry (registry.go) knows who is here. The support desk (support.go)
// lists, assigns and resolves conversations; a bot hands one to it with
// TRANSFER (transfer.go), which waits, durably, until people end the
// handover, while user messages are theirs; the bot can also be switched
// off (botswitch.go).
//
// The support desk (support.go) lists the queue and assigns
// conversations; a bot's TRANSFER hands one over and waits (transfer.go);
// the desk's statistics are defined in supportstats.go, and the optional
// round robin of agents online in autoassign.go.
//
// The caller's feed (feed.go) reads the store's feed rows, written in the
// transaction of each message and conversation change, through the access
// rule, woken by publishes and the cluster's changes.
// Clients without a socket chat through Hub.Chat (chat.go): one message
// sent as a socket sends it, the turn's answer waited for or given in
// pieces as it is written (chat_stream.go). The inbox's unread counts are
// inbox.go.
// The support app's interface (package supportapp) finds a user's one
// open conversation with support (supportapp.go), reads read marks and
// unread counts (readmarks.go), lists the desk across statuses (desk.go)
// and names people by the users the server has seen (users.go).
//
// runtime imports only the standard library. The adapters meet here through
// the interfaces it consumes: Store (schema), DialogEngine (dialogs),
// Fetcher (outbound, the HTTP requests of scripts) and Authenticator
// (rest's JWTs and API keys); ws and rest call the Hub, and read who is
// calling with package inbound. runtime keeps what the domain decides:
// who may reach a conversation (auth.go) and tickets, which bot.yaml
// http_allow entries are valid (http_allow.go), and the journaling of
// each request's outcome (host_http.go).
//
// Concurrency invariants:
//   - A conversation's appends (user and bot messages) are serialised by
//     conv.mu, held across the store's commit, the publish that follows
//     and, for user messages, the hand-off to the dialog goroutine. So
//     publish order is seq order, the dialog gets user messages in seq
//     order, and a new subscriber's snapshot (LastSeq, suggestions) taken
//     under conv.mu is exact.
//   - Each live conversation has at most one dialog goroutine at a time
//     (worker.go) that steps its Dialog with stored user messages, one at
//     a time; it runs while there is work and exits when the queue is
//     empty, so an idle conversation holds no goroutine. The DialogHost
//     methods the script calls run on that goroutine while Step runs.
//   - Publishing never blocks: a subscriber whose queue is full is dropped.
//     A transport may ask to be woken when its socket's queue gets an
//     event or the socket ends (Subscription.Notify, socket.go) instead of
//     parking a goroutine on it; the waker runs under conv.mu and must not
//     block.
//   - Lock order: a Hub.joinMu stripe, then a Hub.presenceMu stripe, then
//     Hub.mu, then conv.mu, then conv.inMu or the registry's mu, then a
//     socket's mu. Nothing takes a second conv.mu while holding one.
package runtime
