package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"parley/runtime"
)

// The access rule as a table (issue 15; docs/support.md, "Who may do
// what"): each kind of caller against every REST endpoint and /ws frame
// that names a conversation or the desk, on conversations in the states
// that matter, over the real wire, each cell with the status and error
// code (REST), the close code (connecting to /ws) or the frame (the other
// frames) it gets.
//
// A cell expected to succeed at a call that changes its conversation
// (authzCall.changes: DELETE, a PATCH of status or support status,
// assign, the bot switch, and every /ws cell, since an agent or admin
// whose socket joins becomes a member) gets a conversation of its own;
// every other cell uses the shared one of its column, which it must leave
// as it found it. (When the rule breaks, a refusal that succeeds may
// change the shared one: that cell fails anyway.) The lists run first,
// while the only conversations are the shared ones.
//
// Break mayAccess (let any agent in, or leave members out) and this
// fails, cell by cell.
func TestAuthorizationTable(t *testing.T) {
	e := newAuthzEnv(t)
	for _, r := range authzDesk {
		t.Run(r.call+"/"+r.who, func(t *testing.T) {
			if got := authzDeskCalls[r.call](t, e, e.callers[r.who]); got != r.want {
				t.Errorf("%s by %s: got %q, want %q", r.call, r.who, got, r.want)
			}
		})
	}
	for _, r := range authzTable {
		call, ok := authzCalls[r.call]
		if !ok {
			t.Fatalf("no call %q", r.call)
		}
		for i, col := range authzColumns {
			want := r.outcomes()[i]
			if want == "-" {
				continue
			}
			t.Run(r.call+"/"+r.who+"/"+col, func(t *testing.T) {
				x := e.shared[col]
				if call.changes && authzSucceeds(want) {
					x = e.newConv(t, col)
				}
				if got := call.do(t, e, e.caller(r.who, x), x); got != want {
					t.Errorf("%s by %s on the %s conversation: got %q, want %q", r.call, r.who, col, got, want)
				}
			})
		}
	}
}

// Callers (the rows). ann, bea and zed are users, ag and ov agents, root
// an admin.
const (
	byOwner        = "owner"            // ann, who started it; of a visitor's conversation, the visitor, by its resume token
	byParticipant  = "participant"      // bea, added when ann created "people" ("-" on queued, assigned and visitor)
	byOtherUser    = "other user"       // zed
	byAgent        = "agent"            // ag: "assigned" is assigned to them
	byOtherAgent   = "other agent"      // ov
	byAdmin        = "admin"            // root
	byAgentKey     = "agent by API key" // ag again, by a key made with `parley apikey create --role agent`
	byAnonymous    = "anonymous"        // no credentials (on /ws, no resume token either)
	byOtherVisitor = "other visitor"    // anonymous, with a conversation of their own: its resume token, its socket
	byBadToken     = "bad token"        // a JWT signed with another secret
)

// The conversations (the columns), as ann's, except the visitor's:
//   - people: ann's with the echo bot and bea as a participant;
//   - queued: ann's alone with a bot that handed it to the desk (TRANSFER):
//     support status waiting;
//   - assigned: as queued, then assigned to ag by an admin (support status
//     open; ag is a member too, as assigning makes them);
//   - visitor: an anonymous visitor's with the welcome bot, handed to the
//     desk by its "Talk to support";
//   - gone: an id no conversation has.
var authzColumns = []string{colPeople, colQueued, colAssigned, colVisitor, colGone}

const (
	colPeople   = "people"
	colQueued   = "queued"
	colAssigned = "assigned"
	colVisitor  = "visitor"
	colGone     = "gone"
)

// An authzRow is one caller at one call, with the outcome on each
// conversation: over REST "STATUS" or "STATUS error_code"; connecting to
// /ws "connected" or "CLOSE_CODE error_code"; a join "connected" (its
// status frame) or the error frame's code; a message frame the sender of
// the message that comes back ("user" or "agent") or the code; typing and
// read frames "ok" (no error frame) or the code; leave "left" or the
// code. "-": not a case (bea is a participant of "people" only; a visitor
// has no second socket to join from). Every error frame is checked to
// leave the socket open.
type authzRow struct {
	call, who                               string
	people, queued, assigned, visitor, gone string
}

func (r authzRow) outcomes() []string {
	return []string{r.people, r.queued, r.assigned, r.visitor, r.gone}
}

