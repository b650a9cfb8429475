package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"parley/runtime"
)

// BenchmarkReplay measures rebuilding a dialog from its journal: the echo
// bot after n turns (3 journal entries a turn: hear, talk, park), on
// SQLite. It reports the cost per journal entry, which includes loading
// the journal and re-running the Lua script against it.
//
//	go test -run '^$' -bench Replay ./cmd/parley
func BenchmarkReplay(b *testing.B) {
	for _, turns := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("turns=%d", turns), func(b *testing.B) {
			ctx := context.Background()
			hub, sub := benchConversation(b, "echo", turns)
			entries := int64(3*turns + 1)
			b.ResetTimer()
			for range b.N {
				if err := hub.Reload(ctx, sub.Session.ID); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(int64(b.N)*entries)/1e3, "µs/entry")
		})
	}
}

// benchConversation runs a conversation of turns messages with bot.
func benchConversation(b *testing.B, bot runtime.BotID, turns int) (*runtime.Hub, *runtime.Subscription) {
	ctx := context.Background()
	c := Config{Data: b.TempDir(), TurnTimeout: 10 * time.Second}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	engine, err := loadBots(c, log)
	if err != nil {
		b.Fatal(err)
	}
	hub, closeAll, err := openHub(ctx, c, engine, log, runtime.Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(closeAll)
	sub, err := hub.Join(ctx, runtime.Identity{UserID: "bench", Role: runtime.RoleUser}, runtime.JoinRequest{BotID: bot})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(sub.Close)
	go func() { // nobody reads this subscription: keep it from filling
		for range sub.Events() {
		}
	}()
	for i := range turns {
		if _, _, err := sub.Send(ctx, runtime.SendRequest{Content: fmt.Sprint("message ", i)}); err != nil {
			b.Fatal(err)
		}
		if err := sub.WaitIdle(ctx); err != nil {
			b.Fatal(err)
		}
	}
	return hub, sub
}
