package schema

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"parley/runtime"
)

// sessionColumns lists the sessions columns in sessionRow order; queries
// alias the table as s. The members come in the same row, as a JSON array
// in the order added (NULL or [] when none), from a correlated subquery on
// session_members' primary key: no second query per session, and no join
// that would repeat the session row per member.
func sessionColumns(d *dialect) string {
	return `s.id, s.bot_id, s.user_id, s.user_name, s.anonymous, s.status,
	s.resume_token_hash, s.last_seq, s.read_seq, s.suggestions, s.metadata,
	s.last_user_seq, s.consumed_seq, s.run, s.run_ended, s.script_version, s.wake_at,
	s.created_at, s.last_activity, s.title, s.support_status, s.assigned_agent, s.bot_off,
	s.transfer, s.transfer_reason, s.transfer_outcome, s.support_note, s.resolved_by,
	s.waiting_since, s.first_reply_at, s.resolved_at,
	(SELECT ` + d.jsonArrayAgg + `(sm.user_id ORDER BY sm.added_at, sm.ord)
		FROM session_members sm WHERE sm.session_id = s.id) AS members`
}

// sessionRow is a sessions row as the driver sees it.
type sessionRow struct {
	ID              string   `db:"id"`
	BotID           string   `db:"bot_id"`
	UserID          string   `db:"user_id"`
	UserName        string   `db:"user_name"`
	Anonymous       bool     `db:"anonymous"`
	Status          string   `db:"status"`
	ResumeTokenHash string   `db:"resume_token_hash"`
	LastSeq         int64    `db:"last_seq"`
	ReadSeq         int64    `db:"read_seq"`
	Suggestions     jsonText `db:"suggestions"`
	Metadata        jsonText `db:"metadata"`
	LastUserSeq     int64    `db:"last_user_seq"`
	ConsumedSeq     int64    `db:"consumed_seq"`
	Run             int64    `db:"run"`
	RunEnded        bool     `db:"run_ended"`
	ScriptVersion   string   `db:"script_version"`
	WakeAt          dbTime   `db:"wake_at"`
	CreatedAt       dbTime   `db:"created_at"`
	LastActivity    dbTime   `db:"last_activity"`
	Title           string   `db:"title"`
	SupportStatus   string   `db:"support_status"`
	AssignedAgent   string   `db:"assigned_agent"`
	BotOff          bool     `db:"bot_off"`
	Transfer        string   `db:"transfer"`
	TransferReason  string   `db:"transfer_reason"`
	TransferOutcome string   `db:"transfer_outcome"`
	SupportNote     string   `db:"support_note"`
	ResolvedBy      string   `db:"resolved_by"`
	WaitingSince    dbTime   `db:"waiting_since"`
	FirstReplyAt    dbTime   `db:"first_reply_at"`
	ResolvedAt      dbTime   `db:"resolved_at"`
	Members         jsonText `db:"members"` // read only: session_members holds them
}

func newSessionRow(s *runtime.Session) sessionRow {
	return sessionRow{
		ID: string(s.ID), BotID: string(s.BotID), UserID: s.UserID, UserName: s.UserName,
		Anonymous: s.Anonymous, Status: s.Status, ResumeTokenHash: s.ResumeTokenHash,
		LastSeq: s.LastSeq, ReadSeq: s.ReadSeq, Suggestions: stringsJSON(s.Suggestions),
		Metadata: jsonText(s.Metadata), LastUserSeq: s.LastUserSeq, ConsumedSeq: s.ConsumedSeq,
		Run: s.Run, RunEnded: s.RunEnded, ScriptVersion: s.ScriptVersion, WakeAt: dbTime(s.WakeAt),
		CreatedAt: dbTime(s.CreatedAt), LastActivity: dbTime(s.LastActivity),
		Title: s.Title, SupportStatus: s.SupportStatus, AssignedAgent: s.AssignedAgent, BotOff: s.BotOff,
		Transfer: s.Transfer, TransferReason: s.TransferReason, TransferOutcome: s.TransferOutcome,
		SupportNote: s.SupportNote, ResolvedBy: s.ResolvedBy, WaitingSince: dbTime(s.WaitingSince),
		FirstReplyAt: dbTime(s.FirstReplyAt), ResolvedAt: dbTime(s.ResolvedAt),
	}
}

