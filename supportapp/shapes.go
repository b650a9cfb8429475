package supportapp

import (
	"encoding/json"
	"strings"
	"time"

	"parley/runtime"
)

// The app's JSON shapes, exactly as its clients read them (field names
// such as _id, senderId, first_name are theirs, not Parley's). Each is
// built from runtime values by a function of this file; docs/socketio.md
// states the mapping rules.

// TimeLayout is the app's time format: ISO 8601 in UTC with milliseconds,
// as JavaScript's Date.toISOString writes it.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// Time formats t as the app does; the zero time is "".
func Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeLayout)
}

// The app's roles.
const (
	RoleUser    = "User"
	RoleSupport = "Support"
	RoleAdmin   = "Admin"
)

// Role is the app's name of a Parley role: agents are its Support.
func Role(parleyRole string) string {
	switch parleyRole {
	case runtime.RoleAgent:
		return RoleSupport
	case runtime.RoleAdmin:
		return RoleAdmin
	}
	return RoleUser
}

// User is a person as the app shows one. Parley keeps one display name;
// FirstName is its first word and LastName the rest. Phone is never set
// (Parley has none) and so omitted; IsOnline only where the app lists it.
type User struct {
	ID        string `json:"_id"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Role      string `json:"role"`
	Phone     string `json:"phone,omitempty"`
	IsOnline  *bool  `json:"isOnline,omitempty"`
}

// UserOf is the user id, with display name name and Parley role role. A
// user without a name is called by their id.
func UserOf(id, name, role string) User {
	first, last := splitName(name)
	if first == "" {
		first = id
	}
	return User{ID: id, FirstName: first, LastName: last, Role: Role(role)}
}

// WithOnline is u with isOnline set.
func (u User) WithOnline(online bool) User {
	u.IsOnline = &online
	return u
}

// splitName cuts a display name at its first run of spaces.
func splitName(name string) (first, last string) {
	fields := strings.Fields(name)
	if len(fields) == 0 {
		return "", ""
	}
	return fields[0], strings.Join(fields[1:], " ")
}

// BotUserID is the user id a bot's messages carry: "bot:<bot id>".
func BotUserID(bot runtime.BotID) string { return "bot:" + string(bot) }

// BotUser is a bot as the sender of its messages. It is Support: the
// farmer's app shows support on the other side, and the bot answers for
// support until it hands the conversation over.
func BotUser(bot runtime.BotID, name string) User {
	if name == "" {
		name = string(bot)
	}
	return User{ID: BotUserID(bot), FirstName: name, LastName: "", Role: RoleSupport}
}

// Media is a file as the app shows one. Type is the attachment's kind
// (image, audio, video, file); Format is the subtype of its sniffed
// content type ("png" of image/png); URL is Parley's GET /api/uploads/{id},
// read with the caller's credentials.
type Media struct {
	ID     string `json:"_id"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	URL    string `json:"url"`
	Format string `json:"format"`
	Size   int64  `json:"size"`
}

// MediaOf is an attachment of a message as the app's media.
func MediaOf(a runtime.Attachment) Media {
	url := a.URL
	if url == "" {
		url = runtime.UploadURL(a.ID)
	}
	return Media{ID: a.ID, Name: a.Name, Type: a.Kind, URL: url, Format: formatOf(a.ContentType), Size: a.Size}
}

// MediaOfUpload is a stored upload as the app's media.
func MediaOfUpload(up *runtime.Upload) Media {
	return MediaOf(runtime.AttachmentOf(up))
}

// formatOf is the subtype of a content type, without parameters.
func formatOf(contentType string) string {
	ct, _, _ := strings.Cut(contentType, ";")
	_, sub, _ := strings.Cut(strings.TrimSpace(ct), "/")
	return sub
}

// AttachmentsOf reads the attachments a message stores; a message
// without any, or with unreadable ones, has none.
func AttachmentsOf(m *runtime.Message) []runtime.Attachment {
	if len(m.Attachments) == 0 {
		return nil
	}
	var list []runtime.Attachment
	if json.Unmarshal(m.Attachments, &list) != nil {
		return nil
	}
	return list
}

// Message types.
const (
	TypeText  = "text"
	TypeImage = runtime.AttachmentImage
	TypeAudio = runtime.AttachmentAudio
	TypeVideo = runtime.AttachmentVideo
	TypeFile  = runtime.AttachmentFile
)

// Message is a message as the app's message:new carries it and the REST
// API answers with. MessageType is "text" without attachments, else the
// kind of the first one; Media is omitted when there are none. IsRead:
// someone other than the sender has read up to it.
type Message struct {
	ID             string  `json:"_id"`
	ConversationID string  `json:"conversationId"`
	SenderID       User    `json:"senderId"`
	MessageType    string  `json:"messageType"`
	Content        string  `json:"content"`
	Media          []Media `json:"media,omitempty"`
	IsRead         bool    `json:"isRead"`
	CreatedAt      string  `json:"createdAt"`
	// ClientID is the client's idempotency key, when it gave one: the
	// app's clientId, which lets a sender match its echo.
	ClientID string `json:"clientId,omitempty"`
}

