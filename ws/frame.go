package ws

import (
	"encoding/json"
	"unicode/utf8"

	"parley/runtime"
	"parley/wire"
)

// inFrame is every frame a client may send; Type says which fields count.
type inFrame struct {
	Type        string          `json:"type"`
	Content     string          `json:"content"`
	SessionID   string          `json:"session_id"`
	ClientID    string          `json:"client_id"`
	Attachments json.RawMessage `json:"attachments"`
	Seq         *int64          `json:"seq"`
	Active      bool            `json:"active"` // typing; missing is false
	After       *int64          `json:"after"`  // join; missing: no replay
}

// decodeFrame parses one client frame. Errors are KindInvalid with a
// message that says what was wrong.
func decodeFrame(data []byte) (*inFrame, error) {
	if !utf8.Valid(data) {
		// encoding/json would quietly turn the bad bytes into U+FFFD.
		return nil, runtime.Errorf(runtime.KindInvalid, "the frame is not valid UTF-8")
	}
	if err := runtime.CheckJSONDepth(data); err != nil {
		return nil, err
	}
	var f inFrame
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, runtime.Errorf(runtime.KindInvalid, "the frame is not a JSON object: %v", err)
	}
	switch f.Type {
	case "message", "typing":
	case "read":
		if f.Seq == nil {
			return nil, runtime.Errorf(runtime.KindInvalid, "a read frame needs seq")
		}
	case "join", "leave":
		if f.SessionID == "" {
			return nil, runtime.Errorf(runtime.KindInvalid, "a %s frame needs session_id", f.Type)
		}
		if f.After != nil && *f.After < 0 {
			return nil, runtime.Errorf(runtime.KindInvalid, "after must be a message seq (a whole number >= 0)")
		}
	case "":
		return nil, runtime.Errorf(runtime.KindInvalid, "the frame has no type")
	default:
		return nil, runtime.Errorf(runtime.KindInvalid, "unknown frame type %q", f.Type)
	}
	return &f, nil
}

// The server's frames are package wire's, shared with rest's SSE
// streams, so that every channel writes an event the same way.
var (
	encodeEvent     = wire.EncodeEvent
	connectedFrame  = wire.Connected
	newMessageFrame = wire.MessageFrame
)