// The calls (conversation ids are the column's).
const (
	getHistory     = "GET /api/conversations/:id/history"
	postMessage    = "POST /api/conversations/:id/messages"
	patchTitle     = "PATCH /api/conversations/:id {title}"
	patchArchived  = "PATCH /api/conversations/:id {status:archived}"
	patchResolved  = "PATCH /api/conversations/:id {support_status:resolved,note}"
	deleteConv     = "DELETE /api/conversations/:id"
	assignSelf     = "POST /api/conversations/:id/assign {agent:<caller>}"
	assignOther    = "POST /api/conversations/:id/assign {agent:kim}"
	botsOff        = "POST /api/conversations/:id/bots {enabled:false}"
	postRead       = "POST /api/conversations/:id/read {seq:1}"
	wsConnect      = "/ws?session_id=:id"
	wsJoin         = "/ws join {session_id:id}"
	wsMessage      = "/ws message {session_id:id}"
	wsTyping       = "/ws typing {session_id:id}"
	wsRead         = "/ws read {session_id:id,seq:1}"
	wsLeave        = "/ws leave {session_id:id}"
	listOwn        = "GET /api/conversations"
	listAnn        = "GET /api/conversations?participant=ann"
	supportWaiting = "GET /api/support/conversations"
	supportOpen    = "GET /api/support/conversations?status=open"
	postConv       = "POST /api/conversations {participants:[bea]}"
	postStart      = "POST /api/conversations/start"
)

