package runtime

import (
	"bytes"
	"context"
	"encoding/json"
)

// Attachment is an upload as a message carries it: what clients render
// (protocol §6), stored with the message so that every channel reads
// the same object.
type Attachment struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	URL         string `json:"url"`
	Kind        string `json:"kind"`
	Width       int    `json:"width,omitempty"`
	Height      int    `json:"height,omitempty"`
}

// AttachmentOf is up as clients see it.
func AttachmentOf(up *Upload) Attachment {
	return Attachment{
		ID: up.ID, Name: up.Name, ContentType: up.ContentType, Size: up.Size,
		URL: UploadURL(up.ID), Kind: up.Kind, Width: up.Width, Height: up.Height,
	}
}

// attach turns the attachments a sender names (a list of upload ids; an
// object with an "id" is taken as its id, so a client may send back what
// it read) into the objects the message stores, after checking that each
// is the sender's own upload, and records that they were sent in s. It
// returns nil for none.
func (h *Hub) attach(ctx context.Context, id Identity, s *Session, raw json.RawMessage) (json.RawMessage, error) {
	ids, err := attachmentIDs(raw)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	owner := id.UserID
	if id.Anonymous {
		owner = s.UserID // a visitor uploads as their conversation (Visitor)
	}
	return h.attachOwned(ctx, owner, s.ID, ids)
}

// attachOwned is attach for uploads of owner (a person, or a bot's
// "bot:<slug>").
func (h *Hub) attachOwned(ctx context.Context, owner string, sid SessionID, ids []string) (json.RawMessage, error) {
	ups, err := h.store.FindUploads(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*Upload, len(ups))
	for _, up := range ups {
		byID[up.ID] = up
	}
	out := make([]Attachment, len(ids))
	for i, uid := range ids {
		up := byID[uid]
		if up == nil || up.Owner != owner {
			return nil, Errorf(KindInvalidMsg, "attachment %q is not a file you uploaded (POST /api/uploads first)", uid)
		}
		out[i] = AttachmentOf(up)
	}
	if err := h.store.LinkUploads(ctx, sid, ids); err != nil {
		return nil, err
	}
	return json.Marshal(out)
}

// attachmentIDs reads a message's attachments as sent: a JSON list of
// upload ids (or of objects with an "id"), without repeats, at most
// MaxAttachments.
func attachmentIDs(raw json.RawMessage) ([]string, error) {
	if len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, Errorf(KindInvalidMsg, "attachments must be a list of upload ids")
	}
	if len(items) > MaxAttachments {
		return nil, Errorf(KindInvalidMsg, "a message may have at most %d attachments", MaxAttachments)
	}
	ids := make([]string, 0, len(items))
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		var id string
		if json.Unmarshal(it, &id) != nil {
			var obj struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(it, &obj) != nil || obj.ID == "" {
				return nil, Errorf(KindInvalidMsg, "attachments must be a list of upload ids")
			}
			id = obj.ID
		}
		if id == "" || len(id) > 64 {
			return nil, Errorf(KindInvalidMsg, "attachment %q is not an upload id", id)
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}
