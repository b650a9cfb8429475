package runtimetest

import (
	"context"

	"parley/runtime"
)

// AppendMessage stores a copy of m with the next seq of its session.
func (s *MemStore) AppendMessage(ctx context.Context, m *runtime.Message) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[m.SessionID]
	if !ok {
		return false, runtime.Errorf(runtime.KindNotFound, "conversation not found")
	}
	if dup := s.byClientID(m.SessionID, m.ClientID); dup != nil {
		*m = *cloneMessage(dup)
		return false, nil
	}
	if m.ID == "" {
		m.ID = newID()
	}
	if _, ok := s.byID[m.ID]; ok {
		return false, runtime.Errorf(runtime.KindConflict, "message already exists")
	}
	s.appendLocked(sess, m)
	return true, nil
}

// appendLocked stores m, which has its ID, with the next seq of sess and
// moves the session as schema does; s.mu is held.
func (s *MemStore) appendLocked(sess *runtime.Session, m *runtime.Message) {
	sess.LastSeq++
	m.Seq, m.CreatedAt = sess.LastSeq, s.now()
	sess.LastActivity = m.CreatedAt
	if m.Sender == runtime.SenderUser {
		sess.LastUserSeq = m.Seq
		sess.Suggestions = []string{}
		if sess.Transfer != "" && sess.TransferOutcome == "" {
			sess.ConsumedSeq = m.Seq // for the people of a handover: taken, never heard
		}
	}
	stored := cloneMessage(m)
	s.messages[m.SessionID] = append(s.messages[m.SessionID], stored)
	s.byID[m.ID] = stored
}

// byClientID returns the session's message with clientID, or nil; s.mu is
// held.
func (s *MemStore) byClientID(id runtime.SessionID, clientID string) *runtime.Message {
	if clientID == "" {
		return nil
	}
	for _, m := range s.messages[id] {
		if m.ClientID == clientID {
			return m
		}
	}
	return nil
}

// FindMessage returns a copy of the message with id, or KindNotFound.
func (s *MemStore) FindMessage(ctx context.Context, id string) (*runtime.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.byID[id]
	if !ok {
		return nil, runtime.Errorf(runtime.KindNotFound, "message not found")
	}
	return cloneMessage(m), nil
}

// FindMessages returns the messages that match f, oldest first.
func (s *MemStore) FindMessages(ctx context.Context, f runtime.MessageFilter) ([]*runtime.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []*runtime.Message
	for _, m := range s.messages[f.SessionID] {
		if matches(f, m) {
			list = append(list, cloneMessage(m))
		}
	}
	return page(f, list), nil
}

// matches reports whether m passes the filters of f (all but Limit and
// Newest).
func matches(f runtime.MessageFilter, m *runtime.Message) bool {
	return m.SessionID == f.SessionID &&
		(f.AfterSeq <= 0 || m.Seq > f.AfterSeq) &&
		(f.BeforeSeq <= 0 || m.Seq < f.BeforeSeq) &&
		(f.AfterTime.IsZero() || m.CreatedAt.After(f.AfterTime)) &&
		(f.BeforeTime.IsZero() || m.CreatedAt.Before(f.BeforeTime))
}

// page cuts the matching messages (oldest first) to f.Limit: the oldest, or
// with f.Newest the newest, still oldest first.
func page(f runtime.MessageFilter, list []*runtime.Message) []*runtime.Message {
	if f.Limit <= 0 || len(list) <= f.Limit {
		return list
	}
	if f.Newest {
		return list[len(list)-f.Limit:]
	}
	return list[:f.Limit]
}

// FindSince returns, for each mark's session that exists, a copy of it
// and of its messages after the mark, at most limit, under one lock:
// one moment, as schema's one statement.
func (s *MemStore) FindSince(ctx context.Context, marks []runtime.SeqMark, limit int) ([]*runtime.SessionNews, error) {
	if limit < 1 {
		limit = runtime.DefaultSinceLimit
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []*runtime.SessionNews
	seen := map[runtime.SessionID]bool{}
	for _, mark := range marks {
		sess, ok := s.sessions[mark.SessionID]
		if !ok || seen[mark.SessionID] {
			continue
		}
		seen[mark.SessionID] = true
		news := &runtime.SessionNews{Session: cloneSession(sess)}
		for _, m := range s.messages[mark.SessionID] {
			if m.Seq > mark.AfterSeq && m.Seq <= sess.LastSeq && len(news.Messages) < limit {
				news.Messages = append(news.Messages, cloneMessage(m))
			}
		}
		list = append(list, news)
	}
	return list, nil
}