var authzTable = []authzRow{
	// call, caller, then the outcome on: people, queued, assigned, visitor, gone
	{getHistory, byOwner, "200", "200", "200", "401 unauthorized", "404 not_found"},
	{getHistory, byParticipant, "200", "-", "-", "-", "404 not_found"},
	{getHistory, byOtherUser, "403 forbidden", "403 forbidden", "403 forbidden", "403 forbidden", "404 not_found"},
	{getHistory, byAgent, "403 forbidden", "200", "200", "200", "404 not_found"},
	{getHistory, byOtherAgent, "403 forbidden", "200", "403 forbidden", "200", "404 not_found"},
	{getHistory, byAdmin, "200", "200", "200", "200", "404 not_found"},
	{getHistory, byAgentKey, "403 forbidden", "200", "200", "200", "404 not_found"},
	{getHistory, byAnonymous, "401 unauthorized", "401 unauthorized", "401 unauthorized", "401 unauthorized", "401 unauthorized"},
	{getHistory, byBadToken, "401 unauthorized", "401 unauthorized", "401 unauthorized", "401 unauthorized", "401 unauthorized"},

	{postMessage, byOwner, "201", "201", "201", "401 unauthorized", "404 not_found"},
	{postMessage, byParticipant, "201", "-", "-", "-", "404 not_found"},
	{postMessage, byOtherUser, "403 forbidden", "403 forbidden", "403 forbidden", "403 forbidden", "404 not_found"},
	{postMessage, byAgent, "403 forbidden", "201", "201", "201", "404 not_found"},
	{postMessage, byOtherAgent, "403 forbidden", "201", "403 forbidden", "201", "404 not_found"},
	{postMessage, byAdmin, "201", "201", "201", "201", "404 not_found"},
	{postMessage, byAgentKey, "403 forbidden", "201", "201", "201", "404 not_found"},
	{postMessage, byAnonymous, "401 unauthorized", "401 unauthorized", "401 unauthorized", "401 unauthorized", "401 unauthorized"},

	{patchTitle, byOwner, "200", "200", "200", "401 unauthorized", "404 not_found"},
	{patchTitle, byParticipant, "200", "-", "-", "-", "404 not_found"},
	{patchTitle, byOtherUser, "403 forbidden", "403 forbidden", "403 forbidden", "403 forbidden", "404 not_found"},
	{patchTitle, byAgent, "403 forbidden", "200", "200", "200", "404 not_found"},
	{patchTitle, byOtherAgent, "403 forbidden", "200", "403 forbidden", "200", "404 not_found"},
	{patchTitle, byAdmin, "200", "200", "200", "200", "404 not_found"},
	{patchTitle, byAnonymous, "401 unauthorized", "401 unauthorized", "401 unauthorized", "401 unauthorized", "401 unauthorized"},

	{patchArchived, byOwner, "200", "200", "200", "401 unauthorized", "404 not_found"},
	{patchArchived, byParticipant, "200", "-", "-", "-", "404 not_found"},
	{patchArchived, byOtherUser, "403 forbidden", "403 forbidden", "403 forbidden", "403 forbidden", "404 not_found"},
	{patchArchived, byAgent, "403 forbidden", "200", "200", "200", "404 not_found"},
	{patchArchived, byOtherAgent, "403 forbidden", "200", "403 forbidden", "200", "404 not_found"},
	{patchArchived, byAdmin, "200", "200", "200", "200", "404 not_found"},
	{patchArchived, byAnonymous, "401 unauthorized", "401 unauthorized", "401 unauthorized", "401 unauthorized", "401 unauthorized"},

	// The support status is the desk's: users are refused before the
	// conversation is looked up, so even one that does not exist is 403.
	{patchResolved, byOwner, "403 forbidden", "403 forbidden", "403 forbidden", "401 unauthorized", "403 forbidden"},
	{patchResolved, byParticipant, "403 forbidden", "-", "-", "-", "403 forbidden"},
	{patchResolved, byOtherUser, "403 forbidden", "403 forbidden", "403 forbidden", "403 forbidden", "403 forbidden"},
	{patchResolved, byAgent, "403 forbidden", "200", "200", "200", "404 not_found"},
	{patchResolved, byOtherAgent, "403 forbidden", "200", "403 forbidden", "200", "404 not_found"},
	{patchResolved, byAdmin, "200", "200", "200", "200", "404 not_found"},
	{patchResolved, byAgentKey, "403 forbidden", "200", "200", "200", "404 not_found"},
	{patchResolved, byAnonymous, "401 unauthorized", "401 unauthorized", "401 unauthorized", "401 unauthorized", "401 unauthorized"},

	// Assigning is the desk's too (users: 403 before the lookup); an
	// agent may take what the rule lets them reach, for themselves only.
	{assignSelf, byOwner, "403 forbidden", "403 forbidden", "403 forbidden", "401 unauthorized", "403 forbidden"},
	{assignSelf, byParticipant, "403 forbidden", "-", "-", "-", "403 forbidden"},
	{assignSelf, byOtherUser, "403 forbidden", "403 forbidden", "403 forbidden", "403 forbidden", "403 forbidden"},
	{assignSelf, byAgent, "403 forbidden", "200", "200", "200", "404 not_found"},
	{assignSelf, byOtherAgent, "403 forbidden", "200", "403 forbidden", "200", "404 not_found"},
	{assignSelf, byAdmin, "200", "200", "200", "200", "404 not_found"},
	{assignSelf, byAgentKey, "403 forbidden", "200", "200", "200", "404 not_found"},
	{assignSelf, byAnonymous, "401 unauthorized", "401 unauthorized", "401 unauthorized", "401 unauthorized", "401 unauthorized"},
	{assignOther, byOwner, "403 forbidden", "403 forbidden", "403 forbidden", "401 unauthorized", "403 forbidden"},
	{assignOther, byAgent, "403 forbidden", "403 forbidden", "403 forbidden", "403 forbidden", "403 forbidden"},
	{assignOther, byOtherAgent, "403 forbidden", "403 forbidden", "403 forbidden", "403 forbidden", "403 forbidden"},
	{assignOther, byAdmin, "200", "200", "200", "200", "404 not_found"},

	// The bot switch: the rule, and a user alone with the bot (queued:
	// nobody has joined yet) may not. An assigned agent is a member, so
	// ann may switch the bot of "assigned".
	{botsOff, byOwner, "200", "403 forbidden", "200", "401 unauthorized", "404 not_found"},
	{botsOff, byParticipant, "200", "-", "-", "-", "404 not_found"},
	{botsOff, byOtherUser, "403 forbidden", "403 forbidden", "403 forbidden", "403 forbidden", "404 not_found"},
	{botsOff, byAgent, "403 forbidden", "200", "200", "200", "404 not_found"},
	{botsOff, byOtherAgent, "403 forbidden", "200", "403 forbidden", "200", "404 not_found"},
	{botsOff, byAdmin, "200", "200", "200", "200", "404 not_found"},
	{botsOff, byAnonymous, "401 unauthorized", "401 unauthorized", "401 unauthorized", "401 unauthorized", "401 unauthorized"},

	{postRead, byOwner, "200", "200", "200", "401 unauthorized", "404 not_found"},
	{postRead, byParticipant, "200", "-", "-", "-", "404 not_found"},
	{postRead, byOtherUser, "403 forbidden", "403 forbidden", "403 forbidden", "403 forbidden", "404 not_found"},
	{postRead, byAgent, "403 forbidden", "200", "200", "200", "404 not_found"},
	{postRead, byOtherAgent, "403 forbidden", "200", "403 forbidden", "200", "404 not_found"},
	{postRead, byAdmin, "200", "200", "200", "200", "404 not_found"},
	{postRead, byAnonymous, "401 unauthorized", "401 unauthorized", "401 unauthorized", "401 unauthorized", "401 unauthorized"},

	// /ws. Credentials are checked first (4001), then whether the
	// conversation exists (4004, for anonymous callers too), then the rule.
	{wsConnect, byOwner, "connected", "connected", "connected", "connected", "4004 not_found"},
	{wsConnect, byParticipant, "connected", "-", "-", "-", "4004 not_found"},
	{wsConnect, byOtherUser, "4003 forbidden", "4003 forbidden", "4003 forbidden", "4003 forbidden", "4004 not_found"},
	{wsConnect, byAgent, "4003 forbidden", "connected", "connected", "connected", "4004 not_found"},
	{wsConnect, byOtherAgent, "4003 forbidden", "connected", "4003 forbidden", "connected", "4004 not_found"},
	{wsConnect, byAdmin, "connected", "connected", "connected", "connected", "4004 not_found"},
	{wsConnect, byAgentKey, "4003 forbidden", "connected", "connected", "connected", "4004 not_found"},
	{wsConnect, byAnonymous, "4003 forbidden", "4003 forbidden", "4003 forbidden", "4003 forbidden", "4004 not_found"},
	{wsConnect, byOtherVisitor, "4003 forbidden", "4003 forbidden", "4003 forbidden", "4003 forbidden", "4004 not_found"},
	{wsConnect, byBadToken, "4001 unauthorized", "4001 unauthorized", "4001 unauthorized", "4001 unauthorized", "4001 unauthorized"},

	// Frames, from a socket of the caller's own conversation (a visitor's:
	// of their own, which "owner" of the visitor's conversation already
	// follows). message, typing, read and leave come after a join, which
	// the rule decides: a refused join leaves a socket that does not
	// follow the conversation, so its frames are refused.
	{wsJoin, byOwner, "connected", "connected", "connected", "-", "not_found"},
	{wsJoin, byParticipant, "connected", "-", "-", "-", "not_found"},
	{wsJoin, byOtherUser, "forbidden", "forbidden", "forbidden", "forbidden", "not_found"},
	{wsJoin, byAgent, "forbidden", "connected", "connected", "connected", "not_found"},
	{wsJoin, byOtherAgent, "forbidden", "connected", "forbidden", "connected", "not_found"},
	{wsJoin, byAdmin, "connected", "connected", "connected", "connected", "not_found"},
	{wsJoin, byOtherVisitor, "forbidden", "forbidden", "forbidden", "forbidden", "forbidden"},

	{wsMessage, byOwner, "user", "user", "user", "user", "forbidden"},
	{wsMessage, byParticipant, "user", "-", "-", "-", "forbidden"},
	{wsMessage, byOtherUser, "forbidden", "forbidden", "forbidden", "forbidden", "forbidden"},
	{wsMessage, byAgent, "forbidden", "agent", "agent", "agent", "forbidden"},
	{wsMessage, byOtherAgent, "forbidden", "agent", "forbidden", "agent", "forbidden"},
	{wsMessage, byAdmin, "agent", "agent", "agent", "agent", "forbidden"},
	{wsMessage, byOtherVisitor, "forbidden", "forbidden", "forbidden", "forbidden", "forbidden"},

	{wsTyping, byOwner, "ok", "ok", "ok", "ok", "forbidden"},
	{wsTyping, byParticipant, "ok", "-", "-", "-", "forbidden"},
	{wsTyping, byOtherUser, "forbidden", "forbidden", "forbidden", "forbidden", "forbidden"},
	{wsTyping, byAgent, "forbidden", "ok", "ok", "ok", "forbidden"},
	{wsTyping, byOtherAgent, "forbidden", "ok", "forbidden", "ok", "forbidden"},
	{wsTyping, byAdmin, "ok", "ok", "ok", "ok", "forbidden"},
	{wsTyping, byOtherVisitor, "forbidden", "forbidden", "forbidden", "forbidden", "forbidden"},

	{wsRead, byOwner, "ok", "ok", "ok", "ok", "forbidden"},
	{wsRead, byParticipant, "ok", "-", "-", "-", "forbidden"},
	{wsRead, byOtherUser, "forbidden", "forbidden", "forbidden", "forbidden", "forbidden"},
	{wsRead, byAgent, "forbidden", "ok", "ok", "ok", "forbidden"},
	{wsRead, byOtherAgent, "forbidden", "ok", "forbidden", "ok", "forbidden"},
	{wsRead, byAdmin, "ok", "ok", "ok", "ok", "forbidden"},
	{wsRead, byOtherVisitor, "forbidden", "forbidden", "forbidden", "forbidden", "forbidden"},

	{wsLeave, byOwner, "left", "left", "left", "left", "invalid_request"},
	{wsLeave, byParticipant, "left", "-", "-", "-", "invalid_request"},
	{wsLeave, byOtherUser, "invalid_request", "invalid_request", "invalid_request", "invalid_request", "invalid_request"},
	{wsLeave, byAgent, "invalid_request", "left", "left", "left", "invalid_request"},
	{wsLeave, byOtherAgent, "invalid_request", "left", "invalid_request", "left", "invalid_request"},
	{wsLeave, byAdmin, "left", "left", "left", "left", "invalid_request"},
	{wsLeave, byOtherVisitor, "invalid_request", "invalid_request", "invalid_request", "invalid_request", "invalid_request"},

	// Deleting is for the user who started it and admins (mayDelete):
	// not for a participant, nor for an agent who may read and write it.
	// Last, so that a broken rule that deletes a shared conversation
	// fails these rows only.
	{deleteConv, byOwner, "204", "204", "204", "401 unauthorized", "404 not_found"},
	{deleteConv, byParticipant, "403 forbidden", "-", "-", "-", "404 not_found"},
	{deleteConv, byOtherUser, "403 forbidden", "403 forbidden", "403 forbidden", "403 forbidden", "404 not_found"},
	{deleteConv, byAgent, "403 forbidden", "403 forbidden", "403 forbidden", "403 forbidden", "404 not_found"},
	{deleteConv, byOtherAgent, "403 forbidden", "403 forbidden", "403 forbidden", "403 forbidden", "404 not_found"},
	{deleteConv, byAdmin, "204", "204", "204", "204", "404 not_found"},
	{deleteConv, byAgentKey, "403 forbidden", "403 forbidden", "403 forbidden", "403 forbidden", "404 not_found"},
	{deleteConv, byAnonymous, "401 unauthorized", "401 unauthorized", "401 unauthorized", "401 unauthorized", "401 unauthorized"},
}

