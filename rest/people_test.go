package rest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"parley/runtime"
)

// POST /api/conversations: a conversation with a title, participants and
// metadata, answered 201 with the conversation; bad input is refused with
// nothing created.
func TestCreateConversation(t *testing.T) {
	a := newAPI(t, runtime.Config{})
	ann := a.token(t, "ann", "")
	r := a.do(t, "POST", "/api/conversations", ann,
		`{"title":"Harvest","participants":["bea","cid","bea"],"metadata":{"farm":"north","plots":[1,2]}}`).expect(t, 201, "")
	c := r.body
	if c["title"] != "Harvest" || c["bot_id"] != "echo" || c["user_id"] != "ann" || c["support_status"] != "open" ||
		c["assigned_agent"] != nil || fmt.Sprint(c["participants"]) != "[bea cid]" {
		t.Fatalf("created %s", r.raw)
	}
	if !strings.Contains(r.raw, `"metadata":{"farm":"north","plots":[1,2]}`) {
		t.Fatalf("metadata not returned as given: %s", r.raw)
	}
	id := c["id"].(string)

	// The participant finds it in their list, and may rename it.
	bea := a.token(t, "bea", "")
	list := a.do(t, "GET", "/api/conversations", bea, "").expect(t, 200, "")
	if list.body["total"] != 1.0 {
		t.Fatalf("bea's list: %s", list.raw)
	}
	renamed := a.do(t, "PATCH", "/api/conversations/"+id, bea, `{"title":"Harvest 2027"}`).expect(t, 200, "")
	if renamed.body["title"] != "Harvest 2027" || renamed.body["status"] != "active" {
		t.Fatalf("renamed: %s", renamed.raw)
	}

	for _, bad := range []struct{ body, code string }{
		{`{"metadata":[1,2]}`, "invalid_request"},
		{`{"metadata":"x"}`, "invalid_request"},
		{`{"title":"` + strings.Repeat("t", 201) + `"}`, "invalid_request"},
		{`{"participants":["` + strings.Repeat("p\",\"", 50) + `q"]}`, "invalid_request"},
		{`{"participants":[""]}`, "invalid_request"},
		{`{"bot_id":"nope"}`, "not_found"},
	} {
		r := a.do(t, "POST", "/api/conversations", ann, bad.body)
		if r.status < 400 || r.body["error"] != bad.code {
			t.Errorf("POST %s: %d %s; want %s", bad.body, r.status, r.raw, bad.code)
		}
	}
	if total := a.do(t, "GET", "/api/conversations", ann, "").body["total"]; total != 1.0 {
		t.Fatalf("refused requests created conversations: ann has %v", total)
	}
	a.do(t, "POST", "/api/conversations", "", `{}`).expect(t, 401, "unauthorized")
}

