package schema

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/lib/pq"

	"parley/runtime"
)

// The append in one statement, on PostgreSQL.
//
// appendTx on SQLite is up to three statements: the client id lookup,
// the seq bump (UPDATE sessions … RETURNING) and the INSERT. On
// PostgreSQL, where each statement is a round trip to the server and the
// committer runs a batch's statements one after another, data-modifying
// CTEs make it one: the bump feeds the INSERT, and the lookup, when there
// is a client id, stops the bump. The statement fails or succeeds whole,
// so the savepoint around the write still undoes it alone.

// postgresBump is the seq bump of appendTx as a CTE, for the sessions
// row that also meets cond. $1 is the time, $2 whether the message is the
// user's, $3 the session.
func postgresBump(cond string) string {
	return `bumped AS (
	UPDATE sessions SET last_seq = last_seq + 1, last_activity = $1,
		last_user_seq = CASE WHEN $2 THEN last_seq + 1 ELSE last_user_seq END,
		consumed_seq = CASE WHEN $2 AND ` + forPeople + ` THEN last_seq + 1 ELSE consumed_seq END,
		suggestions = CASE WHEN $2 THEN NULL ELSE suggestions END
	WHERE id = $3` + cond + `
	RETURNING last_seq)`
}

// postgresInsert inserts the message bumped made room for; $4… are the
// message's columns ($10 the sender's name, $11 their user id).
const postgresInsert = `INSERT INTO message_history (` + messageColumns + `)
	SELECT $4, $3, last_seq, $5, $6, $7, $8, $9, $1, $10, $11 FROM bumped`

// postgresAppend stores a message without a client id and returns its
// seq; no row means no session.
var postgresAppend = `WITH ` + postgresBump("") + `
` + postgresInsert + ` RETURNING seq`

// postgresAppendClientID stores a message with a client id unless the
// session has one with that id already. It returns the message stored
// under the id and whether this statement stored it; no row means no
// session.
var postgresAppendClientID = `WITH dup AS (
	SELECT ` + messageColumns + ` FROM message_history WHERE session_id = $3 AND client_id = $7
), ` + postgresBump(" AND NOT EXISTS (SELECT FROM dup)") + `, added AS (
	` + postgresInsert + ` RETURNING ` + messageColumns + `
)
SELECT ` + messageColumns + `, TRUE AS created FROM added
UNION ALL SELECT ` + messageColumns + `, FALSE FROM dup`

// appendTxPostgres is appendTx in one statement; row has its CreatedAt.
func appendTxPostgres(ctx context.Context, tx execQueryer, row messageRow) (*runtime.Message, bool, error) {
	isUser := row.Sender == string(runtime.SenderUser)
	args := []any{row.CreatedAt, isUser, row.SessionID, row.ID, row.Sender, row.Content,
		row.ClientID, row.Attachments, row.Metadata, row.SenderName, row.SenderID}
	if row.ClientID == nil {
		err := tx.QueryRowxContext(ctx, postgresAppend, args...).Scan(&row.Seq)
		if err != nil {
			return nil, false, noSession(err)
		}
		return row.message(), true, nil
	}
	var stored struct {
		messageRow
		Created bool `db:"created"`
	}
	if err := tx.QueryRowxContext(ctx, postgresAppendClientID, args...).StructScan(&stored); err != nil {
		return nil, false, noSession(err)
	}
	return stored.message(), stored.Created, nil
}

// noSession translates the error of an append: no row means no session.
func noSession(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return runtime.Errorf(runtime.KindNotFound, "conversation not found")
	}
	return err
}