// authzDesk is the calls that name no conversation: the lists and the
// desk, and creating one. A list's outcome names the shared conversations
// it has, in column order. (GET /api/support/stats, for agents and
// admins, goes here once it is built: the rows of supportWaiting.)
var authzDesk = []struct{ call, who, want string }{
	{listOwn, byOwner, "200 people queued assigned"},
	{listOwn, byParticipant, "200 people"},
	{listOwn, byOtherUser, "200"},
	{listOwn, byAgent, "200 assigned"}, // assigning made ag a member
	{listOwn, byOtherAgent, "200"},
	{listOwn, byAdmin, "200"},
	{listOwn, byAnonymous, "401 unauthorized"},

	{listAnn, byOwner, "200 people queued assigned"},
	{listAnn, byParticipant, "403 forbidden"},
	{listAnn, byOtherUser, "403 forbidden"},
	{listAnn, byAgent, "200 queued assigned"},
	{listAnn, byOtherAgent, "200 queued"},
	{listAnn, byAdmin, "200 people queued assigned"},
	{listAnn, byAgentKey, "200 queued assigned"},
	{listAnn, byAnonymous, "401 unauthorized"},
	{listAnn, byBadToken, "401 unauthorized"},

	{supportWaiting, byOwner, "403 forbidden"},
	{supportWaiting, byParticipant, "403 forbidden"},
	{supportWaiting, byOtherUser, "403 forbidden"},
	{supportWaiting, byAgent, "200 queued visitor"},
	{supportWaiting, byOtherAgent, "200 queued visitor"},
	{supportWaiting, byAdmin, "200 queued visitor"},
	{supportWaiting, byAgentKey, "200 queued visitor"},
	{supportWaiting, byAnonymous, "401 unauthorized"},
	{supportWaiting, byBadToken, "401 unauthorized"},

	// The queue of another support status lists, to an agent, only what
	// the rule lets them reach: those assigned to them. An admin sees all.
	{supportOpen, byOwner, "403 forbidden"},
	{supportOpen, byAgent, "200 assigned"},
	{supportOpen, byOtherAgent, "200"},
	{supportOpen, byAdmin, "200 people assigned"},

	{postConv, byOwner, "201"},
	{postConv, byOtherUser, "201"},
	{postConv, byAgent, "201"},
	{postConv, byAdmin, "201"},
	{postConv, byAgentKey, "201"},
	{postConv, byAnonymous, "401 unauthorized"},
	{postConv, byBadToken, "401 unauthorized"},

	{postStart, byOwner, "201"},
	{postStart, byAgent, "201"},
	{postStart, byAdmin, "201"},
	{postStart, byAnonymous, "401 unauthorized"},
	{postStart, byBadToken, "401 unauthorized"},
}

