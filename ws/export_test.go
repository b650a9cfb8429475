package ws

import "parley/runtime"

// OnEnd makes h call f each time a socket is done with (closed, its
// subscription and slot released): tests wait on it, since ServeHTTP
// returns once a socket is greeted.
func OnEnd(h *Handler, f func()) { h.onEnd = f }

// OnStart makes h call f with each greeted socket's subscription before
// it reads the first client frame, so that a test can queue events for
// that socket alone (Subscription.Offer) as fast as it likes.
func OnStart(h *Handler, f func(*runtime.Subscription)) { h.onStart = f }
