package rest_test

import (
	"testing"

	"parley/runtime"
)

// DELETE /api/conversations/:id: 204 with no body for the owner; 403 for
// another user, 404 for an unknown id; the history is gone afterwards.
func TestDeleteConversationEndpoint(t *testing.T) {
	t.Parallel()
	a := newAPI(t, runtime.Config{})
	alice, bob := a.token(t, "alice", ""), a.token(t, "bob", "")
	r := a.do(t, "POST", "/api/conversations/start", alice, `{"bot_id":"other","initial_message":"first"}`).expect(t, 201, "")
	id := r.body["conversation_id"].(string)
	path := "/api/conversations/" + id

	a.do(t, "DELETE", path, bob, "").expect(t, 403, "forbidden")
	a.do(t, "DELETE", path, "", "").expect(t, 401, "unauthorized")
	a.do(t, "DELETE", "/api/conversations/"+runtime.NewID(), alice, "").expect(t, 404, "not_found")
	a.do(t, "GET", path+"/history", alice, "").expect(t, 200, "")

	code, body := a.send(t, "DELETE", path, map[string]string{"Authorization": "Bearer " + alice})
	if code != 204 || body != "" {
		t.Fatalf("delete: %d %q, want 204 and no body", code, body)
	}
	a.do(t, "GET", path+"/history", alice, "").expect(t, 404, "not_found")
	a.do(t, "DELETE", path, alice, "").expect(t, 404, "not_found")
	if r := a.do(t, "GET", "/api/conversations", alice, "").expect(t, 200, ""); r.body["total"] != 0.0 {
		t.Fatalf("list after the delete: %s", r.raw)
	}
}