func (r *sessionRow) session() (*runtime.Session, error) {
	sugg, err := stringsFromJSON(r.Suggestions)
	if err != nil {
		return nil, err
	}
	members, err := stringsFromJSON(r.Members)
	if err != nil {
		return nil, err
	}
	if len(members) == 0 {
		members = nil // SQLite's json_group_array gives [] for none
	}
	return &runtime.Session{
		ID: runtime.SessionID(r.ID), BotID: runtime.BotID(r.BotID), UserID: r.UserID,
		UserName: r.UserName, Anonymous: r.Anonymous, Status: r.Status,
		ResumeTokenHash: r.ResumeTokenHash, LastSeq: r.LastSeq, ReadSeq: r.ReadSeq,
		Suggestions: sugg, Metadata: r.Metadata.raw(),
		LastUserSeq: r.LastUserSeq, ConsumedSeq: r.ConsumedSeq, Run: r.Run, RunEnded: r.RunEnded,
		ScriptVersion: r.ScriptVersion, WakeAt: r.WakeAt.Time(),
		CreatedAt: r.CreatedAt.Time(), LastActivity: r.LastActivity.Time(),
		Title: r.Title, Members: members, SupportStatus: r.SupportStatus, AssignedAgent: r.AssignedAgent,
		BotOff: r.BotOff, Transfer: r.Transfer, TransferReason: r.TransferReason,
		TransferOutcome: r.TransferOutcome, SupportNote: r.SupportNote, ResolvedBy: r.ResolvedBy,
		WaitingSince: r.WaitingSince.Time(), FirstReplyAt: r.FirstReplyAt.Time(), ResolvedAt: r.ResolvedAt.Time(),
	}, nil
}

// CreateSession inserts s. Fields the caller left zero get defaults, written
// back into s: a random ID, CreatedAt now, LastActivity = CreatedAt, Status
// active, SupportStatus open. LastSeq, LastUserSeq and ConsumedSeq start at
// 0 whatever s says: a new conversation has no messages. The other dialog
// fields (Run, RunEnded, ScriptVersion, WakeAt) are stored as given.
// Members are stored in order, without repeats or the owner (s.Members
// becomes that list, nil when empty), in the same transaction as the
// session. An existing ID is KindConflict.
func (db *DB) CreateSession(ctx context.Context, s *runtime.Session) error {
	db.fillSession(s)
	if db.noSuchID(string(s.ID)) {
		return runtime.Errorf(runtime.KindInvalid, "a session id must be a UUID")
	}
	if len(s.Members) == 0 { // one statement: no transaction to open
		return db.fail(db.insertSessionTx(ctx, db.write, s), "conversation")
	}
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := db.insertSessionTx(ctx, tx, s); err != nil {
			return err
		}
		return db.insertMembersTx(ctx, tx, s)
	})
	return db.fail(err, "conversation")
}

// insertSessionTx inserts the sessions row of s.
func (db *DB) insertSessionTx(ctx context.Context, tx sqlx.ExtContext, s *runtime.Session) error {
	const q = `INSERT INTO sessions (id, bot_id, user_id, user_name, anonymous, status,
		resume_token_hash, last_seq, read_seq, suggestions, metadata,
		last_user_seq, consumed_seq, run, run_ended, script_version, wake_at, created_at, last_activity,
		title, support_status, assigned_agent, bot_off, transfer, transfer_reason, transfer_outcome,
		support_note, resolved_by, waiting_since, first_reply_at, resolved_at)
		VALUES (:id, :bot_id, :user_id, :user_name, :anonymous, :status,
		:resume_token_hash, :last_seq, :read_seq, :suggestions, :metadata,
		:last_user_seq, :consumed_seq, :run, :run_ended, :script_version, :wake_at, :created_at, :last_activity,
		:title, :support_status, :assigned_agent, :bot_off, :transfer, :transfer_reason, :transfer_outcome,
		:support_note, :resolved_by, :waiting_since, :first_reply_at, :resolved_at)`
	_, err := sqlx.NamedExecContext(ctx, tx, q, newSessionRow(s))
	return err
}

// insertMembersTx inserts the members of s, new session, numbered from 1
// in order and added at its CreatedAt.
func (db *DB) insertMembersTx(ctx context.Context, tx sqlx.ExecerContext, s *runtime.Session) error {
	return db.insertRows(ctx, tx, `INSERT INTO session_members (session_id, user_id, ord, added_at) VALUES`, 4, len(s.Members),
		func(i int) []any { return []any{s.ID, s.Members[i], i + 1, dbTime(s.CreatedAt)} })
}