// postgresAppendMany stores a run of appends: the arrays $2… hold them
// in order ($5 says which are the user's, $9 holds the client ids, $10
// the senders' names, $11 their user ids), $1 is the time. An append whose client id its
// session has already stored (dup) stores nothing and returns that
// message; the others (fresh) bump each session once, by its count of
// them, and are numbered from its old last_seq in array order. The
// sessions rows are locked in id order first (locked), so that two nodes'
// batches cannot deadlock; a missing session bumps nothing, and its
// messages are not inserted. It returns, for each append stored or found,
// the id it was given (key), whether it was stored (created), and the
// message.
const postgresAppendMany = `WITH input AS (
	SELECT t.* FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::boolean[], $6::text[], $7::jsonb[], $8::jsonb[], $9::text[], $10::text[], $11::text[])
		WITH ORDINALITY AS t(id, session_id, sender, is_user, content, attachments, metadata, client_id, sender_name, sender_id, ord)
), dup AS (
	SELECT i.ord, i.id AS key, m.*
	FROM input i CROSS JOIN LATERAL (
		SELECT m.id, m.session_id, m.seq, m.sender, m.content, m.client_id, m.attachments, m.metadata, m.created_at, m.sender_name, m.sender_id
		FROM message_history m WHERE m.session_id = i.session_id AND m.client_id = i.client_id
		LIMIT 1 -- at most one (message_history_client); kept from being pulled up into a join the planner may make a scan
	) m
), fresh AS (
	SELECT i.*, row_number() OVER (PARTITION BY i.session_id ORDER BY i.ord) AS k
	FROM input i WHERE i.ord NOT IN (SELECT ord FROM dup)
), counts AS (
	SELECT session_id, count(*) AS n, max(k) FILTER (WHERE is_user) AS user_k
	FROM fresh GROUP BY session_id
), locked AS MATERIALIZED (
	SELECT id FROM sessions WHERE id IN (SELECT session_id FROM counts) ORDER BY id FOR UPDATE
), bumped AS (
	UPDATE sessions s SET last_seq = s.last_seq + c.n, last_activity = $1::timestamptz,
		last_user_seq = CASE WHEN c.user_k IS NULL THEN s.last_user_seq ELSE s.last_seq + c.user_k END,
		consumed_seq = CASE WHEN c.user_k IS NOT NULL AND s.transfer <> '' AND s.transfer_outcome = ''
			THEN s.last_seq + c.user_k ELSE s.consumed_seq END,
		suggestions = CASE WHEN c.user_k IS NULL THEN s.suggestions END
	FROM counts c JOIN locked l ON l.id = c.session_id
	WHERE s.id = c.session_id
	RETURNING s.id, s.last_seq - c.n AS base
), added AS (
	INSERT INTO message_history (` + messageColumns + `)
	SELECT f.id, f.session_id, b.base + f.k, f.sender, f.content, f.client_id, f.attachments, f.metadata, $1::timestamptz, f.sender_name, f.sender_id
	FROM fresh f JOIN bumped b ON b.id = f.session_id
	RETURNING ` + messageColumns + `
)
SELECT id AS key, TRUE AS created, ` + messageColumns + ` FROM added
UNION ALL SELECT key, FALSE, ` + messageColumns + ` FROM dup`

