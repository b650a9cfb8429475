package supportapp_test

import (
	"encoding/json"
	"testing"
	"time"

	"parley/runtime"
	"parley/supportapp"
)

func TestTime(t *testing.T) {
	at := time.Date(2026, 12, 7, 18, 3, 6, 7_000_000, time.FixedZone("x", 3600))
	if got, want := supportapp.Time(at), "2026-12-07T17:03:06.007Z"; got != want {
		t.Errorf("Time = %q, want %q", got, want)
	}
	if got := supportapp.Time(time.Time{}); got != "" {
		t.Errorf("Time(zero) = %q, want empty", got)
	}
}

func TestRole(t *testing.T) {
	for in, want := range map[string]string{
		runtime.RoleUser: "User", runtime.RoleAgent: "Support", runtime.RoleAdmin: "Admin", "": "User",
	} {
		if got := supportapp.Role(in); got != want {
			t.Errorf("Role(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUserOf(t *testing.T) {
	tests := []struct {
		id, name, role string
		want           string
	}{
		{"u1", "Ada Lovelace King", runtime.RoleUser, `{"_id":"u1","first_name":"Ada","last_name":"Lovelace King","role":"User"}`},
		{"a1", "  Grace  ", runtime.RoleAgent, `{"_id":"a1","first_name":"Grace","last_name":"","role":"Support"}`},
		{"u2", "", runtime.RoleAdmin, `{"_id":"u2","first_name":"u2","last_name":"","role":"Admin"}`},
	}
	for _, tt := range tests {
		assertJSON(t, supportapp.UserOf(tt.id, tt.name, tt.role), tt.want)
	}
	assertJSON(t, supportapp.UserOf("u1", "Ada", "user").WithOnline(false),
		`{"_id":"u1","first_name":"Ada","last_name":"","role":"User","isOnline":false}`)
	assertJSON(t, supportapp.BotUser("echo", "Echo Bot"),
		`{"_id":"bot:echo","first_name":"Echo Bot","last_name":"","role":"Support"}`)
}

func TestMessageOfText(t *testing.T) {
	s := &runtime.Session{ID: "c1", BotID: "echo", UserID: "u1", UserName: "Ada Lovelace"}
	m := &runtime.Message{
		ID: "m1", SessionID: "c1", Seq: 3, Sender: runtime.SenderUser, SenderName: "Ada Lovelace",
		Content: "hello", CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	sender := supportapp.SenderOf(m, s, runtime.Identity{UserID: "u1", Role: "user"}, "Echo")
	got := supportapp.MessageOf(m, sender, false)
	assertJSON(t, got, `{"_id":"m1","conversationId":"c1",`+
		`"senderId":{"_id":"u1","first_name":"Ada","last_name":"Lovelace","role":"User"},`+
		`"messageType":"text","content":"hello","isRead":false,"createdAt":"2026-01-02T03:04:05.000Z"}`)
}

func TestMessageOfMedia(t *testing.T) {
	atts, _ := json.Marshal([]runtime.Attachment{
		{ID: "up1", Name: "cow.png", ContentType: "image/png", Size: 42, URL: "/api/uploads/up1", Kind: "image"},
		{ID: "up2", Name: "moo.ogg", ContentType: "audio/ogg; codecs=opus", Size: 7, Kind: "audio"},
	})
	m := &runtime.Message{ID: "m2", SessionID: "c1", Seq: 4, Sender: runtime.SenderBot, Attachments: atts, ClientID: "k1"}
	s := &runtime.Session{ID: "c1", BotID: "echo", UserID: "u1"}
	got := supportapp.MessageOf(m, supportapp.SenderOf(m, s, runtime.Identity{}, "Echo"), true)
	assertJSON(t, got, `{"_id":"m2","conversationId":"c1",`+
		`"senderId":{"_id":"bot:echo","first_name":"Echo","last_name":"","role":"Support"},`+
		`"messageType":"image","content":"","media":[`+
		`{"_id":"up1","name":"cow.png","type":"image","url":"/api/uploads/up1","format":"png","size":42},`+
		`{"_id":"up2","name":"moo.ogg","type":"audio","url":"/api/uploads/up2","format":"ogg","size":7}],`+
		`"isRead":true,"createdAt":"","clientId":"k1"}`)
}

func TestSenderOfAgent(t *testing.T) {
	s := &runtime.Session{ID: "c1", UserID: "u1", AssignedAgent: "a1"}
	m := &runtime.Message{Sender: runtime.SenderAgent, SenderName: "Grace Hopper"}
	tests := []struct {
		name   string
		viewer runtime.Identity
		s      *runtime.Session
		want   string
	}{
		{"author sees self", runtime.Identity{UserID: "a2", Name: "Grace Hopper", Role: "agent"}, s, "a2"},
		{"user sees assigned", runtime.Identity{UserID: "u1", Role: "user"}, s, "a1"},
		{"nobody assigned", runtime.Identity{UserID: "u1", Role: "user"}, &runtime.Session{UserID: "u1"}, "Grace Hopper"},
	}
	for _, tt := range tests {
		got := supportapp.SenderOf(m, tt.s, tt.viewer, "")
		if got.ID != tt.want || got.Role != "Support" || got.FirstName != "Grace" {
			t.Errorf("%s: sender = %+v, want _id %q, Support, Grace", tt.name, got, tt.want)
		}
	}
}

// A message that records its author's id is theirs, whoever looks.
func TestSenderOfByID(t *testing.T) {
	s := &runtime.Session{ID: "c1", UserID: "u1", UserName: "Ada", AssignedAgent: "a1"}
	farmer := runtime.Identity{UserID: "u1", Role: "user"}
	root := runtime.Identity{UserID: "root", Name: "Root", Role: "admin"}
	tests := []struct {
		name   string
		m      *runtime.Message
		viewer runtime.Identity
		want   supportapp.User
	}{
		{"an agent not assigned", &runtime.Message{Sender: runtime.SenderAgent, SenderName: "Grace Hopper", SenderID: "a2"}, farmer,
			supportapp.User{ID: "a2", FirstName: "Grace", LastName: "Hopper", Role: "Support"}},
		{"an admin, seen by themselves", &runtime.Message{Sender: runtime.SenderAgent, SenderName: "Root", SenderID: "root"}, root,
			supportapp.User{ID: "root", FirstName: "Root", Role: "Admin"}},
		{"the owner without a name", &runtime.Message{Sender: runtime.SenderUser, SenderName: "u1", SenderID: "u1"}, root,
			supportapp.User{ID: "u1", FirstName: "Ada", Role: "User"}},
		{"a participant without a name", &runtime.Message{Sender: runtime.SenderUser, SenderName: "bob", SenderID: "bob"}, farmer,
			supportapp.User{ID: "bob", FirstName: "bob", Role: "User"}},
	}
	for _, tt := range tests {
		if got := supportapp.SenderOf(tt.m, s, tt.viewer, ""); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestIsRead(t *testing.T) {
	m := &runtime.Message{Seq: 5}
	tests := []struct {
		marks map[string]int64
		want  bool
	}{
		{nil, false},
		{map[string]int64{"u1": 9}, false}, // only the sender read it
		{map[string]int64{"u1": 9, "a1": 4}, false},
		{map[string]int64{"u1": 9, "a1": 5}, true},
	}
	for _, tt := range tests {
		if got := supportapp.IsRead(m, "u1", tt.marks); got != tt.want {
			t.Errorf("IsRead(marks %v) = %v, want %v", tt.marks, got, tt.want)
		}
	}
}

func TestConversationOf(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 600_000_000, time.UTC)
	s := &runtime.Session{ID: "c1", UserID: "u1", UserName: "Ada", CreatedAt: at, LastActivity: at}
	got := supportapp.ConversationOf(s, supportapp.OwnerOf(s).WithOnline(true), supportapp.AssignedOf(s, ""), 2)
	assertJSON(t, got, `{"_id":"c1","userId":{"_id":"u1","first_name":"Ada","last_name":"","role":"User","isOnline":true},`+
		`"assignedSupportId":null,"status":"open","unreadCount":2,`+
		`"createdAt":"2026-01-02T03:04:05.600Z","updatedAt":"2026-01-02T03:04:05.600Z"}`)
	s.AssignedAgent, s.SupportStatus = "a1", runtime.SupportWaiting
	got = supportapp.ConversationOf(s, supportapp.OwnerOf(s), supportapp.AssignedOf(s, "Grace Hopper"), 0)
	if got.AssignedSupportID == nil || got.AssignedSupportID.ID != "a1" || got.AssignedSupportID.Role != "Support" ||
		got.AssignedSupportID.LastName != "Hopper" || got.Status != "waiting" {
		t.Errorf("assigned conversation = %+v", got)
	}
}

func assertJSON(t *testing.T, v any, want string) {
	t.Helper()
	got, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("JSON =\n%s\nwant\n%s", got, want)
	}
}
