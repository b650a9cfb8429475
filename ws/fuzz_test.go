package ws

import (
	"encoding/json"
	"testing"
	"time"

	"parley/runtime"
	"parley/wire"
)

// FuzzDecodeFrame: any bytes from a client decode to a frame of a known
// type or to an invalid_request error, never a panic; and any content
// survives a round trip through a message frame.
//
//	go test -run '^$' -fuzz FuzzDecodeFrame -fuzztime 30s ./ws
func FuzzDecodeFrame(f *testing.F) {
	for _, s := range []string{
		`{"type":"message","content":"hi","client_id":"c1"}`,
		`{"type":"read","seq":3}`, `{"type":"typing"}`, `{"type":"x"}`, `{}`, `[]`, `null`,
		`{"type":"message","content":"\u0000\ud800"}`, `{"type":"read","seq":-1}`,
		`{"type":"message","attachments":[{"a":[[[[]]]]}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := decodeFrame(data)
		if err != nil {
			if runtime.ErrorKind(err) != runtime.KindInvalid {
				t.Fatalf("error of kind %s: %v", runtime.ErrorKind(err), err)
			}
			return
		}
		switch fr.Type {
		case "message", "typing":
		case "read":
			if fr.Seq == nil {
				t.Fatal("read frame without seq accepted")
			}
		default:
			t.Fatalf("frame of unknown type %q accepted", fr.Type)
		}
		out, err := encodeEvent(&runtime.Event{Type: runtime.EventMessage, Message: &runtime.Message{
			Content: fr.Content, ClientID: fr.ClientID, CreatedAt: time.Unix(0, 0),
		}})
		if err != nil {
			t.Fatal(err)
		}
		var back wire.Message
		if err := json.Unmarshal(out, &back); err != nil || back.Content != fr.Content || back.ClientID != fr.ClientID {
			t.Fatalf("round trip of %q: %q, %v", fr.Content, back.Content, err)
		}
	})
}