// The one access rule, over every conversation endpoint: the owner and
// participants may read and write, an agent the conversations in the
// support queue or assigned to them, an admin anything; only the owner or
// an admin may delete; anyone else gets 403.
func TestAccessRule(t *testing.T) {
	a := newAPI(t, runtime.Config{})
	ctx := context.Background()
	create := func(body string) string {
		return a.do(t, "POST", "/api/conversations", a.token(t, "ann", ""), body).expect(t, 201, "").body["id"].(string)
	}
	shared := create(`{"participants":["bea"]}`)
	// Conversations that a bot handed to the support desk, or that were
	// assigned, as the store has them (the desk's own endpoints come
	// later): not live in the hub, so the hub reads them from the store.
	stored := func(with func(*runtime.Session)) string {
		s := &runtime.Session{ID: runtime.SessionID(runtime.NewID()), BotID: "echo", UserID: "ann", Status: runtime.StatusActive}
		with(s)
		if err := a.store.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		return string(s.ID)
	}
	queued := stored(func(s *runtime.Session) { s.SupportStatus = runtime.SupportWaiting })
	assigned := stored(func(s *runtime.Session) { s.AssignedAgent = "ag" })
	callers := map[string]string{
		"owner":       a.token(t, "ann", ""),
		"participant": a.token(t, "bea", ""),
		"other user":  a.token(t, "zed", ""),
		"agent":       a.token(t, "ag", "agent"),
		"other agent": a.token(t, "ag2", "agent"),
		"admin":       a.token(t, "root", "admin"),
		"anonymous":   "",
	}
	type access struct{ read, write, patch, del int } // statuses
	member, denied, anon := access{200, 201, 200, 403}, access{403, 403, 403, 403}, access{401, 401, 401, 401}
	owner := access{200, 201, 200, 204}
	for _, tc := range []struct {
		conv   string
		name   string
		expect map[string]access
	}{
		{shared, "shared", map[string]access{
			"owner": owner, "participant": member, "other user": denied, "agent": denied,
			"other agent": denied, "admin": owner, "anonymous": anon}},
		{queued, "in the support queue", map[string]access{
			"owner": owner, "participant": denied, "other user": denied, "agent": member,
			"other agent": member, "admin": owner, "anonymous": anon}},
		{assigned, "assigned to ag", map[string]access{
			"owner": owner, "participant": denied, "other user": denied, "agent": member,
			"other agent": denied, "admin": owner, "anonymous": anon}},
	} {
		// The deletes go last, by the least privileged first: the
		// conversation stays until a caller that may delete it does.
		order := []string{"anonymous", "other user", "participant", "other agent", "agent", "owner", "admin"}
		for _, who := range order {
			want, tok := tc.expect[who], callers[who]
			path := "/api/conversations/" + tc.conv
			check := func(what string, got, want int) {
				t.Helper()
				if got != want {
					t.Errorf("%s, %s: %s answered %d; want %d", tc.name, who, what, got, want)
				}
			}
			check("GET history", a.do(t, "GET", path+"/history", tok, "").status, want.read)
			check("POST message", a.do(t, "POST", path+"/messages", tok, `{"content":"hi from `+who+`"}`).status, want.write)
			check("PATCH title", a.do(t, "PATCH", path, tok, `{"title":"by `+who+`"}`).status, want.patch)
		}
		deleted := false
		for _, who := range order {
			want := tc.expect[who].del
			if deleted {
				continue
			}
			header := map[string]string{}
			if tok := callers[who]; tok != "" {
				header["Authorization"] = "Bearer " + tok
			}
			got, _ := a.send(t, "DELETE", "/api/conversations/"+tc.conv, header)
			if got != want {
				t.Errorf("%s, %s: DELETE answered %d; want %d", tc.name, who, got, want)
			}
			deleted = got == 204
		}
	}
}

// ?participant=U lists U's conversations: for agents (only those the rule
// lets them see) and admins; a user may list only their own.
func TestListParticipant(t *testing.T) {
	a := newAPI(t, runtime.Config{})
	ann := a.token(t, "ann", "")
	var ids []string
	for range 3 {
		ids = append(ids, a.do(t, "POST", "/api/conversations", ann, `{}`).expect(t, 201, "").body["id"].(string))
	}
	waiting := runtime.SupportWaiting
	if _, err := a.store.UpdateSession(context.Background(), runtime.SessionID(ids[1]), runtime.SessionUpdate{SupportStatus: &waiting}); err != nil {
		t.Fatal(err)
	}
	total := func(tok string, status int) any {
		t.Helper()
		return a.do(t, "GET", "/api/conversations?participant=ann", tok, "").expect(t, status, "").body["total"]
	}
	if got := total(a.token(t, "root", "admin"), 200); got != 3.0 {
		t.Errorf("admin sees %v of ann's conversations; want 3", got)
	}
	if got := total(a.token(t, "ag", "agent"), 200); got != 1.0 {
		t.Errorf("an agent sees %v of ann's conversations; want 1 (the one in the queue)", got)
	}
	if got := total(ann, 200); got != 3.0 {
		t.Errorf("ann sees %v of her own; want 3", got)
	}
	a.do(t, "GET", "/api/conversations?participant=ann", a.token(t, "zed", ""), "").expect(t, 403, "forbidden")
}

