package schema

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"parley/runtime"
)

// messageColumns lists the message_history columns in messageRow order.
const messageColumns = `id, session_id, seq, sender, content, client_id, attachments, metadata, created_at, sender_name, sender_id`

// messageRow is a message_history row as the driver sees it.
type messageRow struct {
	ID          string   `db:"id"`
	SessionID   string   `db:"session_id"`
	Seq         int64    `db:"seq"`
	Sender      string   `db:"sender"`
	Content     string   `db:"content"`
	ClientID    *string  `db:"client_id"`
	Attachments jsonText `db:"attachments"`
	Metadata    jsonText `db:"metadata"`
	CreatedAt   dbTime   `db:"created_at"`
	SenderName  string   `db:"sender_name"`
	SenderID    string   `db:"sender_id"`
	// The journal entry the row carries (journal_carry.go), written
	// only: nil when none, and never read back into a message.
	Run   *int64  `db:"run"`
	Idx   *int64  `db:"idx"`
	Entry *string `db:"entry"` // the entry's value; nil: the content
}

func (r messageRow) message() *runtime.Message {
	m := &runtime.Message{
		ID: r.ID, SessionID: runtime.SessionID(r.SessionID), Seq: r.Seq,
		Sender: runtime.Sender(r.Sender), SenderName: r.SenderName, SenderID: r.SenderID, Content: r.Content,
		Attachments: r.Attachments.raw(), Metadata: r.Metadata.raw(), CreatedAt: r.CreatedAt.Time(),
	}
	if r.ClientID != nil {
		m.ClientID = *r.ClientID
	}
	return m
}

// AppendMessage stores m with the next seq of its session; see
// runtime.MessageStore. It is one request to the committer (committer.go):
// the client_id lookup, the seq bump and the insert run together in one
// transaction. Two appends cannot share a seq: the bump takes the session
// row's lock. Nor can both store one client_id, which the unique index
// refuses; should two processes race with one client id (only possible
// on PostgreSQL), the loser asks again and gets the winner's message. m is
// changed only once the transaction has committed.
func (db *DB) AppendMessage(ctx context.Context, m *runtime.Message) (bool, error) {
	if err := db.checkMessageID(m.ID); err != nil {
		return false, err
	}
	if db.noSuchID(string(m.SessionID)) {
		return false, runtime.Errorf(runtime.KindNotFound, "conversation not found")
	}
	row := newMessageRow(m)
	app := &appendWrite{row: row}
	store := func() error { return db.queueAppend(ctx, app) }
	err := store()
	if err != nil && row.ClientID != nil && db.dialect.kind(err) == runtime.KindConflict {
		// The lookup takes no lock: another process stored this client
		// id between it and the insert. Now the lookup finds that row.
		err = store()
	}
	if err != nil {
		return false, db.fail(err, "message")
	}
	*m = *app.stored
	return app.created, nil
}

// checkMessageID refuses, before anything is queued, a message id the
// caller chose that the database cannot store (one that is not a UUID,
// on PostgreSQL). Empty is fine: the store picks one.
func (db *DB) checkMessageID(id string) error {
	if id != "" && db.noSuchID(id) {
		return runtime.Errorf(runtime.KindInvalid, "a message id must be a UUID")
	}
	return nil
}

// newMessageRow is m to insert, with a new ID when m has none. (A dialog's
// own messages have no client id: dialogMessageRows refuses one.)
func newMessageRow(m *runtime.Message) messageRow {
	row := messageRow{
		ID: m.ID, SessionID: string(m.SessionID), Sender: string(m.Sender), SenderName: m.SenderName, SenderID: m.SenderID,
		Content: m.Content, Attachments: jsonText(m.Attachments), Metadata: jsonText(m.Metadata),
	}
	if row.ID == "" {
		row.ID = uuid.Must(uuid.NewV7()).String() // time-ordered: inserts stay at the index's end
	}
	if m.ClientID != "" {
		clientID := m.ClientID // not &m.ClientID: m is overwritten once stored
		row.ClientID = &clientID
	}
	return row
}

// queueAppend stores app through the committer, which may store it with
// the appends beside it in its batch (committer_appends.go).
func (db *DB) queueAppend(ctx context.Context, app *appendWrite) error {
	fn := func(ctx context.Context, tx execQueryer) error {
		var err error
		app.stored, app.created, err = db.appendTx(ctx, tx, app.row)
		return err
	}
	return db.commit.doAppend(ctx, app, fn)
}

// forPeople is true of a sessions row whose bot handed the conversation
// to people and waits for them (runtime/transfer.go): a user message
// stored then is theirs, so the append marks it taken (consumed_seq) in
// the same statement, and no dialog ever hears it, whichever node runs
// the dialog, now or after a crash.
const forPeople = `transfer <> '' AND transfer_outcome = ''`