// appendManyPostgres is the committer's appendMany on PostgreSQL.
func (db *DB) appendManyPostgres(ctx context.Context, tx execQueryer, apps []*appendWrite) error {
	for _, a := range apps {
		a.stored, a.created, a.err = nil, false, nil // from a run of the batch that did not commit
	}
	now := dbTime(db.now())
	args, err := appendManyArgs(apps)
	if err != nil {
		return err // invalid JSON: each append reports its own
	}
	rows, err := tx.QueryxContext(ctx, postgresAppendMany, append([]any{now}, args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	type result struct {
		Key     string `db:"key"`
		Created bool   `db:"created"`
		messageRow
	}
	results := make(map[string]result, len(apps))
	for rows.Next() {
		var r result
		if err := rows.StructScan(&r); err != nil {
			return err
		}
		results[r.Key] = r
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, a := range apps {
		r, ok := results[a.row.ID]
		if !ok {
			a.err = runtime.Errorf(runtime.KindNotFound, "conversation not found")
			continue
		}
		a.stored, a.created = r.message(), r.Created
	}
	return nil
}

// appendManyArgs returns the arrays $2… of postgresAppendMany.
func appendManyArgs(apps []*appendWrite) ([]any, error) {
	n := len(apps)
	ids, sessions, senders, contents, names := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	senderIDs := make([]string, n)
	users := make([]bool, n)
	attachments, metadata, clientIDs := make([]sql.NullString, n), make([]sql.NullString, n), make([]sql.NullString, n)
	for i, a := range apps {
		r := a.row
		ids[i], sessions[i], senders[i], contents[i], names[i] = r.ID, r.SessionID, r.Sender, r.Content, r.SenderName
		senderIDs[i] = r.SenderID
		users[i] = r.Sender == string(runtime.SenderUser)
		if r.ClientID != nil {
			clientIDs[i] = sql.NullString{String: *r.ClientID, Valid: true}
		}
		var err error
		if attachments[i], err = nullJSON(r.Attachments); err != nil {
			return nil, err
		}
		if metadata[i], err = nullJSON(r.Metadata); err != nil {
			return nil, err
		}
	}
	return []any{pq.Array(ids), pq.Array(sessions), pq.Array(senders), pq.Array(users),
		pq.Array(contents), pq.Array(attachments), pq.Array(metadata), pq.Array(clientIDs), pq.Array(names), pq.Array(senderIDs)}, nil
}

// nullJSON is j as an array element: NULL when empty.
func nullJSON(j jsonText) (sql.NullString, error) {
	v, err := j.Value()
	if err != nil || v == nil {
		return sql.NullString{}, err
	}
	return sql.NullString{String: v.(string), Valid: true}, nil
}

// postgresCommitMany stores plain dialog commits, each of another
// conversation, with the user messages they answer (DialogWrite.Input):
// $1 is the time; per commit, $2 its session, $3 its fence, $4 its
// consumed seq, $5 how many messages it stores (its input too), $21 the
// run of its entries (0 when none), $22 whether the last is a park, $27
// whether it has an input, $28 the input's client id; per journal entry,
// $6…$12 (a seq of -1: the input's, not known before); per message,
// $13…$20 and $23…$26, $29 its client id (back = how many of the commit's
// messages follow it; the input, first, is the user's message).
//
// It locks the sessions rows in id order (as appendMany does) and bumps
// each whose fence still matches, as updateDialogStateTx does; one with
// an input, also as turnTx does (the input takes the first seq and is
// consumed), and only if no message has the input's client id (dup) and
// no user message waits for the dialog. It inserts the entries and
// messages of the commits it bumped, and returns, for each session it
// locked, its new last_seq (NULL when not bumped) and what tells why not.
//
// The client id lookup is a lateral subquery with a LIMIT: the plan kept
// for the prepared statement (committer_conn.go) then finds the message
// by its index however small the table was when the plan was made.
const postgresCommitMany = `WITH input AS (
	SELECT * FROM unnest($2::uuid[], $3::bigint[], $4::bigint[], $5::bigint[], $21::bigint[], $22::boolean[], $27::boolean[], $28::text[])
		AS t(session_id, fence, consumed, n, entries_run, parked, has_input, client_id)
), locked AS MATERIALIZED (
	SELECT id, runner_fence, last_user_seq > consumed_seq AS behind
	FROM sessions WHERE id IN (SELECT session_id FROM input) ORDER BY id FOR UPDATE
), dup AS (
	SELECT i.session_id FROM input i CROSS JOIN LATERAL (
		SELECT FROM message_history m WHERE m.session_id = i.session_id AND m.client_id = i.client_id LIMIT 1
	) m
), bumped AS (
	UPDATE sessions s SET last_seq = s.last_seq + i.n,
		last_activity = CASE WHEN i.n > 0 THEN $1::timestamptz ELSE s.last_activity END,
		last_user_seq = CASE WHEN i.has_input THEN s.last_seq + 1 ELSE s.last_user_seq END,
		consumed_seq = GREATEST(s.consumed_seq, CASE WHEN i.has_input THEN s.last_seq + 1 ELSE i.consumed END),
		suggestions = CASE WHEN i.has_input THEN NULL ELSE s.suggestions END,
		parked = CASE WHEN i.entries_run > 0 AND i.entries_run = s.run THEN i.parked ELSE s.parked END
	FROM input i JOIN locked l ON l.id = i.session_id
	WHERE s.id = i.session_id AND (i.fence = 0 OR s.runner_fence = i.fence)
		AND (NOT i.has_input OR s.last_user_seq <= s.consumed_seq AND i.session_id NOT IN (SELECT session_id FROM dup))
	RETURNING s.id, s.last_seq, s.last_seq - i.n + 1 AS first
), entries AS (
	INSERT INTO dialog_journal (session_id, run, idx, kind, value, found, seq)
	SELECT e.session_id, e.run, e.idx, e.kind, e.value, e.found, CASE WHEN e.seq < 0 THEN b.first ELSE e.seq END
	FROM unnest($6::uuid[], $7::bigint[], $8::bigint[], $9::text[], $10::text[], $11::boolean[], $12::bigint[])
		AS e(session_id, run, idx, kind, value, found, seq)
	JOIN bumped b ON b.id = e.session_id
), messages AS (
	INSERT INTO message_history (` + messageColumns + `, run, idx, entry)
	SELECT m.id, m.session_id, b.last_seq - m.back, m.sender, m.content, m.client_id, m.attachments, m.metadata, $1::timestamptz, m.sender_name,
		m.sender_id, m.run, m.idx, m.entry
	FROM unnest($13::uuid[], $14::uuid[], $15::bigint[], $16::text[], $17::text[], $18::jsonb[], $19::jsonb[], $20::text[],
		$23::bigint[], $24::bigint[], $25::text[], $26::text[], $29::text[])
		AS m(id, session_id, back, sender, content, attachments, metadata, sender_name, run, idx, entry, sender_id, client_id)
	JOIN bumped b ON b.id = m.session_id
)
SELECT l.id, b.last_seq, l.runner_fence, l.behind, l.id IN (SELECT session_id FROM dup) AS dup
FROM locked l LEFT JOIN bumped b ON b.id = l.id`

// commitManyPostgres is the committer's commitMany on PostgreSQL.
func (db *DB) commitManyPostgres(ctx context.Context, tx execQueryer, dws []*dialogWrite) error {
	for _, dw := range dws {
		dw.stored, dw.input, dw.err = nil, nil, nil // from a run of the batch that did not commit
	}
	now := dbTime(db.now())
	args, err := commitManyArgs(dws)
	if err != nil {
		return err // invalid JSON: each commit reports its own
	}
	rows, err := tx.QueryxContext(ctx, postgresCommitMany, append([]any{now}, args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	type result struct {
		ID     string        `db:"id"`
		Last   sql.NullInt64 `db:"last_seq"`
		Fence  int64         `db:"runner_fence"`
		Behind bool          `db:"behind"`
		Dup    bool          `db:"dup"`
	}
	results := make(map[string]result, len(dws))
	for rows.Next() {
		var r result
		if err := rows.StructScan(&r); err != nil {
			return err
		}
		results[r.ID] = r
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	for _, dw := range dws {
		w := dw.w
		r, ok := results[string(w.SessionID)]
		switch {
		case !ok:
			dw.err = runtime.Errorf(runtime.KindNotFound, "conversation not found")
		case r.Last.Valid:
			dw.storedAt(r.Last.Int64, now)
		case dw.in != nil && r.Dup:
			// A repeat (rare): the message stored under its client id.
			if dw.input, err = db.findByClientIDTx(ctx, tx, dw.in.SessionID, *dw.in.ClientID); err != nil {
				return err
			}
			dw.err = runtime.ErrInputStored
		case w.Fence != 0 && r.Fence != w.Fence:
			dw.err = runtime.Wrap(runtime.KindConflict, runtime.ErrNotRunner, "another node runs this dialog")
		case dw.in != nil && r.Behind:
			dw.err = runtime.ErrInputBehind
		default:
			return fmt.Errorf("schema: the dialog commit of session %s was not stored, for no reason found", w.SessionID)
		}
	}
	return nil
}

// commitManyArgs returns the arrays $2… of postgresCommitMany. Each
// commit's input, if any, goes first among its messages, one seq before
// them.
func commitManyArgs(dws []*dialogWrite) ([]any, error) {
	var (
		sessions                        []string
		fences, consumed, counts        []int64
		eSessions, eKinds, eValues      []string
		eRuns, eIdx, eSeqs              []int64
		eFound                          []bool
		mIDs, mSessions, mSenders, mTxt []string
		mNames, mSenderIDs              []string
		mBack                           []int64
		mAttachments, mMetadata         []sql.NullString
		parked, hasInput                []bool
		entriesRuns                     []int64
		mRuns, mIdx                     []sql.NullInt64
		mEntries, mClientIDs, inClient  []sql.NullString
	)
	for _, dw := range dws {
		w := dw.w
		sid := string(w.SessionID)
		msgs := dw.rows
		if dw.in != nil {
			msgs = append([]messageRow{*dw.in}, dw.rows...) // the input's row carries its HEAR below
		}
		sessions, fences = append(sessions, sid), append(fences, w.Fence)
		consumed, counts = append(consumed, w.ConsumedSeq), append(counts, int64(len(msgs)))
		entriesRuns, parked = append(entriesRuns, entriesRun(w.Entries)), append(parked, lastParked(w.Entries))
		var in *messageRow // msgs[0], the copy the arrays take
		var clientID sql.NullString
		if dw.in != nil {
			in, clientID = &msgs[0], nullString(dw.in.ClientID)
		}
		hasInput, inClient = append(hasInput, in != nil), append(inClient, clientID)
		replies := msgs[len(msgs)-len(dw.rows):] // the dialog's own messages
		for _, e := range carryEntries(w, replies, in) {
			if in != nil && e.Index == w.Entries[w.InputEntry].Index {
				e.Seq = -1 // the input's HEAR, when its row cannot carry it: its seq is known once stored
			}
			eSessions, eRuns, eIdx = append(eSessions, sid), append(eRuns, e.Run), append(eIdx, e.Index)
			eKinds, eValues = append(eKinds, e.Kind), append(eValues, e.Value)
			eFound, eSeqs = append(eFound, e.Found), append(eSeqs, e.Seq)
		}
		for i, r := range msgs {
			a, err := nullJSON(r.Attachments)
			if err != nil {
				return nil, err
			}
			m, err := nullJSON(r.Metadata)
			if err != nil {
				return nil, err
			}
			mIDs, mSessions, mSenders, mTxt = append(mIDs, r.ID), append(mSessions, sid), append(mSenders, r.Sender), append(mTxt, r.Content)
			mBack, mNames, mSenderIDs = append(mBack, int64(len(msgs)-1-i)), append(mNames, r.SenderName), append(mSenderIDs, r.SenderID)
			mAttachments, mMetadata = append(mAttachments, a), append(mMetadata, m)
			mRuns, mIdx, mEntries = append(mRuns, nullInt(r.Run)), append(mIdx, nullInt(r.Idx)), append(mEntries, nullString(r.Entry))
			mClientIDs = append(mClientIDs, nullString(r.ClientID))
		}
	}
	return []any{pq.Array(sessions), pq.Array(fences), pq.Array(consumed), pq.Array(counts),
		pq.Array(eSessions), pq.Array(eRuns), pq.Array(eIdx), pq.Array(eKinds), pq.Array(eValues), pq.Array(eFound), pq.Array(eSeqs),
		pq.Array(mIDs), pq.Array(mSessions), pq.Array(mBack), pq.Array(mSenders), pq.Array(mTxt), pq.Array(mAttachments), pq.Array(mMetadata), pq.Array(mNames),
		pq.Array(entriesRuns), pq.Array(parked), pq.Array(mRuns), pq.Array(mIdx), pq.Array(mEntries), pq.Array(mSenderIDs),
		pq.Array(hasInput), pq.Array(inClient), pq.Array(mClientIDs)}, nil
}

func nullInt(p *int64) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: *p, Valid: true}
}

func nullString(p *string) sql.NullString {
	if p == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *p, Valid: true}
}

// lockSessionsPostgres is the committer's lockSessions on PostgreSQL. The
// ids go in as quoted literals: BEGIN's script is a simple query, which
// takes no parameters.
func lockSessionsPostgres(sids []string) string {
	lits := make([]string, len(sids))
	for i, sid := range sids {
		lits[i] = pq.QuoteLiteral(sid)
	}
	return `SELECT FROM sessions WHERE id IN (` + strings.Join(lits, ", ") + `) ORDER BY id FOR UPDATE`
}
