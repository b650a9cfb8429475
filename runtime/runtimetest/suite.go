package runtimetest

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"parley/runtime"
)

// StoreSuite checks that a runtime.Store behaves as the interface
// documents. newStore must return an empty, ready store for each subtest
// (and close it with t.Cleanup).
//
// The store's clock must tell apart messages appended one after the other,
// or the time filters of FindMessages cannot be checked (the suite fails
// saying so). Give the store a fake clock that ticks on every call; a real
// clock works only where an append takes longer than a microsecond.
func StoreSuite(t *testing.T, newStore func(t *testing.T) runtime.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, st runtime.Store)
	}{
		{"CreateFind", testCreateFind},
		{"CreateDefaults", testCreateDefaults},
		{"LatestSession", testLatestSession},
		{"ListSessions", testListSessions},
		{"UpdateSession", testUpdateSession},
		{"Append", testAppend},
		{"AppendMissingSession", testAppendMissingSession},
		{"ClientIDDedupe", testClientIDDedupe},
		{"FindMessages", testFindMessages},
		{"FindMessagesGrid", testFindMessagesGrid},
		{"FindSince", testFindSince},
		{"FindSinceOneMoment", testFindSinceOneMoment},
		{"Memory", testMemory},
		{"DeleteIdleAnonymous", testDeleteIdleAnonymous},
		{"DeleteSession", testDeleteSession},
		{"APIKeys", testAPIKeys},
		{"ConcurrentAppend", testConcurrentAppend},
		{"UsersAndPing", testUsersAndPing},
		{"LastUserSeq", testLastUserSeq},
		{"CommitDialog", testCommitDialog},
		{"CommitDialogRuns", testCommitDialogRuns},
		{"CommitDialogMissingSession", testCommitDialogMissingSession},
		{"CommitDialogAtomic", testCommitDialogAtomic},
		{"CommitDialogInvalid", testCommitDialogInvalid},
		{"CommitDialogInput", testCommitDialogInput},
		{"Scripts", testScripts},
		{"PendingDialogs", testPendingDialogs},
		{"ConcurrentDialog", testConcurrentDialog},
		{"People", testPeople},
		{"ListSupport", testListSupport},
		{"Transfer", testTransfer},
		{"SupportStats", testSupportStats},
		{"Uploads", testUploads},
		{"CommitDialogUploads", testCommitDialogUploads},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
	}
}

// t0 is far in the past, so any clock a store uses for appends is later
// than the activity times the tests give sessions.
var t0 = time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)

// newSession returns a session ready for CreateSession.
func newSession(user string, bot runtime.BotID, lastActivity time.Time) *runtime.Session {
	return &runtime.Session{
		ID: runtime.SessionID(newID()), BotID: bot, UserID: user, UserName: "name of " + user,
		Status: runtime.StatusActive, CreatedAt: t0, LastActivity: lastActivity,
	}
}

func mustCreate(t *testing.T, st runtime.Store, s *runtime.Session) *runtime.Session {
	t.Helper()
	if err := st.CreateSession(context.Background(), s); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	return s
}

func mustFind(t *testing.T, st runtime.Store, id runtime.SessionID) *runtime.Session {
	t.Helper()
	s, err := st.FindSession(context.Background(), id)
	if err != nil {
		t.Fatalf("FindSession(%s): %v", id, err)
	}
	return s
}

// mustAppend appends a user message with content and returns it as stored.
func mustAppend(t *testing.T, st runtime.Store, id runtime.SessionID, content string) *runtime.Message {
	t.Helper()
	m := &runtime.Message{SessionID: id, Sender: runtime.SenderUser, SenderID: "writer", Content: content}
	if created, err := st.AppendMessage(context.Background(), m); err != nil || !created {
		t.Fatalf("AppendMessage(%q) = %v, %v; want true, nil", content, created, err)
	}
	return m
}

func mustMessages(t *testing.T, st runtime.Store, f runtime.MessageFilter) []*runtime.Message {
	t.Helper()
	list, err := st.FindMessages(context.Background(), f)
	if err != nil {
		t.Fatalf("FindMessages(%+v): %v", f, err)
	}
	return list
}

func wantKind(t *testing.T, err error, k runtime.Kind, what string) {
	t.Helper()
	if !runtime.IsKind(err, k) {
		t.Errorf("%s: err = %v; want kind %s", what, err, k)
	}
}

func seqs(list []*runtime.Message) []int64 {
	out := []int64{}
	for _, m := range list {
		out = append(out, m.Seq)
	}
	return out
}

func seqRange(from, to int64) []int64 {
	out := []int64{}
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// jsonEqual compares JSON by meaning: a database may re-space it.
func jsonEqual(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var va, vb any
	return json.Unmarshal(a, &va) == nil && json.Unmarshal(b, &vb) == nil && reflect.DeepEqual(va, vb)
}

// checkSession reports every field of got that differs from want. Empty
// and nil suggestions are the same.
func checkSession(t *testing.T, got, want *runtime.Session) {
	t.Helper()
	g, w := *got, *want
	if !jsonEqual(g.Metadata, w.Metadata) || !slices.Equal(g.Suggestions, w.Suggestions) {
		t.Errorf("session %s: metadata/suggestions = %s %q; want %s %q", w.ID, g.Metadata, g.Suggestions, w.Metadata, w.Suggestions)
	}
	checkTime(t, "session CreatedAt", g.CreatedAt, w.CreatedAt)
	checkTime(t, "session LastActivity", g.LastActivity, w.LastActivity)
	checkTime(t, "session WakeAt", g.WakeAt, w.WakeAt)
	g.Metadata, w.Metadata, g.Suggestions, w.Suggestions = nil, nil, nil, nil
	g.CreatedAt, w.CreatedAt, g.LastActivity, w.LastActivity = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	g.WakeAt, w.WakeAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("session:\n got %+v\nwant %+v", g, w)
	}
}

// checkMessage reports every field of got that differs from want.
func checkMessage(t *testing.T, got, want *runtime.Message) {
	t.Helper()
	g, w := *got, *want
	if !jsonEqual(g.Attachments, w.Attachments) || !jsonEqual(g.Metadata, w.Metadata) {
		t.Errorf("message %s: attachments/metadata = %s %s; want %s %s", w.ID, g.Attachments, g.Metadata, w.Attachments, w.Metadata)
	}
	checkTime(t, "message CreatedAt", g.CreatedAt, w.CreatedAt)
	g.Attachments, w.Attachments, g.Metadata, w.Metadata = nil, nil, nil, nil
	g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("message:\n got %+v\nwant %+v", g, w)
	}
}

// checkTime wants got to be the same instant as want, in UTC.
func checkTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("%s = %v; want %v in UTC", what, got, want)
	}
}
