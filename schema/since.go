package schema

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"parley/runtime"
)

// FindSince: a node's catch-up reads (runtime/cluster.go) of all the
// conversations a NOTIFY batch names, in one statement, where they were
// two round trips per conversation (the session, then its messages).
//
// The marks become a table k (id, after_seq, ord): unnest over two
// arrays on PostgreSQL, json_each over one JSON array on SQLite (which
// has no cluster, but the store is one). Each is joined to its sessions
// row and, left, to its messages after after_seq: a range of the
// (session_id, seq) index, bounded by the session's last_seq, which the
// same statement's snapshot read (a message is visible exactly when the
// last_seq that counts it is, since one transaction writes both), and by
// the limit (a LIMIT on PostgreSQL, after_seq + limit on SQLite, which
// has no LATERAL; seqs have no gaps, so both are the first limit). The
// session's columns repeat on each of its message rows: a catch-up has a
// message or two per conversation, and a second result set would cost a
// round trip or a second statement's snapshot.

// On PostgreSQL the statement is kept prepared on the read pool
// (readStmt): planning it took more than running it for a conversation
// or two, and a prepared run is one round trip where lib/pq makes two of
// an unprepared query with arguments (parse, then bind and execute). Its
// text is the same whatever the marks (they are arrays), so one
// statement serves every call. SQLite's connections keep their
// statements already (driver_sqlite_stmts.go).

// sinceMessageColumns are the message columns of a FindSince row, NULL
// on the row of a conversation with no new message.
const sinceMessageColumns = `m.id AS m_id, m.seq AS m_seq, m.sender AS m_sender, m.content AS m_content,
	m.client_id AS m_client_id, m.attachments AS m_attachments, m.metadata AS m_metadata,
	m.created_at AS m_created_at, m.sender_name AS m_sender_name, m.sender_id AS m_sender_id`

// sinceRow is one row of FindSince: a session, and one of its messages
// or none.
type sinceRow struct {
	sessionRow
	MID          *string  `db:"m_id"`
	MSeq         *int64   `db:"m_seq"`
	MSender      *string  `db:"m_sender"`
	MContent     *string  `db:"m_content"`
	MClientID    *string  `db:"m_client_id"`
	MAttachments jsonText `db:"m_attachments"`
	MMetadata    jsonText `db:"m_metadata"`
	MCreatedAt   dbTime   `db:"m_created_at"`
	MSenderName  *string  `db:"m_sender_name"`
	MSenderID    *string  `db:"m_sender_id"`
}

// message is the row's message, nil when it has none.
func (r *sinceRow) message() *runtime.Message {
	if r.MID == nil {
		return nil
	}
	return messageRow{
		ID: *r.MID, SessionID: r.ID, Seq: *r.MSeq, Sender: *r.MSender, Content: *r.MContent,
		ClientID: r.MClientID, Attachments: r.MAttachments, Metadata: r.MMetadata,
		CreatedAt: r.MCreatedAt, SenderName: *r.MSenderName, SenderID: *r.MSenderID,
	}.message()
}

// FindSince reads the sessions of marks and their messages after each
// mark, in one statement; see runtime.MessageStore.
func (db *DB) FindSince(ctx context.Context, marks []runtime.SeqMark, limit int) ([]*runtime.SessionNews, error) {
	q, args, err := db.sinceQuery(marks, limit)
	if q == "" || err != nil {
		return nil, err
	}
	var rows []sinceRow
	if st := db.since.get(ctx, db, q); st != nil {
		err = st.SelectContext(ctx, &rows, args...)
	} else {
		err = db.read.SelectContext(ctx, &rows, q, args...)
	}
	if err != nil {
		return nil, db.fail(err, "conversation")
	}
	var list []*runtime.SessionNews
	for i := range rows {
		r := &rows[i]
		if i == 0 || r.ID != rows[i-1].ID {
			s, err := r.session()
			if err != nil {
				return nil, err
			}
			list = append(list, &runtime.SessionNews{Session: s})
		}
		if m := r.message(); m != nil {
			news := list[len(list)-1]
			news.Messages = append(news.Messages, m)
		}
	}
	return list, nil
}

// sinceQuery is FindSince's statement and its arguments; none when no
// mark can name a conversation.
func (db *DB) sinceQuery(marks []runtime.SeqMark, limit int) (string, []any, error) {
	if limit < 1 {
		limit = runtime.DefaultSinceLimit
	}
	ids, afters := make([]string, 0, len(marks)), make([]int64, 0, len(marks))
	seen := make(map[runtime.SessionID]bool, len(marks))
	for _, m := range marks {
		if !seen[m.SessionID] && !db.noSuchID(string(m.SessionID)) {
			seen[m.SessionID] = true
			ids, afters = append(ids, string(m.SessionID)), append(afters, m.AfterSeq)
		}
	}
	if len(ids) == 0 {
		return "", nil, nil
	}
	// The marks as a table k (id, after_seq, ord), and the messages of
	// each. PostgreSQL takes them in a LATERAL subquery, which makes the
	// index scan start at after_seq: joined plainly, its planner scans
	// each conversation's index range from seq 1 and filters.
	var keys, messages string
	var args []any
	if db.dialect == postgresDialect {
		keys = `unnest(?::uuid[], ?::bigint[]) WITH ORDINALITY AS k(id, after_seq, ord)`
		messages = `LEFT JOIN LATERAL (SELECT ` + messageColumns + ` FROM message_history
			WHERE session_id = s.id AND seq > k.after_seq AND seq <= s.last_seq
			ORDER BY seq LIMIT ?) m ON TRUE`
		args = []any{pq.Array(ids), pq.Array(afters)}
	} else {
		pairs := make([][2]any, len(ids))
		for i := range ids {
			pairs[i] = [2]any{ids[i], afters[i]}
		}
		b, err := json.Marshal(pairs)
		if err != nil {
			return "", nil, err
		}
		keys = `(SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS after_seq, key AS ord
			FROM json_each(?)) k`
		messages = `LEFT JOIN message_history m ON m.session_id = s.id AND m.seq > k.after_seq
			AND m.seq <= s.last_seq AND m.seq <= k.after_seq + ?`
		args = []any{string(b)}
	}
	q := db.write.Rebind(`SELECT ` + sessionColumns(db.dialect) + `, ` + sinceMessageColumns + `
		FROM ` + keys + `
		JOIN sessions s ON s.id = k.id
		` + messages + `
		ORDER BY k.ord, m.seq`)
	return q, append(args, limit), nil
}

// readStmt is a query of the read pool kept prepared, on PostgreSQL;
// database/sql prepares it on each connection as the connection first
// runs it.
type readStmt struct {
	mu    sync.Mutex
	st    *sqlx.Stmt
	query string
}

// get returns the statement of query, preparing it on first use; nil on
// SQLite, for another query than the first, or when preparing failed
// (the caller runs query unprepared, which reports the error, and the
// next call tries again).
func (k *readStmt) get(ctx context.Context, db *DB, query string) *sqlx.Stmt {
	if db.dialect != postgresDialect {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.st == nil {
		st, err := db.read.PreparexContext(ctx, query)
		if err != nil {
			return nil
		}
		k.st, k.query = st, query
	}
	if k.query != query {
		return nil
	}
	return k.st
}

// close closes the statement, if any.
func (k *readStmt) close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.st == nil {
		return nil
	}
	err := k.st.Close()
	k.st = nil
	return err
}
