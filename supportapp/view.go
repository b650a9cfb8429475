package supportapp

import (
	"context"
	"slices"

	"parley/runtime"
)

// View builds the app's shapes as one caller sees them, from the hub's
// state: who is online, the read marks that make isRead, the caller's
// unread counts. Both transports use it, so a message or a conversation
// reads the same on Socket.IO and REST. A View is for one request or
// event; it is not safe for concurrent use.
type View struct {
	Hub    *runtime.Hub
	Viewer runtime.Identity

	online []string // sorted; read once, when first needed
	read   bool
}

// NewView returns the view of viewer.
func NewView(hub *runtime.Hub, viewer runtime.Identity) *View {
	return &View{Hub: hub, Viewer: viewer}
}

// Online reports whether user has a socket open, as far as this node
// knows (runtime presence).
func (v *View) Online(user string) bool {
	if !v.read {
		v.online, v.read = v.Hub.Online(""), true
	}
	_, found := slices.BinarySearch(v.online, user)
	return found
}

// Conversation is s as the viewer sees it; last, when not nil, is its
// newest message.
func (v *View) Conversation(ctx context.Context, s *runtime.Session, last *runtime.Message) (Conversation, error) {
	unread, err := v.Hub.Unread(ctx, v.Viewer, s)
	if err != nil {
		return Conversation{}, err
	}
	owner := OwnerOf(s).WithOnline(v.Online(s.UserID))
	c := ConversationOf(s, owner, v.assigned(s), unread)
	if last != nil {
		m := v.Messages(s, []*runtime.Message{last})[0]
		c.LastMessage = &m
	}
	return c, nil
}

// assigned is s's agent, called by their name when the viewer is them
// (Parley knows other people's names only from their messages).
func (v *View) assigned(s *runtime.Session) *User {
	name := ""
	if s.AssignedAgent == v.Viewer.UserID {
		name = v.Viewer.Name
	}
	u := AssignedOf(s, name)
	if u != nil {
		*u = u.WithOnline(v.Online(u.ID))
	}
	return u
}

// Messages are msgs of s as the viewer sees them, in the same order.
func (v *View) Messages(s *runtime.Session, msgs []*runtime.Message) []Message {
	marks := v.Hub.ReadMarks(s)
	bot := v.botName(s.BotID)
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		sender := SenderOf(m, s, v.Viewer, bot)
		out[i] = MessageOf(m, sender, IsRead(m, sender.ID, marks))
	}
	return out
}

// Message is m of s as the viewer sees it.
func (v *View) Message(s *runtime.Session, m *runtime.Message) Message {
	return v.Messages(s, []*runtime.Message{m})[0]
}

func (v *View) botName(id runtime.BotID) string {
	if b, err := v.Hub.Bot(id); err == nil {
		return b.Name
	}
	return string(id)
}
