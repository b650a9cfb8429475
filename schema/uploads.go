package schema

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"parley/runtime"
)

// uploadColumns lists the uploads columns in uploadRow order.
const uploadColumns = `id, owner, name, content_type, kind, size, sha256, width, height, created_at`

// uploadRow is an uploads row as the driver sees it.
type uploadRow struct {
	ID          string `db:"id"`
	Owner       string `db:"owner"`
	Name        string `db:"name"`
	ContentType string `db:"content_type"`
	Kind        string `db:"kind"`
	Size        int64  `db:"size"`
	SHA256      string `db:"sha256"`
	Width       int    `db:"width"`
	Height      int    `db:"height"`
	CreatedAt   dbTime `db:"created_at"`
}

func (r *uploadRow) upload() *runtime.Upload {
	return &runtime.Upload{
		ID: r.ID, Owner: r.Owner, Name: r.Name, ContentType: r.ContentType, Kind: r.Kind,
		Size: r.Size, SHA256: r.SHA256, Width: r.Width, Height: r.Height, CreatedAt: r.CreatedAt.Time(),
	}
}

// CreateUploads inserts ups in one transaction.
func (db *DB) CreateUploads(ctx context.Context, ups []*runtime.Upload) error {
	q := db.write.Rebind(`INSERT INTO uploads (` + uploadColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, u := range ups {
			u.CreatedAt = utcMicro(u.CreatedAt)
			if _, err := tx.ExecContext(ctx, q, u.ID, u.Owner, u.Name, u.ContentType, u.Kind, u.Size,
				u.SHA256, u.Width, u.Height, dbTime(u.CreatedAt)); err != nil {
				return err
			}
		}
		return nil
	})
	return db.fail(err, "upload")
}

// FindUploads returns the uploads among ids that exist.
func (db *DB) FindUploads(ctx context.Context, ids []string) ([]*runtime.Upload, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	q, args, err := sqlx.In(`SELECT `+uploadColumns+` FROM uploads WHERE id IN (?)`, ids)
	if err != nil {
		return nil, db.fail(err, "upload")
	}
	var rows []uploadRow
	if err := db.read.SelectContext(ctx, &rows, db.read.Rebind(q), args...); err != nil {
		return nil, db.fail(err, "upload")
	}
	out := make([]*runtime.Upload, len(rows))
	for i := range rows {
		out[i] = rows[i].upload()
	}
	return out, nil
}

// UploadBytes sums the sizes of owner's uploads.
func (db *DB) UploadBytes(ctx context.Context, owner string) (int64, error) {
	var n int64
	q := db.read.Rebind(`SELECT COALESCE(SUM(size), 0) FROM uploads WHERE owner = ?`)
	err := db.read.GetContext(ctx, &n, q, owner)
	return n, db.fail(err, "upload")
}

// LinkUploads records that ids were sent in sid and marks them attached
// (and no longer orphans: an upload sent again after its conversations
// went is kept).
func (db *DB) LinkUploads(ctx context.Context, sid runtime.SessionID, ids []string) error {
	if db.noSuchID(string(sid)) {
		return runtime.Errorf(runtime.KindNotFound, "conversation not found")
	}
	link := db.write.Rebind(`INSERT INTO upload_links (upload_id, session_id) VALUES (?, ?) ON CONFLICT DO NOTHING`)
	mark := db.write.Rebind(`UPDATE uploads SET attached = ?, orphan = ? WHERE id = ?`)
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, link, id, sid); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, mark, true, false, id); err != nil {
				return err
			}
		}
		return nil
	})
	return db.fail(err, "conversation")
}

// UploadSessions lists the conversations upload id was sent in.
func (db *DB) UploadSessions(ctx context.Context, id string) ([]runtime.SessionID, error) {
	var sids []runtime.SessionID
	q := db.read.Rebind(`SELECT session_id FROM upload_links WHERE upload_id = ? ORDER BY session_id`)
	err := db.read.SelectContext(ctx, &sids, q, id)
	return sids, db.fail(err, "upload")
}

// DeleteOrphanUploads deletes the uploads never sent and created before
// cutoff, and those whose last link went (orphan, set by the trigger of
// 0012_uploads.sql), and returns the hashes no upload has any more.
func (db *DB) DeleteOrphanUploads(ctx context.Context, cutoff time.Time) ([]string, error) {
	var gone []string
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var shas []string
		q := db.write.Rebind(`DELETE FROM uploads WHERE orphan OR (NOT attached AND created_at < ?) RETURNING sha256`)
		if err := tx.SelectContext(ctx, &shas, q, dbTime(cutoff)); err != nil {
			return err
		}
		used := db.write.Rebind(`SELECT COUNT(*) FROM uploads WHERE sha256 = ?`)
		seen := map[string]bool{}
		for _, sha := range shas {
			if seen[sha] {
				continue
			}
			seen[sha] = true
			var n int
			if err := tx.GetContext(ctx, &n, used, sha); err != nil {
				return err
			}
			if n == 0 {
				gone = append(gone, sha)
			}
		}
		return nil
	})
	return gone, db.fail(err, "upload")
}