// authzSucceeds reports whether an outcome is a success.
func authzSucceeds(outcome string) bool {
	switch outcome {
	case "connected", "user", "agent", "ok", "left":
		return true
	}
	return strings.HasPrefix(outcome, "2")
}

// authzCall is how a call is made; changes says that a success changes
// the conversation (or its members), so such a cell gets its own.
type authzCall struct {
	changes bool
	do      func(t *testing.T, e *authzEnv, c authzCaller, x *authzConv) string
}

var authzCalls = map[string]authzCall{
	getHistory: {do: func(t *testing.T, e *authzEnv, c authzCaller, x *authzConv) string {
		return e.rest(t, c, "GET", "/api/conversations/"+x.id+"/history", nil, nil)
	}},
	postMessage: {do: func(t *testing.T, e *authzEnv, c authzCaller, x *authzConv) string {
		return e.rest(t, c, "POST", "/api/conversations/"+x.id+"/messages", map[string]string{"content": "over REST"}, nil)
	}},
	patchTitle: {do: func(t *testing.T, e *authzEnv, c authzCaller, x *authzConv) string {
		return e.rest(t, c, "PATCH", "/api/conversations/"+x.id, map[string]string{"title": "Renamed"}, nil)
	}},
	patchArchived: {changes: true, do: func(t *testing.T, e *authzEnv, c authzCaller, x *authzConv) string {
		return e.rest(t, c, "PATCH", "/api/conversations/"+x.id, map[string]string{"status": "archived"}, nil)
	}},
	patchResolved: {changes: true, do: func(t *testing.T, e *authzEnv, c authzCaller, x *authzConv) string {
		return e.rest(t, c, "PATCH", "/api/conversations/"+x.id, map[string]string{"support_status": "resolved", "note": "done"}, nil)
	}},
	deleteConv: {changes: true, do: func(t *testing.T, e *authzEnv, c authzCaller, x *authzConv) string {
		return e.rest(t, c, "DELETE", "/api/conversations/"+x.id, nil, nil)
	}},
	assignSelf: {changes: true, do: func(t *testing.T, e *authzEnv, c authzCaller, x *authzConv) string {
		return e.rest(t, c, "POST", "/api/conversations/"+x.id+"/assign", map[string]string{"agent": c.user}, nil)
	}},
	assignOther: {changes: true, do: func(t *testing.T, e *authzEnv, c authzCaller, x *authzConv) string {
		return e.rest(t, c, "POST", "/api/conversations/"+x.id+"/assign", map[string]string{"agent": "kim"}, nil)
	}},
	botsOff: {changes: true, do: func(t *testing.T, e *authzEnv, c authzCaller, x *authzConv) string {
		return e.rest(t, c, "POST", "/api/conversations/"+x.id+"/bots", map[string]bool{"enabled": false}, nil)
	}},
	postRead: {do: func(t *testing.T, e *authzEnv, c authzCaller, x *authzConv) string {
		return e.rest(t, c, "POST", "/api/conversations/"+x.id+"/read", map[string]int{"seq": 1}, nil)
	}},
	wsConnect: {changes: true, do: func(t *testing.T, e *authzEnv, c authzCaller, x *authzConv) string {
		return e.connect(t, c, x)
	}},
	wsJoin: {changes: true, do: func(t *testing.T, e *authzEnv, c authzCaller, x *authzConv) string {
		sock := e.home(t, c)
		return sock.join(x.id)
	}},
	wsMessage: {changes: true, do: func(t *testing.T, e *authzEnv, c authzCaller, x *authzConv) string {
		sock := e.following(t, c, x)
		sock.send(map[string]string{"type": "message", "session_id": x.id, "content": "over /ws", "client_id": "authz"})
		f, ok := sock.await(func(f frame) bool {
			return f.Type == "message" && f.SessionID == x.id && f.ClientID == "authz" || f.Type == "error" && f.SessionID == x.id
		})
		switch {
		case !ok:
			return "nothing"
		case f.Type == "message":
			return f.Sender + sock.stillOpen()
		}
		return f.Code + sock.stillOpen()
	}},
	wsTyping: {changes: true, do: func(t *testing.T, e *authzEnv, c authzCaller, x *authzConv) string {
		sock := e.following(t, c, x)
		sock.send(map[string]any{"type": "typing", "session_id": x.id, "active": true})
		return sock.errorOrOK()
	}},
	wsRead: {changes: true, do: func(t *testing.T, e *authzEnv, c authzCaller, x *authzConv) string {
		sock := e.following(t, c, x)
		sock.send(map[string]any{"type": "read", "session_id": x.id, "seq": 1})
		return sock.errorOrOK()
	}},
	wsLeave: {changes: true, do: func(t *testing.T, e *authzEnv, c authzCaller, x *authzConv) string {
		sock := e.following(t, c, x)
		sock.send(map[string]string{"type": "leave", "session_id": x.id})
		f, ok := sock.await(func(f frame) bool {
			return f.Type == "status" && f.Status == "left" && f.SessionID == x.id || f.Type == "error" && f.SessionID == x.id
		})
		switch {
		case !ok:
			return "nothing"
		case f.Type == "status":
			return "left" + sock.stillOpen()
		}
		return f.Code + sock.stillOpen()
	}},
}