// fillSession applies CreateSession's defaults and normalises the times to
// what the database will hand back (UTC, microseconds).
func (db *DB) fillSession(s *runtime.Session) {
	if s.ID == "" {
		s.ID = runtime.SessionID(uuid.NewString())
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = db.now()
	}
	if s.LastActivity.IsZero() {
		s.LastActivity = s.CreatedAt
	}
	if s.Status == "" {
		s.Status = runtime.StatusActive
	}
	if s.SupportStatus == "" {
		s.SupportStatus = runtime.SupportOpen
	}
	s.Members = uniqueMembers(s.UserID, s.Members)
	s.CreatedAt = utcMicro(s.CreatedAt)
	s.LastActivity = utcMicro(s.LastActivity)
	if !s.WakeAt.IsZero() {
		s.WakeAt = utcMicro(s.WakeAt)
	}
	s.LastSeq, s.LastUserSeq, s.ConsumedSeq = 0, 0, 0
}

// uniqueMembers is members in order, without repeats or owner; nil when
// that leaves none. It never changes the caller's slice.
func uniqueMembers(owner string, members []string) []string {
	var out []string
	for _, m := range members {
		if m != owner && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// FindSession returns the session with id, or KindNotFound.
func (db *DB) FindSession(ctx context.Context, id runtime.SessionID) (*runtime.Session, error) {
	if db.noSuchID(string(id)) {
		return nil, runtime.Errorf(runtime.KindNotFound, "conversation not found")
	}
	s, err := db.getSession(ctx, db.read, `WHERE s.id = ?`, id)
	return s, db.fail(err, "conversation")
}

// FindLatestSession returns the user's active session with bot that saw
// activity last, or KindNotFound. Anonymous sessions never match: their
// user ids are generated, and a token's sub must not reach one.
func (db *DB) FindLatestSession(ctx context.Context, userID string, bot runtime.BotID) (*runtime.Session, error) {
	s, err := db.getSession(ctx, db.read, `WHERE s.user_id = ? AND s.bot_id = ? AND s.status = ? AND s.anonymous = ?
		ORDER BY s.last_activity DESC, s.id DESC LIMIT 1`, userID, bot, runtime.StatusActive, false)
	return s, db.fail(err, "conversation")
}

// getSession reads one session; tail is the query after FROM. It returns
// sql.ErrNoRows when there is none.
func (db *DB) getSession(ctx context.Context, q sqlx.QueryerContext, tail string, args ...any) (*runtime.Session, error) {
	var row sessionRow
	query := db.write.Rebind(`SELECT ` + sessionColumns(db.dialect) + ` FROM sessions s ` + tail)
	if err := sqlx.GetContext(ctx, q, &row, query, args...); err != nil {
		return nil, err
	}
	return row.session()
}

// UpdateSession applies the non-nil fields of upd and returns the session
// as stored, or KindNotFound.
func (db *DB) UpdateSession(ctx context.Context, id runtime.SessionID, upd runtime.SessionUpdate) (*runtime.Session, error) {
	if db.noSuchID(string(id)) {
		return nil, runtime.Errorf(runtime.KindNotFound, "conversation not found")
	}
	var s *runtime.Session
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := db.updateSessionTx(ctx, tx, id, upd); err != nil {
			return err
		}
		var err error
		if s, err = db.getSession(ctx, tx, `WHERE s.id = ?`, id); err != nil {
			return err
		}
		if sharedChange(upd) {
			return db.announceTx(ctx, tx, string(id))
		}
		return nil
	})
	if err != nil {
		return nil, db.fail(err, "conversation")
	}
	return s, nil
}

// sharedChange reports whether upd changes what the nodes keep of a live
// conversation (runtime's conv.refreshLocked): who may take part, whether
// the bot hears, the statuses. Those updates wake the other nodes (when
// there are any, cluster.go) so that they read the session again; a read
// mark or the activity time does not need to.
func sharedChange(upd runtime.SessionUpdate) bool {
	return upd.Status != nil || upd.Title != nil || upd.AddMember != nil || upd.SupportStatus != nil ||
		upd.AssignedAgent != nil || upd.BotOff != nil || upd.Transfer != nil || upd.EndTransfer != nil
}

