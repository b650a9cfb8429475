package runtime

import "context"

// DialogEngine runs bot scripts (package dialogs implements it).
type DialogEngine interface {
	// Bots lists the loaded bots, sorted by ID. Exactly one is Default.
	Bots() []*Bot
	// NewDialog prepares the dialog of one conversation without running
	// it. The dialog calls host for everything it does.
	NewDialog(s *Session, host DialogHost) (Dialog, error)
}

// Dialog is the running script of one conversation.
//
// Step runs the script until it waits for the next user message (HEAR) or
// returns. input is nil when a conversation starts: the script runs from
// its first line to its first HEAR. Otherwise input is the user message,
// given to the HEAR the script waits in. If the script has returned or
// failed (or never ran, as after a restart), Step runs it again from the
// top and its first HEAR gets input.
//
// A script error is returned as an *Error of KindDialog; the dialog is then
// ready to start again. Step and Close are called from one goroutine.
type Dialog interface {
	Step(ctx context.Context, input *Message) error
	Close()
}

// DialogHost is what a dialog can do to its conversation. Its methods are
// called only while Step runs.
type DialogHost interface {
	// Talk stores and publishes a bot message.
	Talk(ctx context.Context, text string) error
	// Suggest replaces the quick replies in force (empty clears them).
	Suggest(ctx context.Context, suggestions []string) error
	// Typing shows or hides the bot's typing indicator.
	Typing(ctx context.Context, active bool) error
	// GetMemory and SetMemory reach the bot's memory of this user (of this
	// conversation for anonymous visitors). Values are JSON; "" deletes.
	GetMemory(ctx context.Context, key string) (string, bool, error)
	SetMemory(ctx context.Context, key, value string) error
}
