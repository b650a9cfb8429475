package rest_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"parley/rest"
	"parley/runtime"
)

// talker's dialogs greet, answer each message with two messages, and
// hold the answer to "hold" until the test ends.
type talker struct{ release chan struct{} }

func (talker) Bots() []*runtime.Bot { return engine{}.Bots() }
func (talker) Script(bot runtime.BotID) (*runtime.Script, error) {
	return engine{}.Script(bot)
}
func (e talker) NewDialog(_ *runtime.Session, _ *runtime.Script, h runtime.DialogHost) (runtime.Dialog, error) {
	return talk{h, e.release}, nil
}

type talk struct {
	h       runtime.DialogHost
	release chan struct{}
}

func (d talk) Step(ctx context.Context, in *runtime.Message) (bool, error) {
	switch {
	case in == nil:
		return false, d.h.Talk(ctx, "hello")
	case in.Content == "hold":
		select {
		case <-d.release:
		case <-ctx.Done():
		}
		return false, d.h.Talk(ctx, "late")
	}
	if err := d.h.Talk(ctx, "echo: "+in.Content); err != nil {
		return false, err
	}
	return false, d.h.Talk(ctx, "over")
}
func (talk) Close() {}

func newChatAPI(t *testing.T, timeout time.Duration) *api {
	release := make(chan struct{})
	a := newAPI(t, runtime.Config{Engine: talker{release}}, func(c *rest.Config) { c.ChatTimeout = timeout })
	t.Cleanup(func() { close(release) }) // before the hub closes
	return a
}

// The sync chat answers the turn; a retry the same; the next turn
// continues the same conversation; the answer's shape is the contract's.
func TestChatSync(t *testing.T) {
	a := newChatAPI(t, 5*time.Second)
	tok := a.token(t, "ann", "user")
	r := a.do(t, "POST", "/api/bots/other/chat", tok, `{"message":"hi","client_id":"k1"}`).expect(t, 200, "")
	if fields(r.body) != "bot_id,bot_name,complete,conversation_id,messages,response" {
		t.Fatalf("fields %s", fields(r.body))
	}
	if r.body["response"] != "hello\necho: hi\nover" || r.body["complete"] != true || r.body["bot_name"] != "Other" {
		t.Fatalf("answer %s", r.raw)
	}
	msgs := r.body["messages"].([]any)
	if len(msgs) != 3 || msgs[1].(map[string]any)["sender"] != "bot" || msgs[1].(map[string]any)["seq"] == nil {
		t.Fatalf("messages %v", msgs)
	}
	sid := r.body["conversation_id"].(string)
	again := a.do(t, "POST", "/api/bots/other/chat", tok, `{"message":"hi","client_id":"k1","conversation_id":"`+sid+`"}`).expect(t, 200, "")
	if again.body["response"] != r.body["response"] {
		t.Fatalf("retry answered %s", again.raw)
	}
	next := a.do(t, "POST", "/api/bots/other/chat", tok, `{"message":"more"}`).expect(t, 200, "")
	if next.body["conversation_id"] != sid || next.body["response"] != "echo: more\nover" {
		t.Fatalf("next turn %s", next.raw)
	}
	a.do(t, "POST", "/api/bots/echo/chat", tok, `{"message":"x","conversation_id":"`+sid+`"}`).expect(t, 400, "invalid_request")
	a.do(t, "POST", "/api/bots/other/chat", a.token(t, "bob", "user"), `{"message":"x","conversation_id":"`+sid+`"}`).expect(t, 403, "forbidden")
	a.do(t, "POST", "/api/bots/nope/chat", tok, `{"message":"x"}`).expect(t, 404, "not_found")
	a.do(t, "POST", "/api/bots/other/chat", tok, `{"message":" "}`).expect(t, 400, "invalid_message")
	a.do(t, "POST", "/api/bots/other/chat", "", `{"message":"x"}`).expect(t, 401, "unauthorized")
}

// A turn longer than the chat timeout answers with what there is.
func TestChatTimeout(t *testing.T) {
	a := newChatAPI(t, 100*time.Millisecond)
	tok := a.token(t, "ann", "user")
	r := a.do(t, "POST", "/api/bots/other/chat", tok, `{"message":"hold"}`).expect(t, 200, "")
	if r.body["complete"] != false || r.body["response"] != "hello" {
		t.Fatalf("answer %s", r.raw)
	}
}

// stream posts to …/chat/stream and returns its data: lines.
func (a *api) stream(t *testing.T, token, body string) []string {
	t.Helper()
	req, _ := http.NewRequest("POST", a.URL+"/api/bots/other/chat/stream", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var lines []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			lines = append(lines, line)
		} else if sc.Text() != "" {
			t.Fatalf("line %q", sc.Text())
		}
	}
	return lines
}

func TestChatStream(t *testing.T) {
	a := newChatAPI(t, 5*time.Second)
	tok := a.token(t, "ann", "user")
	got := a.stream(t, tok, `{"message":"hi"}`)
	want := []string{`{"type":"text","content":"hello"}`, `{"type":"text","content":"echo: hi"}`,
		`{"type":"text","content":"over"}`, `{"type":"done","content":""}`, `[DONE]`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("stream\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A refusal is an ordinary JSON error, before any stream.
	a.do(t, "POST", "/api/bots/other/chat/stream", tok, `{"message":""}`).expect(t, 400, "invalid_message")
}
