package runtimetest

import (
	"context"
	"slices"
	"strings"
	"time"

	"parley/runtime"
)

// CreateSession stores a copy of s, filling the zero fields as schema does:
// ID, CreatedAt, LastActivity, Status; LastSeq, LastUserSeq and
// ConsumedSeq start at 0.
func (s *MemStore) CreateSession(ctx context.Context, sess *runtime.Session) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sess.ID == "" {
		sess.ID = runtime.SessionID(newID())
	}
	if _, ok := s.sessions[sess.ID]; ok {
		return runtime.Errorf(runtime.KindConflict, "conversation already exists")
	}
	if sess.CreatedAt.IsZero() {
		sess.CreatedAt = s.now()
	}
	if sess.LastActivity.IsZero() {
		sess.LastActivity = sess.CreatedAt
	}
	if sess.Status == "" {
		sess.Status = runtime.StatusActive
	}
	if sess.SupportStatus == "" {
		sess.SupportStatus = runtime.SupportOpen
	}
	sess.CreatedAt, sess.LastActivity = utcMicro(sess.CreatedAt), utcMicro(sess.LastActivity)
	if !sess.WakeAt.IsZero() {
		sess.WakeAt = utcMicro(sess.WakeAt)
	}
	sess.LastSeq, sess.LastUserSeq, sess.ConsumedSeq = 0, 0, 0
	var members []string
	for _, m := range sess.Members {
		if m != sess.UserID && !slices.Contains(members, m) {
			members = append(members, m)
		}
	}
	sess.Members = members
	s.sessions[sess.ID] = cloneSession(sess)
	return nil
}

// FindSession returns a copy of the session, or KindNotFound.
func (s *MemStore) FindSession(ctx context.Context, id runtime.SessionID) (*runtime.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[id]
	if !ok {
		return nil, runtime.Errorf(runtime.KindNotFound, "conversation not found")
	}
	return cloneSession(sess), nil
}

// FindLatestSession returns the user's active session with bot that saw
// activity last, or KindNotFound.
func (s *MemStore) FindLatestSession(ctx context.Context, userID string, bot runtime.BotID) (*runtime.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var best *runtime.Session
	for _, sess := range s.sessions {
		if sess.UserID != userID || sess.BotID != bot || sess.Status != runtime.StatusActive || sess.Anonymous {
			continue
		}
		if best == nil || newerFirst(sess, best) < 0 {
			best = sess
		}
	}
	if best == nil {
		return nil, runtime.Errorf(runtime.KindNotFound, "conversation not found")
	}
	return cloneSession(best), nil
}

// newerFirst orders sessions as the SQL stores do: last activity
// descending, then id descending.
func newerFirst(a, b *runtime.Session) int {
	if c := b.LastActivity.Compare(a.LastActivity); c != 0 {
		return c
	}
	return strings.Compare(string(b.ID), string(a.ID))
}

// ListSessions returns one page of the user's sessions and the total.
func (s *MemStore) ListSessions(ctx context.Context, f runtime.SessionFilter) ([]*runtime.SessionSummary, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []*runtime.Session
	for _, sess := range s.sessions {
		if (sess.UserID == f.UserID || slices.Contains(sess.Members, f.UserID)) && !sess.Anonymous && (f.BotID == "" || sess.BotID == f.BotID) &&
			(f.Status == "" || sess.Status == f.Status) {
			match = append(match, sess)
		}
	}
	slices.SortFunc(match, newerFirst)
	return s.pageLocked(match, f.Limit, f.Offset), len(match), nil
}

// pageLocked returns the page of match from offset, at most limit (<= 0:
// all), each with its newest message.
func (s *MemStore) pageLocked(match []*runtime.Session, limit, offset int) []*runtime.SessionSummary {
	match = match[min(max(offset, 0), len(match)):]
	if limit > 0 {
		match = match[:min(limit, len(match))]
	}
	list := make([]*runtime.SessionSummary, len(match))
	for i, sess := range match {
		list[i] = &runtime.SessionSummary{Session: *cloneSession(sess)}
		if msgs := s.messages[sess.ID]; len(msgs) > 0 {
			list[i].LastMessage = cloneMessage(msgs[len(msgs)-1])
		}
	}
	return list
}

