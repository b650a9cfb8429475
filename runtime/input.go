package runtime

// input is one thing for a conversation's dialog goroutine to do
// (worker.go): step the dialog with a stored user message, or one of the
// other kinds below. Every input goes through the same queue, so the
// dialog sees them in the order they were accepted.
type input struct {
	kind  inputKind
	msg   *Message // inputMessage: the stored user message
	offer *offer   // inputOffer: the message offered unstored (early.go)
}

type inputKind uint8

const (
	// inputMessage steps the dialog with a stored user message.
	inputMessage inputKind = iota
	// inputStart starts a new conversation's dialog (its first run).
	inputStart
	// inputResume brings the dialog back from the store and carries on
	// with what is stored and not yet taken: after a restart, on taking
	// over from another node, or to retry after a failure.
	inputResume
	// inputEvict drops the dialog from memory; its journal brings it back.
	inputEvict
	// inputOffer steps a dialog parked in HEAR with a user message not
	// yet stored, which its commit stores with the answer (early.go).
	inputOffer
	// inputSkip takes a stored user message without the dialog hearing
	// it: the bot was off when it was stored (Session.BotOff).
	inputSkip
)

// The inputs that carry nothing but their kind.
var (
	startInput  = input{kind: inputStart}
	resumeInput = input{kind: inputResume}
	evictInput  = input{kind: inputEvict}
)

// messageInput is the input for a stored user message.
func messageInput(m *Message) input { return input{kind: inputMessage, msg: m} }