// appendTx returns the message already stored under row's client id, or
// stores row with the next seq. The time is read here, while holding the
// writer, so that CreatedAt never decreases as seq grows. A user message
// also becomes the session's last_user_seq (the dialog has it to take,
// unless it is for people: forPeople) and clears its suggestions.
func (db *DB) appendTx(ctx context.Context, tx execQueryer, row messageRow) (*runtime.Message, bool, error) {
	row.CreatedAt = dbTime(db.now())
	if db.dialect == postgresDialect {
		return appendTxPostgres(ctx, tx, row) // one statement, one round trip
	}
	// RETURNING gives the bumped seq without a second read. Right of =,
	// last_seq is the old value in both dialects. A user message also
	// ends the suggestions in force. With a client id, the bump happens
	// only if no message of the session has it: no row back then means
	// that message is there, or that there is no session, and only then
	// is it looked up (one statement less on the usual path).
	q := `UPDATE sessions SET last_seq = last_seq + 1, last_activity = ?,
		last_user_seq = CASE WHEN ? THEN last_seq + 1 ELSE last_user_seq END,
		consumed_seq = CASE WHEN ? AND ` + forPeople + ` THEN last_seq + 1 ELSE consumed_seq END,
		suggestions = CASE WHEN ? THEN NULL ELSE suggestions END
		WHERE id = ?`
	isUser := row.Sender == string(runtime.SenderUser)
	args := []any{row.CreatedAt, isUser, isUser, isUser, row.SessionID}
	if p := pendingOf(tx); p != nil && row.ClientID != nil {
		if dup := p.clientID(row.SessionID, *row.ClientID); dup != nil {
			return dup, false, nil // stored earlier in this batch
		}
	}
	if row.ClientID != nil {
		q += ` AND NOT EXISTS (SELECT 1 FROM message_history WHERE session_id = ? AND client_id = ?)`
		args = append(args, row.SessionID, *row.ClientID)
	}
	err := tx.QueryRowxContext(ctx, db.write.Rebind(q+` RETURNING last_seq`), args...).Scan(&row.Seq)
	if errors.Is(err, sql.ErrNoRows) && row.ClientID != nil {
		dup, err := db.findByClientIDTx(ctx, tx, row.SessionID, *row.ClientID)
		if dup != nil || err != nil {
			return dup, false, err
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, runtime.Errorf(runtime.KindNotFound, "conversation not found")
	}
	if err != nil {
		return nil, false, err
	}
	if err := db.insertMessagesTx(ctx, tx, []messageRow{row}); err != nil {
		return nil, false, err
	}
	return row.message(), true, nil
}

// findByClientIDTx returns the session's message with clientID, or nil.
func (db *DB) findByClientIDTx(ctx context.Context, tx sqlx.QueryerContext, session, clientID string) (*runtime.Message, error) {
	var rows []messageRow
	q := db.write.Rebind(`SELECT ` + messageColumns + ` FROM message_history
		WHERE session_id = ? AND client_id = ?`)
	if err := sqlx.SelectContext(ctx, tx, &rows, q, session, clientID); err != nil || len(rows) == 0 {
		return nil, err
	}
	return rows[0].message(), nil
}

// FindMessage returns the message with id, or KindNotFound.
func (db *DB) FindMessage(ctx context.Context, id string) (*runtime.Message, error) {
	if db.noSuchID(id) {
		return nil, runtime.Errorf(runtime.KindNotFound, "message not found")
	}
	var row messageRow
	q := db.write.Rebind(`SELECT ` + messageColumns + ` FROM message_history WHERE id = ?`)
	if err := db.read.GetContext(ctx, &row, q, id); err != nil {
		return nil, db.fail(err, "message")
	}
	return row.message(), nil
}

// FindMessages returns the messages of f.SessionID that match f, oldest
// first. With f.Newest the query walks the seq index backwards and the page
// is reversed here, so "the last 50" costs 50 rows, not the whole history.
func (db *DB) FindMessages(ctx context.Context, f runtime.MessageFilter) ([]*runtime.Message, error) {
	if db.noSuchID(string(f.SessionID)) {
		return []*runtime.Message{}, nil
	}
	where, args := messageWhere(f)
	order := " ORDER BY seq ASC"
	if f.Newest {
		order = " ORDER BY seq DESC"
	}
	limit, _ := page(f.Limit, 0)
	q := db.write.Rebind(`SELECT ` + messageColumns + ` FROM message_history` + where + order + ` LIMIT ?`)
	var rows []messageRow
	if err := db.read.SelectContext(ctx, &rows, q, append(args, limit)...); err != nil {
		return nil, db.fail(err, "message")
	}
	list := make([]*runtime.Message, len(rows))
	for i, r := range rows {
		list[i] = r.message()
	}
	if f.Newest {
		slices.Reverse(list)
	}
	return list, nil
}

// messageWhere is the WHERE clause of f; zero fields do not filter.
func messageWhere(f runtime.MessageFilter) (string, []any) {
	conds, args := []string{"session_id = ?"}, []any{f.SessionID}
	add := func(cond string, arg any) { conds, args = append(conds, cond), append(args, arg) }
	if f.AfterSeq > 0 {
		add("seq > ?", f.AfterSeq)
	}
	if f.BeforeSeq > 0 {
		add("seq < ?", f.BeforeSeq)
	}
	if !f.AfterTime.IsZero() {
		add("created_at > ?", dbTime(f.AfterTime))
	}
	if !f.BeforeTime.IsZero() {
		add("created_at < ?", dbTime(f.BeforeTime))
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}