// UpdateSession applies the non-nil fields of upd.
func (s *MemStore) UpdateSession(ctx context.Context, id runtime.SessionID, upd runtime.SessionUpdate) (*runtime.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[id]
	if !ok {
		return nil, runtime.Errorf(runtime.KindNotFound, "conversation not found")
	}
	if upd.IfSupportStatus != nil && sess.SupportStatus != *upd.IfSupportStatus {
		return cloneSession(sess), nil
	}
	if upd.Status != nil {
		sess.Status = *upd.Status
	}
	if upd.ReadSeq != nil {
		sess.ReadSeq = *upd.ReadSeq
	}
	if upd.Suggestions != nil {
		sess.Suggestions = slices.Clone(*upd.Suggestions)
	}
	if upd.LastActivity != nil {
		sess.LastActivity = utcMicro(*upd.LastActivity)
	}
	if upd.Title != nil {
		sess.Title = *upd.Title
	}
	if m := upd.AddMember; m != nil && *m != sess.UserID && !slices.Contains(sess.Members, *m) {
		sess.Members = append(slices.Clone(sess.Members), *m)
	}
	if upd.SupportStatus != nil {
		sess.SupportStatus = *upd.SupportStatus
	}
	if upd.AssignedAgent != nil {
		sess.AssignedAgent = *upd.AssignedAgent
	}
	if upd.BotOff != nil {
		sess.BotOff = *upd.BotOff
	}
	updateTransfer(sess, upd)
	return cloneSession(sess), nil
}

// DeleteIdleAnonymous deletes idle anonymous sessions, their messages and
// their memory.
func (s *MemStore) DeleteIdleAnonymous(ctx context.Context, cutoff time.Time) ([]runtime.SessionID, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []runtime.SessionID
	for id, sess := range s.sessions {
		if sess.Anonymous && sess.LastActivity.Before(cutoff) {
			ids = append(ids, id)
			s.deleteSession(id)
		}
	}
	return ids, nil
}

// deleteSession removes everything of one session; s.mu is held.
func (s *MemStore) deleteSession(id runtime.SessionID) {
	for _, m := range s.messages[id] {
		delete(s.byID, m.ID)
	}
	delete(s.messages, id)
	delete(s.sessions, id)
	delete(s.journal, id)
	for k := range s.memory {
		if k.scope.Owner == "session:"+string(id) {
			delete(s.memory, k)
		}
	}
}

// DeleteSession deletes one session with its messages, journal and
// session-owned memory.
func (s *MemStore) DeleteSession(ctx context.Context, id runtime.SessionID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sessions[id]; !ok {
		return runtime.Errorf(runtime.KindNotFound, "conversation not found")
	}
	s.deleteSession(id)
	return nil
}

// updateTransfer applies the handover's fields of upd.
func updateTransfer(sess *runtime.Session, upd runtime.SessionUpdate) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	if upd.Transfer != nil {
		sess.Transfer, sess.TransferOutcome = *upd.Transfer, "" // a new handover is pending
	}
	set(&sess.TransferReason, upd.TransferReason)
	set(&sess.SupportNote, upd.SupportNote)
	set(&sess.ResolvedBy, upd.ResolvedBy)
	if upd.EndTransfer != nil && sess.Transfer != "" && sess.TransferOutcome == "" {
		sess.TransferOutcome = *upd.EndTransfer
	}
	setTime := func(dst *time.Time, v *time.Time) {
		if v != nil {
			*dst = utcMicro(*v)
		}
	}
	setTime(&sess.WaitingSince, upd.WaitingSince)
	setTime(&sess.ResolvedAt, upd.ResolvedAt)
	if t := upd.FirstReplyAt; t != nil && (t.IsZero() || sess.FirstReplyAt.IsZero()) {
		sess.FirstReplyAt = utcMicro(*t) // the first reply is the first
	}
}
