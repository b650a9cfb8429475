package main

import (
	"fmt"
	"net/url"
	"testing"
)

type historyBody struct {
	Messages []frame `json:"messages"`
	HasMore  bool    `json:"has_more"`
}

type startBody struct {
	ConversationID string `json:"conversation_id"`
	SessionID      string `json:"session_id"`
	Status         string `json:"status"`
}

type postBody struct {
	MessageID string `json:"message_id"`
	Seq       int64  `json:"seq"`
	Timestamp string `json:"timestamp"`
	Status    string `json:"status"`
}

type listBody struct {
	Conversations []struct {
		ID           string  `json:"id"`
		BotID        string  `json:"bot_id"`
		BotName      string  `json:"bot_name"`
		LastMessage  *string `json:"last_message"`
		LastActivity string  `json:"last_activity"`
		Status       string  `json:"status"`
	} `json:"conversations"`
	Total int `json:"total"`
}

// REST start → messages → history → list → archive, with the dialog
// answering a REST message on the user's open socket.
func TestRESTConversationLifecycle(t *testing.T) {
	s := MustRunMain(t)
	tok := tokenFor(t, "carol")

	var st startBody
	if code := api(t, s, "POST", "/api/conversations/start", tok, map[string]string{"bot_id": "echo", "initial_message": "m0"}, &st); code != 201 {
		t.Fatalf("start: %d", code)
	}
	if st.ConversationID == "" || st.SessionID != st.ConversationID || st.Status != "active" {
		t.Fatalf("start answered %+v", st)
	}
	sock, _ := mustDial(t, s, "after=0&session_id="+st.SessionID, tok)
	sock.expectMessage("user", "m0")
	sock.expectMessage("bot", "m0")

	for i := 1; i < 6; i++ {
		var p postBody
		text := fmt.Sprint("m", i)
		if code := api(t, s, "POST", "/api/conversations/"+st.SessionID+"/messages", tok, map[string]string{"content": text}, &p); code != 201 {
			t.Fatalf("post: %d", code)
		}
		if p.MessageID == "" || p.Seq != int64(2*i+1) || p.Status != "delivered" || p.Timestamp == "" {
			t.Fatalf("post answered %+v", p)
		}
		sock.expectMessage("user", text)
		sock.expectMessage("bot", text) // the dialog answered on the socket
	}

	hist := func(q string) historyBody {
		var h historyBody
		if code := api(t, s, "GET", "/api/conversations/"+st.SessionID+"/history?"+q, tok, nil, &h); code != 200 {
			t.Fatalf("history?%s: %d", q, code)
		}
		return h
	}
	all := hist("")
	if len(all.Messages) != 12 || all.HasMore || all.Messages[0].Seq != 1 || all.Messages[11].Seq != 12 {
		t.Fatalf("full history: %d messages, has_more %v", len(all.Messages), all.HasMore)
	}
	page := hist("limit=5")
	if len(page.Messages) != 5 || !page.HasMore || page.Messages[0].Seq != 8 {
		t.Fatalf("limit=5: want seqs 8..12 and has_more, got %+v", page)
	}
	older := hist("limit=5&before=" + page.Messages[0].ID)
	if len(older.Messages) != 5 || !older.HasMore || older.Messages[0].Seq != 3 || older.Messages[4].Seq != 7 {
		t.Fatalf("before: want seqs 3..7 and has_more, got %+v", older)
	}
	newer := hist("limit=3&after=" + all.Messages[2].ID)
	if len(newer.Messages) != 3 || !newer.HasMore || newer.Messages[0].Seq != 4 {
		t.Fatalf("after id: want seqs 4..6 and has_more, got %+v", newer)
	}
	byTime := hist("after=" + url.QueryEscape(all.Messages[9].Timestamp))
	if len(byTime.Messages) != 2 || byTime.HasMore || byTime.Messages[0].Seq != 11 {
		t.Fatalf("after time: want seqs 11..12, got %+v", byTime)
	}

	// A second conversation with another bot, then the list.
	var st2 startBody
	api(t, s, "POST", "/api/conversations/start", tok, map[string]string{"bot_id": "counter"}, &st2)
	list := func(q string) listBody {
		var l listBody
		if code := api(t, s, "GET", "/api/conversations?"+q, tok, nil, &l); code != 200 {
			t.Fatalf("list?%s: %d", q, code)
		}
		return l
	}
	if l := list(""); l.Total != 2 || len(l.Conversations) != 2 {
		t.Fatalf("list: %+v", l)
	}
	l := list("bot_id=echo")
	if l.Total != 1 || l.Conversations[0].ID != st.SessionID || l.Conversations[0].BotName == "" ||
		l.Conversations[0].LastMessage == nil || *l.Conversations[0].LastMessage != "m5" || l.Conversations[0].Status != "active" {
		t.Fatalf("list bot_id=echo: %+v", l)
	}
	if l := list("limit=1&offset=1"); l.Total != 2 || len(l.Conversations) != 1 {
		t.Fatalf("list limit/offset: %+v", l)
	}

	var patched struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if code := api(t, s, "PATCH", "/api/conversations/"+st.SessionID, tok, map[string]string{"status": "archived"}, &patched); code != 200 || patched.Status != "archived" {
		t.Fatalf("archive: %d %+v", code, patched)
	}
	if l := list("status=archived"); l.Total != 1 || l.Conversations[0].ID != st.SessionID {
		t.Fatalf("list archived: %+v", l)
	}
	if l := list("status=active"); l.Total != 1 || l.Conversations[0].ID != st2.SessionID {
		t.Fatalf("list active: %+v", l)
	}
}

// GET /api/bots lists the bots with exactly one default.
func TestRESTBots(t *testing.T) {
	s := MustRunMain(t)
	var b struct {
		Bots []struct {
			ID, Name, Description string
			Default               bool
		} `json:"bots"`
	}
	if code := api(t, s, "GET", "/api/bots", "", nil, &b); code != 200 {
		t.Fatalf("bots: %d", code)
	}
	defaults := 0
	ids := map[string]bool{}
	for _, bot := range b.Bots {
		ids[bot.ID] = true
		if bot.Default {
			defaults++
		}
	}
	if defaults != 1 || !ids["welcome"] || !ids["support"] || !ids["echo"] {
		t.Fatalf("bots: %+v", b.Bots)
	}
}
