package runtime

import "time"

// EventType names what an Event carries; the values are the ws frame types.
type EventType string

const (
	EventMessage    EventType = "message"
	EventTyping     EventType = "typing"
	EventSuggestion EventType = "suggestion"
	EventStatus     EventType = "status"
	EventError      EventType = "error"
	EventRead       EventType = "read"
	// EventNotification tells a socket of a new message (Message) in
	// another conversation (SessionID) of its user (notify.go).
	EventNotification EventType = "notification"
	// EventStream is a bot message still being written, as an LLM reply
	// streams: Message has its ID and the whole text so far (no Seq, not
	// stored), so a socket that joins late catches up with one frame. The
	// EventMessage with the same ID, stored with its Seq, replaces it.
	EventStream EventType = "stream"
	// EventPresence tells the sockets of a conversation that one of its
	// people (User, with Role) came online or went offline (presence.go).
	EventPresence EventType = "presence"
)

// Statuses carried by EventStatus.
const (
	StatusConnected    = "connected"
	StatusShuttingDown = "shutting_down"
	// StatusLeft: the socket stopped following the conversation (a leave
	// frame); no frame of it follows (follow.go).
	StatusLeft = "left"
	// StatusBotOff and StatusBotOn: the bot of the conversation was
	// switched off or on (Hub.SetBot). A message sent after a socket got
	// bot_off is not heard by the bot; after bot_on, it is.
	StatusBotOff = "bot_off"
	StatusBotOn  = "bot_on"
	// The support desk: the conversation entered the support queue
	// (support status waiting), an agent's first socket joined it, an
	// agent resolved it.
	StatusWaitingAgent = "waiting_agent"
	StatusAgentJoined  = "agent_joined"
	StatusResolved     = "resolved"
)

// Event is one thing that happened in a conversation, fanned out to every
// subscriber. Events are shared between subscribers and must not be
// modified after they are published.
type Event struct {
	Type      EventType
	SessionID SessionID

	Message     *Message // EventMessage
	Sender      Sender   // EventTyping
	Active      bool     // EventTyping
	Suggestions []string // EventSuggestion; empty clears
	Status      string   // EventStatus
	// Agent and AgentName: who joined, on StatusAgentJoined.
	Agent, AgentName string

	// People (people.go). User is the person (a user id) whose typing or
	// read receipt this is, "" for the bot's typing; their own sockets do
	// not get it.
	User string // EventTyping, EventRead
	// Name is the display name of the person typing (EventTyping), for
	// transports that show it (Socket.IO's typing:user-typing).
	Name string `json:",omitempty"`
	Seq  int64  // EventRead: read up to here
	// People are the user ids an EventNotification is for (notify.go).
	People []string `json:",omitempty"`

	// EventPresence (presence.go): User came Online or went offline, with
	// Role. Between nodes (presence_nodes.go) the event has no SessionID:
	// it says that User is online or not on the node that broadcast it,
	// Node, which the Cluster sets on delivery; Present, when set, lists
	// everyone online there, to refresh what the other nodes know.
	Role    string     `json:",omitempty"`
	Online  bool       `json:",omitempty"`
	Present []Presence `json:",omitempty"`
	Node    string     `json:"-"`

	// Follow is the subscription of a conversation a socket has just
	// joined (follow.go), on the connected status that starts it: the
	// transport greets the client with it, as it greets a new socket.
	Follow *Subscription `json:"-"`

	// elsewhere marks a message another node stored: that node notifies.
	elsewhere bool

	// EventError
	Code       Kind
	Text       string
	ClientID   string
	RetryAfter time.Duration
}

// ErrorEvent turns err into an error event for one conversation.
func ErrorEvent(sid SessionID, err error, clientID string) *Event {
	return &Event{
		Type:       EventError,
		SessionID:  sid,
		Code:       ErrorKind(err),
		Text:       ErrorMessage(err),
		ClientID:   clientID,
		RetryAfter: RetryAfter(err),
	}
}
