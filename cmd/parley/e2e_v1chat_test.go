package main

import (
	"fmt"
	"strings"
	"testing"
)

// The support app's REST API over the wire (docs/socketio.md): a farmer
// and an agent chat through every endpoint; each answer's envelope is
// checked by chatCall.

// A farmer's conversation with support from start to resolution: the
// messages posted here are the conversation /ws sees, in order; the desk
// queues, assigns, reads and resolves it.
func TestV1ChatUserAndAgent(t *testing.T) {
	s := MustRunMain(t, func(c *Config) { c.Bots = deskBots(t) })
	farmer := namedToken(t, "fatima", "Fatima Zahra Ali", "user")
	agent := namedToken(t, "sam", "Sam Okoro", "agent")
	admin := namedToken(t, "root", "Root", "admin")

	var conv chatConversation
	first := chatCall(t, s, "POST", "/conversations", farmer, nil).want(t, 200, "open a conversation")
	first.into(t, &conv)
	u := conv.UserID
	if u.ID != "fatima" || u.FirstName != "Fatima" || u.LastName != "Zahra Ali" || u.Role != "User" || u.IsOnline == nil || *u.IsOnline ||
		conv.AssignedSupportID != nil || !strings.Contains(first.raw, `"assignedSupportId":null`) || conv.Status != "open" || !appTime.MatchString(conv.CreatedAt) {
		t.Fatalf("the new conversation: %s", first.raw)
	}
	ws, _ := mustDial(t, s, "after=0&session_id="+conv.ID, farmer)
	ws.expectMessage("bot", "Welcome to support")
	var again chatConversation
	chatCall(t, s, "POST", "/conversations", farmer, nil).want(t, 200, "open it again").into(t, &again)
	if again.ID != conv.ID || again.UserID.IsOnline == nil || !*again.UserID.IsOnline {
		t.Fatalf("again: %+v, want %s with its user online (the /ws socket)", again, conv.ID)
	}

	// Messages posted here are /ws's, in order; a clientId used again
	// stores nothing.
	var sent []chatMessage
	for i, text := range []string{"my maize has spots", "since Monday"} {
		sent = append(sent, postText(t, s, farmer, conv.ID, text, fmt.Sprint("c", i)))
		if f := ws.expectMessage("user", text); f.ID != sent[i].ID || f.ClientID != fmt.Sprint("c", i) {
			t.Fatalf("/ws got %s, want the message %s", f.raw, sent[i].ID)
		}
		ws.expectMessage("bot", "echo: "+text)
	}
	m := sent[0]
	if m.ConversationID != conv.ID || m.SenderID != (chatUser{ID: "fatima", FirstName: "Fatima", LastName: "Zahra Ali", Role: "User"}) ||
		m.MessageType != "text" || m.IsRead || m.Media != nil || !appTime.MatchString(m.CreatedAt) {
		t.Fatalf("the message: %+v", m)
	}
	if dup := postText(t, s, farmer, conv.ID, "my maize has spots", "c0"); dup.ID != m.ID {
		t.Fatalf("clientId c0 again: %s, want %s", dup.ID, m.ID)
	}
	postText(t, s, farmer, conv.ID, "third", "c2")
	ws.expectMessage("user", "third") // not the duplicate
	ws.expectMessage("bot", "echo: third")

	// Seven messages: page 1 is the newest three, oldest first.
	msgs := messagesPage(t, s, farmer, conv.ID, "?limit=3", 1, 3, 7)
	if len(msgs) != 3 || msgs[0].Content != "echo: since Monday" || msgs[1].Content != "third" || msgs[2].Content != "echo: third" {
		t.Fatalf("page 1: %+v", msgs)
	}
	bot := msgs[2].SenderID
	if bot != (chatUser{ID: "bot:desk", FirstName: "Green Desk", Role: "Support"}) {
		t.Fatalf("the bot as sender: %+v", bot)
	}
	if msgs = messagesPage(t, s, farmer, conv.ID, "?page=3&limit=3", 3, 3, 7); len(msgs) != 1 || msgs[0].Content != "Welcome to support" {
		t.Fatalf("page 3: %+v", msgs)
	}
	if msgs = messagesPage(t, s, farmer, conv.ID, "?page=4&limit=3", 4, 3, 7); len(msgs) != 0 {
		t.Fatalf("page 4: %+v", msgs)
	}

	deskTakesOver(t, s, ws, conv.ID, farmer, agent, admin)
}