// updateSessionTx writes the fields upd sets; with none set it does nothing
// (the read that follows still reports a missing session).
func (db *DB) updateSessionTx(ctx context.Context, tx *sqlx.Tx, id runtime.SessionID, upd runtime.SessionUpdate) error {
	var sets []string
	var args []any
	if upd.Status != nil {
		sets, args = append(sets, "status = ?"), append(args, *upd.Status)
	}
	if upd.ReadSeq != nil {
		sets, args = append(sets, "read_seq = ?"), append(args, *upd.ReadSeq)
		if upd.ReadBy != "" {
			r := &runtime.FeedRow{SessionID: id, Kind: runtime.FeedRead, Seq: *upd.ReadSeq, Reader: upd.ReadBy}
			if err := db.appendFeedTx(ctx, tx, r); err != nil {
				return err
			}
		}
	}
	if upd.Suggestions != nil {
		sets, args = append(sets, "suggestions = ?"), append(args, stringsJSON(*upd.Suggestions))
	}
	if upd.LastActivity != nil {
		sets, args = append(sets, "last_activity = ?"), append(args, dbTime(*upd.LastActivity))
	}
	if upd.Title != nil {
		sets, args = append(sets, "title = ?"), append(args, *upd.Title)
	}
	if upd.SupportStatus != nil {
		sets, args = append(sets, "support_status = ?"), append(args, *upd.SupportStatus)
	}
	if upd.AssignedAgent != nil {
		sets, args = append(sets, "assigned_agent = ?"), append(args, *upd.AssignedAgent)
	}
	if upd.BotOff != nil {
		sets, args = append(sets, "bot_off = ?"), append(args, *upd.BotOff)
	}
	sets, args = transferSets(upd, sets, args)
	if upd.AddMember != nil {
		if err := db.addMemberTx(ctx, tx, id, *upd.AddMember); err != nil {
			return err
		}
	}
	if len(sets) == 0 {
		return nil
	}
	where, wargs := ` WHERE id = ?`, []any{id}
	if upd.IfSupportStatus != nil {
		where, wargs = where+` AND support_status = ?`, append(wargs, *upd.IfSupportStatus)
	}
	q := db.write.Rebind(`UPDATE sessions SET ` + strings.Join(sets, ", ") + where)
	res, err := tx.ExecContext(ctx, q, append(args, wargs...)...)
	if err != nil {
		return err
	}
	if upd.IfSupportStatus != nil {
		return nil // a condition not met is no error; the read shows what is there
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return orErr(err, sql.ErrNoRows)
	}
	return nil
}

// transferSets adds the handover's columns that upd sets (transfer.go in
// runtime). EndTransfer changes the outcome only of a pending TRANSFER,
// in the statement itself, so that of a resolve and a timeout racing on
// two nodes the first one wins.
func transferSets(upd runtime.SessionUpdate, sets []string, args []any) ([]string, []any) {
	for _, f := range []struct {
		col string
		v   *string
	}{{"transfer", upd.Transfer}, {"transfer_reason", upd.TransferReason}, {"support_note", upd.SupportNote}, {"resolved_by", upd.ResolvedBy}} {
		if f.v != nil {
			sets, args = append(sets, f.col+" = ?"), append(args, *f.v)
		}
	}
	if upd.Transfer != nil {
		sets = append(sets, "transfer_outcome = ''") // a new handover is pending
	}
	if upd.EndTransfer != nil {
		sets = append(sets, "transfer_outcome = CASE WHEN transfer <> '' AND transfer_outcome = '' THEN ? ELSE transfer_outcome END")
		args = append(args, *upd.EndTransfer)
	}
	for _, f := range []struct {
		col string
		v   *time.Time
	}{{"waiting_since", upd.WaitingSince}, {"resolved_at", upd.ResolvedAt}} {
		if f.v != nil {
			sets, args = append(sets, f.col+" = ?"), append(args, dbTime(*f.v))
		}
	}
	// The first reply is the first: a later one (from another node that
	// has not seen it) does not move it. A zero time clears it.
	if t := upd.FirstReplyAt; t != nil && t.IsZero() {
		sets = append(sets, "first_reply_at = NULL")
	} else if t != nil {
		sets, args = append(sets, "first_reply_at = coalesce(first_reply_at, ?)"), append(args, dbTime(*t))
	}
	return sets, args
}

// addMemberTx adds user to the members of session id, last in order,
// unless they are its owner or a member already. A missing session adds
// nothing (the read that follows reports it). Two adds at once on
// PostgreSQL may take the same ord; added_at still orders them.
func (db *DB) addMemberTx(ctx context.Context, tx *sqlx.Tx, id runtime.SessionID, user string) error {
	// SQLite needs the WHERE of an INSERT … SELECT to tell ON CONFLICT from
	// a join's ON; it is there.
	q := db.write.Rebind(`INSERT INTO session_members (session_id, user_id, ord, added_at)
		SELECT s.id, ?, coalesce((SELECT max(sm.ord) FROM session_members sm WHERE sm.session_id = s.id), 0) + 1, ?
		FROM sessions s WHERE s.id = ? AND s.user_id <> ?
		ON CONFLICT DO NOTHING`)
	_, err := tx.ExecContext(ctx, q, user, dbTime(db.now()), id, user)
	return err
}

// orErr returns err, or fallback when err is nil.
func orErr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}
