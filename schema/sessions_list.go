package schema

import (
	"context"
	"math"
	"strings"

	"github.com/jmoiron/sqlx"

	"parley/runtime"
)

// summaryRow is a session with its newest message, which the LEFT JOIN
// leaves NULL when there is none.
type summaryRow struct {
	sessionRow
	MsgID          *string  `db:"m_id"`
	MsgSeq         *int64   `db:"m_seq"`
	MsgSender      *string  `db:"m_sender"`
	MsgSenderName  *string  `db:"m_sender_name"`
	MsgSenderID    *string  `db:"m_sender_id"`
	MsgContent     *string  `db:"m_content"`
	MsgClientID    *string  `db:"m_client_id"`
	MsgAttachments jsonText `db:"m_attachments"`
	MsgMetadata    jsonText `db:"m_metadata"`
	MsgCreatedAt   dbTime   `db:"m_created_at"`
}

func (r *summaryRow) summary() (*runtime.SessionSummary, error) {
	s, err := r.sessionRow.session()
	if err != nil {
		return nil, err
	}
	sum := &runtime.SessionSummary{Session: *s}
	if r.MsgID != nil {
		sum.LastMessage = messageRow{
			ID: *r.MsgID, SessionID: r.ID, Seq: *r.MsgSeq, Sender: *r.MsgSender, SenderName: *r.MsgSenderName, SenderID: *r.MsgSenderID,
			Content: *r.MsgContent, ClientID: r.MsgClientID, Attachments: r.MsgAttachments,
			Metadata: r.MsgMetadata, CreatedAt: r.MsgCreatedAt,
		}.message()
	}
	return sum, nil
}

// ListSessions returns one page of the user's sessions, most recent activity
// first (ties by id, descending), each with its newest message, and the
// number of sessions that match f. Limit <= 0 means no limit. Both come from
// one snapshot, so the total agrees with the page.
func (db *DB) ListSessions(ctx context.Context, f runtime.SessionFilter) ([]*runtime.SessionSummary, int, error) {
	var list []*runtime.SessionSummary
	var total int
	err := db.inReadTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if list, err = db.listSessionsTx(ctx, tx, f); err != nil {
			return err
		}
		where, args := sessionWhere(f)
		return tx.GetContext(ctx, &total, db.write.Rebind(`SELECT count(*) FROM sessions s`+where), args...)
	})
	if err != nil {
		return nil, 0, db.fail(err, "conversation")
	}
	return list, total, nil
}

// listSessionsTx reads the page.
func (db *DB) listSessionsTx(ctx context.Context, tx *sqlx.Tx, f runtime.SessionFilter) ([]*runtime.SessionSummary, error) {
	where, args := sessionWhere(f)
	return db.summariesTx(ctx, tx, where+` ORDER BY s.last_activity DESC, s.id DESC`, args, f.Limit, f.Offset)
}

// summariesTx reads one page of sessions, each with its newest message:
// the one whose seq is the session's last_seq, a single indexed lookup
// per session. tail is the WHERE and ORDER BY clauses.
func (db *DB) summariesTx(ctx context.Context, tx *sqlx.Tx, tail string, args []any, limit, offset int) ([]*runtime.SessionSummary, error) {
	q := `SELECT ` + sessionColumns(db.dialect) + `, m.id AS m_id, m.seq AS m_seq, m.sender AS m_sender,
		m.sender_name AS m_sender_name, m.content AS m_content, m.client_id AS m_client_id, m.attachments AS m_attachments,
		m.metadata AS m_metadata, m.created_at AS m_created_at, m.sender_id AS m_sender_id
		FROM sessions s LEFT JOIN message_history m ON m.session_id = s.id AND m.seq = s.last_seq` +
		tail + ` LIMIT ? OFFSET ?`
	var rows []summaryRow
	l, o := page(limit, offset)
	if err := tx.SelectContext(ctx, &rows, db.write.Rebind(q), append(args, l, o)...); err != nil {
		return nil, err
	}
	list := make([]*runtime.SessionSummary, 0, len(rows))
	for i := range rows {
		sum, err := rows[i].summary()
		if err != nil {
			return nil, err
		}
		list = append(list, sum)
	}
	return list, nil
}

// sessionWhere is the WHERE clause of f. The user filter always applies:
// the sessions the user started or is a member of. An empty UserID
// matches no real session rather than every session, and anonymous
// sessions (generated user ids) are never listed.
//
// The two sets are a UNION ALL, each read from its index
// (sessions_user_bot_status, whose prefix is user_id, and
// session_members_user), whose ids are then looked up by primary key and
// the page sorted: an OR of the two conditions is a scan of sessions on
// PostgreSQL, which does not split an OR with a subquery
// (TestListSessionsPlan). No index orders sessions by last_activity for a
// user: each would be rewritten by every message (0015_activity_indexes).
func sessionWhere(f runtime.SessionFilter) (string, []any) {
	conds := []string{`s.id IN (SELECT u.id FROM sessions u WHERE u.user_id = ?
		UNION ALL SELECT sm.session_id FROM session_members sm WHERE sm.user_id = ?)`, "NOT s.anonymous"}
	args := []any{f.UserID, f.UserID}
	if f.BotID != "" {
		conds, args = append(conds, "s.bot_id = ?"), append(args, f.BotID)
	}
	if f.Status != "" {
		conds, args = append(conds, "s.status = ?"), append(args, f.Status)
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// page turns a Limit/Offset pair into LIMIT ? OFFSET ? arguments. "No
// limit" is the largest int64, which SQLite and PostgreSQL both accept,
// so the query text does not depend on the filter.
func page(limit, offset int) (int64, int64) {
	l := int64(limit)
	if l <= 0 {
		l = math.MaxInt64
	}
	return l, int64(max(offset, 0))
}
