package runtime

import "context"

// DeskQuery selects a page of the desk's conversations across support
// statuses.
type DeskQuery struct {
	Statuses []string // in this order; empty: every support status
	// Mine keeps those assigned to the caller, the queue included.
	Mine   bool
	Limit  int
	Offset int
}

// DeskConversations lists the conversations of several support statuses
// as one list, status by status in q.Statuses' order and each as
// SupportQueue orders it, and how many there are in all. What an agent
// sees is what SupportQueue shows them: every waiting conversation and
// the others assigned to them; with Mine, only those assigned to them.
// It counts as one list against the rate limit.
func (h *Hub) DeskConversations(ctx context.Context, id Identity, q DeskQuery) ([]Conversation, int, error) {
	if err := mayWorkDesk(id); err != nil {
		return nil, 0, err
	}
	statuses := q.Statuses
	if len(statuses) == 0 {
		statuses = supportStatuses
	}
	for _, st := range statuses {
		if err := validSupportStatus(st); err != nil {
			return nil, 0, err
		}
	}
	if err := h.allow(BucketList, id); err != nil {
		return nil, 0, err
	}
	var out []*SessionSummary
	total := 0
	for _, st := range statuses {
		f := SupportFilter{SupportStatus: st, Offset: max(q.Offset-total, 0)}
		if q.Mine || (id.Role == RoleAgent && st != SupportWaiting) {
			f.Agent = id.UserID
		}
		// A page that is full still needs each status's count: one row.
		f.Limit = max(q.Limit-len(out), 1)
		rows, n, err := h.store.ListSupport(ctx, f)
		if err != nil {
			return nil, 0, err
		}
		if len(out) < q.Limit {
			out = append(out, rows[:min(len(rows), q.Limit-len(out))]...)
		}
		total += n
	}
	return h.named(out), total, nil
}