// deskTakesOver: the conversation waits, is assigned to sam, who answers
// and reads; the farmer reads; sam resolves it; the stats count it.
func deskTakesOver(t *testing.T, s *testServer, ws *wsClient, sid, farmer, agent, admin string) {
	t.Helper()
	chatCall(t, s, "GET", "/messages/"+sid, agent, nil).want(t, 403, "an agent, before the queue")
	chatCall(t, s, "GET", "/conversations", agent, nil).want(t, 200, "agent's list").page(t, 1, 0, 0)
	var c chatConversation
	chatCall(t, s, "PATCH", "/conversations/"+sid+"/status", admin, map[string]string{"status": "waiting"}).want(t, 200, "to the queue").into(t, &c)
	if c.Status != "waiting" {
		t.Fatalf("status %q, want waiting", c.Status)
	}
	var queue []chatConversation
	chatCall(t, s, "GET", "/support/conversations", agent, nil).want(t, 200, "the queue").into(t, &queue)
	if len(queue) != 1 || queue[0].ID != sid || queue[0].Status != "waiting" {
		t.Fatalf("the agent's queue: %+v", queue)
	}
	chatCall(t, s, "POST", "/support/reassign", agent, map[string]string{"conversationId": sid, "supportId": "sam"}).want(t, 403, "an agent reassigns")
	chatCall(t, s, "POST", "/support/reassign", admin, map[string]string{"conversationId": sid, "supportId": "sam"}).want(t, 200, "assign").into(t, &c)
	// sam is called by name: the server has seen him (his calls above).
	if a := c.AssignedSupportID; a == nil || a.ID != "sam" || a.FirstName != "Sam" || a.LastName != "Okoro" || a.Role != "Support" || c.Status != "open" {
		t.Fatalf("assigned: %+v", c)
	}
	var mine []chatConversation
	chatCall(t, s, "GET", "/conversations", agent, nil).want(t, 200, "agent's list").into(t, &mine)
	if len(mine) != 1 || mine[0].ID != sid || mine[0].UnreadCount != 7 {
		t.Fatalf("the agent's conversations: %+v, want %s with 7 unread", mine, sid)
	}

	reply := postText(t, s, agent, sid, "Hello Fatima, send a photo", "")
	if reply.SenderID != (chatUser{ID: "sam", FirstName: "Sam", LastName: "Okoro", Role: "Support"}) {
		t.Fatalf("the agent as sender: %+v", reply.SenderID)
	}
	ws.expectMessage("agent", "Hello Fatima, send a photo")
	readBy(t, s, farmer, sid, map[string]bool{"fatima": false, "sam": false, "bot:desk": false})

	chatCall(t, s, "PATCH", "/conversations/"+sid+"/read", agent, nil).want(t, 200, "the agent reads").into(t, &c)
	if c.UnreadCount != 0 {
		t.Fatalf("the agent's unread after reading: %d", c.UnreadCount)
	}
	ws.expect("read", func(f frame) bool { return f.Reader == "sam" })
	readBy(t, s, farmer, sid, map[string]bool{"fatima": true, "sam": false, "bot:desk": true})
	var list []chatConversation
	chatCall(t, s, "GET", "/conversations", farmer, nil).want(t, 200, "farmer's list").into(t, &list)
	if len(list) != 1 || list[0].UnreadCount != 5 || list[0].AssignedSupportID == nil || list[0].AssignedSupportID.ID != "sam" {
		t.Fatalf("the farmer's list: %+v, want one with 5 unread (the bot's 4, sam's 1)", list)
	}
	chatCall(t, s, "PATCH", "/conversations/"+sid+"/read", farmer, nil).want(t, 200, "the farmer reads")
	readBy(t, s, farmer, sid, map[string]bool{"fatima": true, "sam": true, "bot:desk": true})

	resolve(t, s, sid, farmer, agent, admin)
}

