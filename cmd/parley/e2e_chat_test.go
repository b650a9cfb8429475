package main

import (
	"bufio"
	"net/http"
	"strings"
	"testing"
)

type chatBody struct {
	Response       string  `json:"response"`
	BotID          string  `json:"bot_id"`
	BotName        string  `json:"bot_name"`
	ConversationID string  `json:"conversation_id"`
	Messages       []frame `json:"messages"`
	Complete       bool    `json:"complete"`
}

// The sync and streaming chat with the echo bot over the real server:
// the turn's reply, the same conversation as the user's socket (which
// sees the REST messages in order), a retry answered alike.
func TestChatOverREST(t *testing.T) {
	s := MustRunMain(t)
	tok := tokenFor(t, "cleo")
	var c chatBody
	if code := api(t, s, "POST", "/api/bots/echo/chat", tok, map[string]string{"message": "ping", "client_id": "p1"}, &c); code != 200 {
		t.Fatalf("chat: %d %+v", code, c)
	}
	if c.Response != "ping" || !c.Complete || c.BotID != "echo" || c.BotName != "Echo" || len(c.Messages) != 1 || c.Messages[0].Sender != "bot" {
		t.Fatalf("chat answered %+v", c)
	}
	sock, _ := mustDial(t, s, "bot_id=echo&after=0", tok)
	sock.expectMessage("user", "ping")
	sock.expectMessage("bot", "ping")

	var retry chatBody
	api(t, s, "POST", "/api/bots/echo/chat", tok, map[string]string{"message": "ping", "client_id": "p1"}, &retry)
	if retry.Response != "ping" || retry.ConversationID != c.ConversationID || retry.Messages[0].ID != c.Messages[0].ID {
		t.Fatalf("retry answered %+v", retry)
	}
	lines := chatStream(t, s, tok, "echo", `{"message":"pong","conversation_id":"`+c.ConversationID+`"}`)
	want := `{"type":"text","content":"pong"}|{"type":"done","content":""}|[DONE]`
	if strings.Join(lines, "|") != want {
		t.Fatalf("stream %q", lines)
	}
	sock.expectMessage("user", "pong")
	sock.expectMessage("bot", "pong")
}

// chatStream posts body to /api/bots/BOT/chat/stream and returns its
// data: lines, checking that nothing else is in the stream.
func chatStream(t *testing.T, s *testServer, tok, bot, body string) []string {
	t.Helper()
	req, _ := http.NewRequest("POST", s.URL()+"/api/bots/"+bot+"/chat/stream", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var lines []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			lines = append(lines, data)
		} else if sc.Text() != "" {
			t.Fatalf("stream line %q", sc.Text())
		}
	}
	return lines
}

// A user's thread with a bot over the real server: its history as
// roles, a rename shown in the bot's list, the inbox's count moved by a
// read mark.
func TestBotThreadOverREST(t *testing.T) {
	s := MustRunMain(t)
	tok := tokenFor(t, "remy")
	var c chatBody
	api(t, s, "POST", "/api/bots/echo/chat", tok, map[string]string{"message": "one"}, &c)
	var h struct {
		ConversationID string `json:"conversation_id"`
		Messages       []struct{ Role, Content string }
	}
	api(t, s, "GET", "/api/bots/echo/history", tok, nil, &h)
	if h.ConversationID != c.ConversationID || len(h.Messages) != 2 || h.Messages[0].Role != "user" || h.Messages[1].Role != "assistant" || h.Messages[1].Content != "one" {
		t.Fatalf("history %+v", h)
	}
	if code := api(t, s, "PATCH", "/api/conversations/"+c.ConversationID, tok, map[string]string{"title": "Numbers"}, nil); code != 200 {
		t.Fatalf("rename: %d", code)
	}
	var list struct {
		Conversations []struct{ ID, Title string }
		Total         int
	}
	api(t, s, "GET", "/api/bots/echo/conversations", tok, nil, &list)
	if list.Total != 1 || list.Conversations[0].Title != "Numbers" {
		t.Fatalf("list %+v", list)
	}
	type inboxBody struct {
		Conversations []struct {
			ConversationID string `json:"conversation_id"`
			Unread         int    `json:"unread"`
			LastMessage    *frame `json:"last_message"`
		}
	}
	var in inboxBody
	api(t, s, "GET", "/api/inbox", tok, nil, &in)
	if len(in.Conversations) != 1 || in.Conversations[0].Unread != 1 || in.Conversations[0].LastMessage.Sender != "bot" {
		t.Fatalf("inbox %+v", in)
	}
	api(t, s, "POST", "/api/conversations/"+c.ConversationID+"/read", tok, map[string]int64{"seq": in.Conversations[0].LastMessage.Seq}, nil)
	api(t, s, "GET", "/api/inbox", tok, nil, &in)
	if in.Conversations[0].Unread != 0 {
		t.Fatalf("inbox after read %+v", in)
	}
}
