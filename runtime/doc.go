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
// after its row has committed. Subscribers (one per socket) have bounded
// queues; a subscriber that falls behind is dropped and catches up from Seq
// when it reconnects.
//
// runtime imports only the standard library. The adapters meet here through
// the interfaces it consumes: Store (schema), DialogEngine (dialogs) and
// Authenticator (rest); ws and rest call the Hub.
//
// Concurrency invariants:
//   - Only a conversation's own goroutine appends its messages, so Seq is
//     assigned without contention and in publish order.
//   - A Dialog's Step runs on the conversation goroutine; the DialogHost
//     methods it calls back run while that goroutine waits, so they may store
//     and publish without further locking of the conversation.
//   - Lock order: Hub.mu before conv.mu. Neither is held while calling the
//     Store or a Dialog.
package runtime