// resolve: sam resolves; the farmer's next conversation is a new one.
func resolve(t *testing.T, s *testServer, sid, farmer, agent, admin string) {
	t.Helper()
	status := func(st string) map[string]string { return map[string]string{"status": st} }
	chatCall(t, s, "PATCH", "/conversations/"+sid+"/status", farmer, status("resolved")).want(t, 403, "the farmer resolves")
	chatCall(t, s, "PATCH", "/conversations/"+sid+"/status", agent, status("done")).want(t, 400, "a bad status")
	chatCall(t, s, "PATCH", "/conversations/"+sid+"/status", agent, status("resolved")).want(t, 200, "resolve")
	chatCall(t, s, "GET", "/conversations?status=resolved", farmer, nil).want(t, 200, "resolved ones").page(t, 1, 1, 1)
	chatCall(t, s, "GET", "/conversations?status=open", farmer, nil).want(t, 200, "open ones").page(t, 1, 0, 0)
	var next chatConversation
	chatCall(t, s, "POST", "/conversations", farmer, nil).want(t, 200, "a new conversation").into(t, &next)
	if next.ID == sid || next.Status != "open" {
		t.Fatalf("after resolving: %+v, want a new open conversation", next)
	}
	ws, _ := mustDial(t, s, "after=0&session_id="+next.ID, farmer)
	ws.expectMessage("bot", "Welcome to support") // stored: the counts below are exact
	chatCall(t, s, "GET", "/conversations", admin, nil).want(t, 200, "admin's list").page(t, 1, 1, 2)
	// An agent may close one from the queue, which takes it out of their
	// reach: the answer is the conversation as the change left it.
	chatCall(t, s, "PATCH", "/conversations/"+next.ID+"/status", admin, status("waiting")).want(t, 200, "to the queue")
	// An agent who answers from the queue, assigned to nobody, is who
	// wrote it, by id, not by name.
	postText(t, s, agent, next.ID, "Looking into it", "")
	ws.expectMessage("agent", "Looking into it")
	if m := messagesPage(t, s, farmer, next.ID, "?limit=1", 1, 2, 2)[0]; m.SenderID != (chatUser{ID: "sam", FirstName: "Sam", LastName: "Okoro", Role: "Support"}) {
		t.Fatalf("an unassigned agent's message, as the farmer sees it: %+v", m.SenderID)
	}
	// An admin's message is an Admin's, to the farmer too.
	postText(t, s, admin, next.ID, "Admin here", "")
	if m := messagesPage(t, s, farmer, next.ID, "?limit=1", 1, 3, 3)[0]; m.SenderID != (chatUser{ID: "root", FirstName: "Root", Role: "Admin"}) {
		t.Fatalf("an admin's message, as the farmer sees it: %+v", m.SenderID)
	}
	var closed chatConversation
	chatCall(t, s, "PATCH", "/conversations/"+next.ID+"/status", agent, status("closed")).want(t, 200, "close from the queue").into(t, &closed)
	if closed.ID != next.ID || closed.Status != "closed" {
		t.Fatalf("closed from the queue: %+v", closed)
	}
	chatCall(t, s, "GET", "/messages/"+next.ID, agent, nil).want(t, 403, "the agent, after closing it")

	chatCall(t, s, "GET", "/support/stats", farmer, nil).want(t, 403, "stats as a user")
	var st struct {
		Total    int            `json:"totalConversations"`
		ByStatus map[string]int `json:"byStatus"`
		ByAgent  []struct {
			Support            chatUser
			Assigned, Resolved int
		} `json:"byAgent"`
		Response   struct{ P50 *float64 } `json:"responseTimeSeconds"`
		Resolution struct{ P50 *float64 } `json:"resolutionTimeSeconds"`
	}
	chatCall(t, s, "GET", "/support/stats", agent, nil).want(t, 200, "stats").into(t, &st)
	if st.Total != 2 || st.ByStatus["resolved"] != 1 || st.ByStatus["closed"] != 1 || len(st.ByAgent) != 1 || st.ByAgent[0].Support.ID != "sam" || st.ByAgent[0].Support.FirstName != "Sam" ||
		st.ByAgent[0].Assigned != 1 || st.ByAgent[0].Resolved != 1 || st.Response.P50 == nil || st.Resolution.P50 == nil {
		t.Fatalf("stats: %+v", st)
	}
}

// postText sends a text message and returns it.
func postText(t *testing.T, s *testServer, token, sid, text, clientID string) chatMessage {
	t.Helper()
	body := map[string]string{"conversationId": sid, "messageType": "text", "content": text}
	if clientID != "" {
		body["clientId"] = clientID
	}
	var m chatMessage
	chatCall(t, s, "POST", "/messages", token, body).want(t, 201, "send "+text).into(t, &m)
	return m
}

// messagesPage reads a page of messages and checks its pagination.
func messagesPage(t *testing.T, s *testServer, token, sid, query string, page, pages, items int) []chatMessage {
	t.Helper()
	a := chatCall(t, s, "GET", "/messages/"+sid+query, token, nil).want(t, 200, "messages"+query)
	a.page(t, page, pages, items)
	var msgs []chatMessage
	a.into(t, &msgs)
	return msgs
}

// readBy checks isRead of every message of sid by its sender's _id.
func readBy(t *testing.T, s *testServer, token, sid string, want map[string]bool) {
	t.Helper()
	for _, m := range messagesPage(t, s, token, sid, "?limit=100", 1, 1, 8) {
		if w, ok := want[m.SenderID.ID]; !ok || m.IsRead != w {
			t.Fatalf("%s's %q: isRead %v, want %v", m.SenderID.ID, m.Content, m.IsRead, w)
		}
	}
}
