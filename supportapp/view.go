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
	people map[string]runtime.Identity // names read by Learn
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

// Learn reads the names of the users ids that the view does not know
// yet, in one query (Hub.People); users the server has not seen stay
// unnamed and are called by their id.
func (v *View) Learn(ctx context.Context, ids ...string) error {
	if v.people == nil {
		v.people = map[string]runtime.Identity{v.Viewer.UserID: v.Viewer}
	}
	var missing []string
	for _, id := range ids {
		if _, ok := v.people[id]; !ok && id != "" && !slices.Contains(missing, id) {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	for len(missing) > 0 {
		batch := missing[:min(len(missing), learnBatch)]
		missing = missing[len(batch):]
		found, err := v.Hub.People(ctx, batch)
		if err != nil {
			return err
		}
		for _, id := range batch {
			v.people[id] = found[id] // the zero Identity: not seen, no name
		}
	}
	return nil
}

// learnBatch is how many users one query of Learn reads.
const learnBatch = 500

// Name is the display name of user, "" when unknown (Learn first).
func (v *View) Name(user string) string { return v.people[user].Name }

// Conversation is s as the viewer sees it; last, when not nil, is its
// newest message.
func (v *View) Conversation(ctx context.Context, s *runtime.Session, last *runtime.Message) (Conversation, error) {
	if err := v.Learn(ctx, s.AssignedAgent); err != nil {
		return Conversation{}, err
	}
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

// assigned is s's agent, by the name Learn read.
func (v *View) assigned(s *runtime.Session) *User {
	u := AssignedOf(s, v.Name(s.AssignedAgent))
	if u != nil {
		*u = u.WithOnline(v.Online(u.ID))
	}
	return u
}

// Messages are msgs of s as the viewer sees them, in the same order. An
// agent's message is an Admin's when Learn knows its author as one.
func (v *View) Messages(s *runtime.Session, msgs []*runtime.Message) []Message {
	marks := v.Hub.ReadMarks(s)
	bot := v.botName(s.BotID)
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		sender := SenderOf(m, s, v.Viewer, bot)
		if sender.Role == RoleSupport && v.people[sender.ID].Role == runtime.RoleAdmin {
			sender.Role = RoleAdmin
		}
		out[i] = MessageOf(m, sender, IsRead(m, sender.ID, marks))
	}
	return out
}

// LearnAuthors is Learn for the people who wrote msgs as desk workers,
// so that Messages tells an admin's messages from an agent's.
func (v *View) LearnAuthors(ctx context.Context, msgs []*runtime.Message) error {
	var ids []string
	for _, m := range msgs {
		if m.Sender == runtime.SenderAgent && m.SenderID != "" {
			ids = append(ids, m.SenderID)
		}
	}
	return v.Learn(ctx, ids...)
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