var authzDeskCalls = map[string]func(t *testing.T, e *authzEnv, c authzCaller) string{
	listOwn: func(t *testing.T, e *authzEnv, c authzCaller) string {
		return e.list(t, c, "/api/conversations?limit=100")
	},
	listAnn: func(t *testing.T, e *authzEnv, c authzCaller) string {
		return e.list(t, c, "/api/conversations?participant=ann&limit=100")
	},
	supportWaiting: func(t *testing.T, e *authzEnv, c authzCaller) string {
		return e.list(t, c, "/api/support/conversations?limit=100")
	},
	supportOpen: func(t *testing.T, e *authzEnv, c authzCaller) string {
		return e.list(t, c, "/api/support/conversations?status=open&limit=100")
	},
	postConv: func(t *testing.T, e *authzEnv, c authzCaller) string {
		return e.rest(t, c, "POST", "/api/conversations", map[string]any{"bot_id": "echo", "participants": []string{"bea"}}, nil)
	},
	postStart: func(t *testing.T, e *authzEnv, c authzCaller) string {
		return e.rest(t, c, "POST", "/api/conversations/start", map[string]string{"bot_id": "echo"}, nil)
	},
}

// authzEnv is the server, the callers and the shared conversations.
type authzEnv struct {
	s       *testServer
	ann     string // ann's and root's JWTs, for making conversations
	root    string
	callers map[string]authzCaller
	shared  map[string]*authzConv
	homes   map[string]string // each caller's own conversation, for their frames
}

// authzCaller is who calls: a user id and credentials, or, for a visitor,
// their own conversation.
type authzCaller struct {
	name    string
	user    string      // the user id; "" for anonymous callers
	header  http.Header // the credentials; none for anonymous callers
	visitor *authzConv  // an anonymous caller's own conversation (nil: none)
}

// authzConv is a conversation of the table; token is a visitor's resume
// token.
type authzConv struct {
	id, token string
}

