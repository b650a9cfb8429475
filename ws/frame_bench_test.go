package ws

import (
	"encoding/json"
	"testing"
	"time"

	"parley/runtime"
)

// BenchmarkFrameCodec: the frame codec on the hot path of a turn, each
// beside its baseline, plain encoding/json on the same struct, so that
// what the checks cost (UTF-8, nesting depth, frame type; building the
// wire struct) reads as a ratio in one run:
//
//	go test -run '^$' -bench FrameCodec -benchmem ./ws
func BenchmarkFrameCodec(b *testing.B) {
	in := []byte(`{"type":"message","content":"Hello, how are you today?","client_id":"c-0001-7f3a"}`)
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			if _, err := decodeFrame(in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode/baseline", func(b *testing.B) {
		for b.Loop() {
			var f inFrame
			if err := json.Unmarshal(in, &f); err != nil {
				b.Fatal(err)
			}
		}
	})
	m := &runtime.Message{ID: "0193a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b", SessionID: "5f0c7a9e-2d3b-4c1a-9e8f-7a6b5c4d3e2f",
		Seq: 42, Sender: runtime.SenderBot, Content: "Hello, how are you today?", CreatedAt: time.Now()}
	e := &runtime.Event{Type: runtime.EventMessage, SessionID: m.SessionID, Message: m}
	b.Run("encode", func(b *testing.B) {
		for b.Loop() {
			if _, err := encodeEvent(e); err != nil {
				b.Fatal(err)
			}
		}
	})
	frame := newMessageFrame(m)
	b.Run("encode/baseline", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(frame); err != nil {
				b.Fatal(err)
			}
		}
	})
}