// MessageOf is m, written by sender (SenderOf), as the app shows it;
// isRead says whether someone other than the sender has read it (IsRead).
func MessageOf(m *runtime.Message, sender User, isRead bool) Message {
	out := Message{
		ID: m.ID, ConversationID: string(m.SessionID), SenderID: sender,
		MessageType: TypeText, Content: m.Content, IsRead: isRead,
		CreatedAt: Time(m.CreatedAt), ClientID: m.ClientID,
	}
	for i, a := range AttachmentsOf(m) {
		if i == 0 && a.Kind != "" {
			out.MessageType = a.Kind
		}
		out.Media = append(out.Media, MediaOf(a))
	}
	return out
}

// SenderOf is who wrote m in conversation s, as seen by viewer; botName
// is the name of s's bot. The bot's messages are BotUser. A person's
// message records its author's user id (Message.SenderID) and display
// name: a user's is User, an agent's Support, an admin's Admin when the
// viewer is that admin (View.Messages knows the others' roles). Messages
// stored before Parley kept the id name their author only, so for those
// the id is derived: a user's are the owner's (s.UserID), the only user
// of an app conversation; an agent's are the viewer's own when the
// viewer is a desk worker whose name they carry, else the assigned
// agent's, else the author's name stands for the id.
func SenderOf(m *runtime.Message, s *runtime.Session, viewer runtime.Identity, botName string) User {
	switch {
	case m.Sender == runtime.SenderBot:
		return BotUser(s.BotID, botName)
	case m.SenderID != "" && m.Sender == runtime.SenderAgent:
		role := runtime.RoleAgent
		if m.SenderID == viewer.UserID {
			role = viewer.Role
		}
		return UserOf(m.SenderID, m.SenderName, role)
	case m.SenderID != "":
		return UserOf(m.SenderID, nameOf(m, s), runtime.RoleUser)
	case m.Sender == runtime.SenderAgent:
		return agentOf(m.SenderName, s, viewer)
	}
	return UserOf(s.UserID, nameOf(m, s), runtime.RoleUser)
}

// nameOf is the display name of a user's message: a name that is only
// the owner's id (they had none) gives way to the conversation's.
func nameOf(m *runtime.Message, s *runtime.Session) string {
	if m.SenderName == m.SenderID || m.SenderName == s.UserID {
		if m.SenderID == "" || m.SenderID == s.UserID {
			return s.UserName
		}
		return ""
	}
	return m.SenderName
}

// agentOf is the desk worker called name in s, as seen by viewer.
func agentOf(name string, s *runtime.Session, viewer runtime.Identity) User {
	deskViewer := viewer.Role == runtime.RoleAgent || viewer.Role == runtime.RoleAdmin
	switch {
	case deskViewer && viewer.UserID != s.UserID && (name == viewer.Name || name == viewer.UserID):
		return UserOf(viewer.UserID, viewer.Name, viewer.Role)
	case name == s.AssignedAgent:
		return UserOf(s.AssignedAgent, "", runtime.RoleAgent)
	case s.AssignedAgent != "":
		return UserOf(s.AssignedAgent, name, runtime.RoleAgent)
	}
	return UserOf(name, name, runtime.RoleAgent)
}

// IsRead reports whether someone other than senderID has read m: marks
// are the read marks of the conversation's people (user id → seq).
func IsRead(m *runtime.Message, senderID string, marks map[string]int64) bool {
	for user, seq := range marks {
		if user != senderID && seq >= m.Seq {
			return true
		}
	}
	return false
}

// Conversation is a conversation as the app lists it and POST
// /conversations answers. Status is Parley's support status ("" reads as
// open); AssignedSupportID is the assigned agent or null; UnreadCount is
// the caller's unread messages (capped at runtime.MaxUnread).
type Conversation struct {
	ID                string `json:"_id"`
	UserID            User   `json:"userId"`
	AssignedSupportID *User  `json:"assignedSupportId"`
	Status            string `json:"status"`
	UnreadCount       int    `json:"unreadCount"`
	CreatedAt         string `json:"createdAt"`
	UpdatedAt         string `json:"updatedAt"`
	// LastMessage is the newest message, where the list has it.
	LastMessage *Message `json:"lastMessage,omitempty"`
}

// ConversationOf is s as the app shows it: owner is its user (OwnerOf),
// agent the assigned agent (nil: none), unread the caller's count.
func ConversationOf(s *runtime.Session, owner User, agent *User, unread int) Conversation {
	return Conversation{
		ID: string(s.ID), UserID: owner, AssignedSupportID: agent,
		Status: StatusOf(s), UnreadCount: unread,
		CreatedAt: Time(s.CreatedAt), UpdatedAt: Time(s.LastActivity),
	}
}

// OwnerOf is the user who started s.
func OwnerOf(s *runtime.Session) User {
	return UserOf(s.UserID, s.UserName, runtime.RoleUser)
}

// AssignedOf is the agent s is assigned to, nil when none; name is
// their display name when known ("": they are called by their id).
func AssignedOf(s *runtime.Session, name string) *User {
	if s.AssignedAgent == "" {
		return nil
	}
	u := UserOf(s.AssignedAgent, name, runtime.RoleAgent)
	return &u
}

// StatusOf is s's support status; "" reads as open.
func StatusOf(s *runtime.Session) string {
	if s.SupportStatus == "" {
		return runtime.SupportOpen
	}
	return s.SupportStatus
}