// Who wrote a message comes from the credentials: a participant's message
// is a user's with their name, an admin's or an agent's is an agent's; no
// field of the request can change either.
func TestSenderFromCredentials(t *testing.T) {
	a := newAPI(t, runtime.Config{})
	ann := a.token(t, "ann", "")
	id := a.do(t, "POST", "/api/conversations", ann, `{"participants":["bea"]}`).expect(t, 201, "").body["id"].(string)
	path := "/api/conversations/" + id
	// A request that names a sender is refused (an unknown field).
	bad := a.do(t, "POST", path+"/messages", a.token(t, "bea", ""), `{"content":"from bea","sender":"bot"}`).expect(t, 400, "invalid_request")
	if !strings.Contains(bad.body["message"].(string), `"sender"`) {
		t.Fatalf("refusal %s", bad.raw)
	}
	a.do(t, "POST", path+"/messages", a.token(t, "bea", ""), `{"content":"from bea"}`).expect(t, 201, "")
	a.do(t, "POST", path+"/messages", a.token(t, "root", "admin"), `{"content":"from root"}`).expect(t, 201, "")
	h := a.do(t, "GET", path+"/history", ann, "").expect(t, 200, "")
	msgs := h.body["messages"].([]any)
	var got []string
	for _, m := range msgs {
		m := m.(map[string]any)
		got = append(got, fmt.Sprintf("%v/%v: %v", m["sender"], m["sender_name"], m["content"]))
	}
	if want := "[user/Bea: from bea agent/Root: from root]"; fmt.Sprint(got) != want {
		t.Fatalf("history %q; want %s", got, want)
	}
}

// POST /api/conversations/:id/read: any member marks what they have read;
// the answer is their mark (forward only, never past the last message)
// and the conversation's other sockets get a receipt.
func TestMarkRead(t *testing.T) {
	a := newAPI(t, runtime.Config{})
	ann, bea := a.token(t, "ann", ""), a.token(t, "bea", "")
	id := a.do(t, "POST", "/api/conversations", ann, `{"participants":["bea"]}`).expect(t, 201, "").body["id"].(string)
	path := "/api/conversations/" + id
	for range 2 {
		a.do(t, "POST", path+"/messages", ann, `{"content":"hi"}`).expect(t, 201, "")
	}
	sub, err := a.hub.Join(context.Background(), runtime.Identity{UserID: "ann", Role: runtime.RoleUser}, runtime.JoinRequest{SessionID: runtime.SessionID(id)})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()

	if r := a.do(t, "POST", path+"/read", bea, `{"seq":5}`).expect(t, 200, ""); strings.TrimSpace(r.raw) != `{"read_seq":2}` {
		t.Fatalf("bea's read answered %s", r.raw)
	}
	if e := <-sub.Events(); e.Type != runtime.EventRead || e.User != "bea" || e.Seq != 2 {
		t.Fatalf("ann's socket got %+v, want bea's receipt", e)
	}
	if r := a.do(t, "POST", path+"/read", bea, `{"seq":1}`).expect(t, 200, ""); strings.TrimSpace(r.raw) != `{"read_seq":2}` {
		t.Fatalf("bea's read backwards answered %s", r.raw)
	}
	if r := a.do(t, "POST", path+"/read", ann, `{"seq":1}`).expect(t, 200, ""); strings.TrimSpace(r.raw) != `{"read_seq":1}` {
		t.Fatalf("ann's read answered %s", r.raw)
	}
	if c := a.do(t, "GET", "/api/conversations", ann, "").body["conversations"].([]any)[0].(map[string]any); c["read_seq"] != 1.0 {
		t.Fatalf("ann's stored mark %v, want 1", c["read_seq"])
	}
	a.do(t, "POST", path+"/read", bea, `{}`).expect(t, 400, "invalid_request")
	a.do(t, "POST", path+"/read", bea, `{"seq":-1}`).expect(t, 400, "invalid_request")
	a.do(t, "POST", path+"/read", a.token(t, "zed", ""), `{"seq":1}`).expect(t, 403, "forbidden")
	a.do(t, "POST", "/api/conversations/nope/read", ann, `{"seq":1}`).expect(t, 404, "not_found")
	select {
	case e := <-sub.Events():
		t.Fatalf("ann's own read or a refused one reached her socket: %+v", e)
	default:
	}
}
