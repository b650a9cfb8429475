package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"regexp"
	"strings"
	"testing"
)

// A client of the support app's REST API (/api/v1/chat) for the e2e
// tests: every answer is decoded as the app's envelope, and checked to be
// one, so that each call checks the envelope too.

// chatAnswer is an answer of /api/v1/chat.
type chatAnswer struct {
	Status     int
	Success    bool            `json:"success"`
	Message    string          `json:"message"`
	Data       json.RawMessage `json:"data"`
	Pagination *chatPagination `json:"pagination"`
	raw        string
}

type chatPagination struct {
	CurrentPage int `json:"currentPage"`
	TotalPages  int `json:"totalPages"`
	TotalItems  int `json:"totalItems"`
}

// The app's shapes, as a client reads them.
type chatUser struct {
	ID        string `json:"_id"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Role      string `json:"role"`
	IsOnline  *bool  `json:"isOnline"`
}

type chatMedia struct {
	ID     string `json:"_id"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	URL    string `json:"url"`
	Format string `json:"format"`
	Size   int64  `json:"size"`
}

type chatMessage struct {
	ID             string      `json:"_id"`
	ConversationID string      `json:"conversationId"`
	SenderID       chatUser    `json:"senderId"`
	MessageType    string      `json:"messageType"`
	Content        string      `json:"content"`
	Media          []chatMedia `json:"media"`
	IsRead         bool        `json:"isRead"`
	CreatedAt      string      `json:"createdAt"`
}

type chatConversation struct {
	ID                string    `json:"_id"`
	UserID            chatUser  `json:"userId"`
	AssignedSupportID *chatUser `json:"assignedSupportId"`
	Status            string    `json:"status"`
	UnreadCount       int       `json:"unreadCount"`
	CreatedAt         string    `json:"createdAt"`
}

// appTime is the app's time format: UTC with milliseconds.
var appTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

// chatCall sends a JSON request (body nil: none; a string: sent as is)
// and decodes the envelope, failing the test when the answer is not one:
// a success has success true, a message and data; an error has success
// false, a message and nothing else.
func chatCall(t *testing.T, s *testServer, method, path, token string, body any) chatAnswer {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		rd = jsonBody(t, b)
	}
	req, err := http.NewRequest(method, s.URL()+"/api/v1/chat"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return chatDo(t, req)
}

func chatDo(t *testing.T, req *http.Request) chatAnswer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	a := chatAnswer{Status: resp.StatusCode, raw: string(data)}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		t.Fatalf("%s %s: %d %q is not a JSON object", req.Method, req.URL.Path, resp.StatusCode, data)
	}
	json.Unmarshal(data, &a)
	ok := resp.StatusCode < 300
	switch {
	case resp.Header.Get("Content-Type") != "application/json":
		t.Fatalf("%s %s: Content-Type %q", req.Method, req.URL.Path, resp.Header.Get("Content-Type"))
	case a.Success != ok || a.Message == "":
		t.Fatalf("%s %s: %d %s: want success %v and a message", req.Method, req.URL.Path, resp.StatusCode, data, ok)
	case ok && keys["data"] == nil:
		t.Fatalf("%s %s: %s has no data", req.Method, req.URL.Path, data)
	case !ok && len(keys) != 2:
		t.Fatalf("%s %s: error %s has more than success and message", req.Method, req.URL.Path, data)
	}
	return a
}

// want fails the test unless the answer has status.
func (a chatAnswer) want(t *testing.T, status int, what string) chatAnswer {
	t.Helper()
	if a.Status != status {
		t.Fatalf("%s: %d %s, want %d", what, a.Status, a.raw, status)
	}
	return a
}

// into decodes the answer's data.
func (a chatAnswer) into(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(a.Data, v); err != nil {
		t.Fatalf("data of %s: %v", a.raw, err)
	}
}

// page checks the answer's pagination.
func (a chatAnswer) page(t *testing.T, current, pages, items int) {
	t.Helper()
	p := a.Pagination
	if p == nil || p.CurrentPage != current || p.TotalPages != pages || p.TotalItems != items {
		t.Fatalf("pagination of %s, want page %d of %d, %d items", a.raw, current, pages, items)
	}
}

// chatMediaPost uploads files as parts named "media" with the field
// "type" (omitted when empty).
func chatMediaPost(t *testing.T, s *testServer, token, kind string, files ...file) chatAnswer {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if kind != "" {
		mw.WriteField("type", kind)
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="media"; filename=%q`, f.name))
		h.Set("Content-Type", "image/png") // a lie the server must not believe
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.body)
	}
	mw.Close()
	req, _ := http.NewRequestWithContext(context.Background(), "POST", s.URL()+"/api/v1/chat/media", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return chatDo(t, req)
}

// namedToken is a JWT for user with a display name and a role.
func namedToken(t *testing.T, user, name, role string) string {
	t.Helper()
	var out bytes.Buffer
	args := []string{"token", "--user", user, "--name", name, "--role", role, "--jwt-secret", testSecret, "--data", t.TempDir()}
	if code := run(context.Background(), args, &out, io.Discard); code != 0 {
		t.Fatalf("parley token exited %d", code)
	}
	return strings.TrimSpace(out.String())
}

// deskBots is a bots directory with one bot, the default: it greets and
// echoes what users say, so that each message has one answer to wait for.
func deskBots(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeBot(t, dir, "desk", "name: Green Desk\ndefault: true\n",
		"TALK(\"Welcome to support\")\nwhile true do\n  TALK(\"echo: \" .. HEAR())\nend\n")
	return dir
}