func newAuthzEnv(t *testing.T) *authzEnv {
	dir := testBots(t)
	writeBot(t, dir, "handover", "name: Handover\n", handoverBot)
	s := MustRunMain(t, func(c *Config) { c.Bots = dir })
	e := &authzEnv{
		s: s, ann: tokenFor(t, "ann"), root: tokenWithRole(t, "root", "admin"),
		shared: map[string]*authzConv{}, homes: map[string]string{},
	}
	code, out, errs := runCLI(t, append([]string{"apikey", "create", "--user", "ag", "--name", "authz", "--role", "agent"}, storeArgs(s)...)...)
	if code != 0 {
		t.Fatalf("apikey create: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	var forged bytes.Buffer
	args := []string{"token", "--user", "ann", "--jwt-secret", "another-secret", "--data", t.TempDir()}
	if code := run(context.Background(), args, &forged, io.Discard); code != 0 {
		t.Fatalf("parley token exited %d", code)
	}
	stranger, hello := mustDial(t, s, "", "")
	stranger.conn.Close(websocket.StatusNormalClosure, "")
	e.callers = map[string]authzCaller{
		byOwner:        {user: "ann", header: bearer(e.ann)},
		byParticipant:  {user: "bea", header: bearer(tokenFor(t, "bea"))},
		byOtherUser:    {user: "zed", header: bearer(tokenFor(t, "zed"))},
		byAgent:        {user: "ag", header: bearer(tokenWithRole(t, "ag", "agent"))},
		byOtherAgent:   {user: "ov", header: bearer(tokenWithRole(t, "ov", "agent"))},
		byAdmin:        {user: "root", header: bearer(e.root)},
		byAgentKey:     {user: "ag", header: http.Header{"X-Api-Key": {strings.TrimSpace(out)}}},
		byAnonymous:    {},
		byOtherVisitor: {visitor: &authzConv{id: hello.SessionID, token: hello.ResumeToken}},
		byBadToken:     {user: "ann", header: bearer(strings.TrimSpace(forged.String()))},
	}
	for name, c := range e.callers {
		c.name = name
		e.callers[name] = c
	}
	for _, col := range authzColumns {
		e.shared[col] = e.newConv(t, col)
	}
	return e
}

// caller is who calls on x: the owner of a visitor's conversation is the
// visitor.
func (e *authzEnv) caller(who string, x *authzConv) authzCaller {
	if who == byOwner && x.token != "" {
		return authzCaller{name: who, visitor: x}
	}
	c, ok := e.callers[who]
	if !ok {
		panic("no caller " + who)
	}
	return c
}

// newConv makes a conversation of a column.
func (e *authzEnv) newConv(t *testing.T, col string) *authzConv {
	t.Helper()
	switch col {
	case colPeople:
		var c struct{ ID string }
		if st := api(t, e.s, "POST", "/api/conversations", e.ann, map[string]any{"bot_id": "echo", "participants": []string{"bea"}}, &c); st != 201 {
			t.Fatalf("POST /api/conversations: %d", st)
		}
		return &authzConv{id: c.ID}
	case colQueued:
		return e.handedOver(t)
	case colAssigned:
		x := e.handedOver(t)
		if st := api(t, e.s, "POST", "/api/conversations/"+x.id+"/assign", e.root, map[string]string{"agent": "ag"}, nil); st != 200 {
			t.Fatalf("assigning to ag: %d", st)
		}
		return x
	case colVisitor:
		sock, hello := mustDial(t, e.s, "", "")
		sock.say("Vi", "v1") // the welcome bot asks for a name, then shows its menu
		sock.say("Talk to support", "v2")
		sock.expect("status", func(f frame) bool { return f.Status == "waiting_agent" })
		sock.conn.Close(websocket.StatusNormalClosure, "")
		return &authzConv{id: hello.SessionID, token: hello.ResumeToken}
	case colGone:
		return &authzConv{id: runtime.NewID()}
	}
	t.Fatalf("no column %q", col)
	return nil
}

// handedOver is a conversation of ann's that the handover bot handed to
// the desk: waiting for an agent.
func (e *authzEnv) handedOver(t *testing.T) *authzConv {
	t.Helper()
	var c struct{ ID string }
	if st := api(t, e.s, "POST", "/api/conversations", e.ann, map[string]any{"bot_id": "handover"}, &c); st != 201 {
		t.Fatalf("POST /api/conversations: %d", st)
	}
	sock, _ := mustDial(t, e.s, "session_id="+c.ID, e.ann)
	sock.say("help", "h1")
	sock.expect("status", func(f frame) bool { return f.Status == "waiting_agent" })
	sock.conn.Close(websocket.StatusNormalClosure, "")
	return &authzConv{id: c.ID}
}

// rest makes a REST call as c and returns "STATUS" or "STATUS code";
// the body of a success goes into out (if not nil).
func (e *authzEnv) rest(t *testing.T, c authzCaller, method, path string, body, out any) string {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = jsonBody(t, body)
	}
	req, err := http.NewRequest(method, e.s.URL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 {
		var eb errorBody
		json.Unmarshal(data, &eb)
		return fmt.Sprintf("%d %s", resp.StatusCode, eb.Error)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %d %q: %v", method, path, resp.StatusCode, data, err)
		}
	}
	return strconv.Itoa(resp.StatusCode)
}

// list lists as c and returns the status and the shared conversations
// in the list, in column order.
func (e *authzEnv) list(t *testing.T, c authzCaller, path string) string {
	t.Helper()
	var l struct {
		Conversations []struct{ ID string }
	}
	got := e.rest(t, c, "GET", path, nil, &l)
	if got != "200" {
		return got
	}
	for _, col := range authzColumns {
		for _, row := range l.Conversations {
			if row.ID == e.shared[col].id {
				got += " " + col
			}
		}
	}
	return got
}

// connect opens /ws?session_id= on x as c and returns "connected" or the
// close code and the error frame's code.
func (e *authzEnv) connect(t *testing.T, c authzCaller, x *authzConv) string {
	q := url.Values{"session_id": {x.id}}
	if c.visitor != nil {
		q.Set("resume_token", c.visitor.token)
	}
	sock, _, err := dialWS(t, e.s, q.Encode(), c.header)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	s := &authzSocket{sock}
	f, ok := s.await(func(f frame) bool { return f.Type == "error" || f.Type == "status" && f.Status == "connected" })
	switch {
	case !ok:
		return fmt.Sprintf("closed with %d, no frame", websocket.CloseStatus(sock.err))
	case f.Type == "status" && f.SessionID != x.id:
		return "connected to " + f.SessionID
	case f.Type == "status":
		return "connected"
	}
	if _, ok := s.await(func(frame) bool { return false }); ok || sock.err == nil {
		return f.Code + ", not closed"
	}
	return fmt.Sprintf("%d %s", websocket.CloseStatus(sock.err), f.Code)
}

// home opens a socket as c on their own conversation: a visitor's, or one
// the caller started with the echo bot (one per caller).
func (e *authzEnv) home(t *testing.T, c authzCaller) *authzSocket {
	t.Helper()
	q := url.Values{}
	if v := c.visitor; v != nil {
		q.Set("session_id", v.id)
		q.Set("resume_token", v.token)
	} else {
		id, ok := e.homes[c.name]
		if !ok {
			var st startBody
			if got := e.rest(t, c, "POST", "/api/conversations/start", map[string]string{"bot_id": "echo"}, &st); got != "201" {
				t.Fatalf("%s starts a conversation: %s", c.name, got)
			}
			id = st.SessionID
			e.homes[c.name] = id
		}
		q.Set("session_id", id)
	}
	sock, _, err := dialWS(t, e.s, q.Encode(), c.header)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	if f := sock.next(); f.Type != "status" || f.Status != "connected" {
		t.Fatalf("%s's own socket: %s", c.name, f.raw)
	}
	return &authzSocket{sock}
}

// following is a socket of c that follows x, if the rule lets it: one
// on their own conversation that has joined x (a visitor's own is x).
func (e *authzEnv) following(t *testing.T, c authzCaller, x *authzConv) *authzSocket {
	t.Helper()
	sock := e.home(t, c)
	if c.visitor != x {
		sock.join(x.id)
	}
	return sock
}

// authzSocket is a test client of /ws whose expectations return what
// came instead of failing the test.
type authzSocket struct{ *wsClient }

// await returns the first frame match accepts; false when the socket
// closed first, or nothing came in time.
func (s *authzSocket) await(match func(frame) bool) (frame, bool) {
	deadline := time.After(waitFor)
	for {
		select {
		case f, ok := <-s.frames:
			if !ok {
				return frame{}, false
			}
			if match(f) {
				return f, true
			}
		case <-deadline:
			return frame{}, false
		}
	}
}

// join sends a join frame for sid and returns "connected" (its status
// frame) or the error frame's code.
func (s *authzSocket) join(sid string) string {
	s.send(map[string]string{"type": "join", "session_id": sid})
	f, ok := s.await(func(f frame) bool {
		return f.SessionID == sid && (f.Type == "error" || f.Type == "status" && f.Status == "connected")
	})
	switch {
	case !ok:
		return "nothing"
	case f.Type == "status":
		return "connected"
	}
	return f.Code + s.stillOpen()
}

// probe is a conversation id no socket follows: leaving it is an error
// frame that names it.
const probe = "authz-probe"

// stillOpen sends a frame that is refused (leaving a conversation the
// socket does not follow) and waits for its error: "" when it comes, so
// the socket is open and every frame sent before it was answered.
func (s *authzSocket) stillOpen() string {
	s.send(map[string]string{"type": "leave", "session_id": probe})
	if _, ok := s.await(func(f frame) bool { return f.Type == "error" && f.SessionID == probe }); !ok {
		return ", then the socket closed"
	}
	return ""
}

// errorOrOK returns the code of the error frame that answers the frame
// just sent, or "ok" when none does (the probe's error comes first).
func (s *authzSocket) errorOrOK() string {
	s.send(map[string]string{"type": "leave", "session_id": probe})
	f, ok := s.await(func(f frame) bool { return f.Type == "error" })
	switch {
	case !ok:
		return "the socket closed"
	case f.SessionID == probe:
		return "ok"
	}
	return f.Code + s.stillOpen()
}
