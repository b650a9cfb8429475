package schema_test

import (
	"context"
	"fmt"
	"testing"

	"parley/runtime"
)

// ListMemory gives every key of one user with one bot, sorted, and
// nothing of another user's, another bot's or a deleted key.
func TestListMemory(t *testing.T) {
	run(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db := b.open(t)
		scope := runtime.MemoryScope{BotID: "b", Owner: "user:u"}
		for _, w := range []struct {
			scope      runtime.MemoryScope
			key, value string
		}{
			{scope, "visits", "2"},
			{scope, "name", `"Ada"`},
			{scope, "gone", `true`},
			{scope, "gone", ``},
			{runtime.MemoryScope{BotID: "b", Owner: "user:other"}, "visits", "9"},
			{runtime.MemoryScope{BotID: "other", Owner: "user:u"}, "visits", "7"},
		} {
			if err := db.SetMemory(ctx, w.scope, w.key, w.value); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.ListMemory(ctx, scope)
		if err != nil || fmt.Sprint(got) != `[{name "Ada"} {visits 2}]` {
			t.Fatalf("ListMemory = %v, %v", got, err)
		}
		if got, err := db.ListMemory(ctx, runtime.MemoryScope{BotID: "b", Owner: "user:nobody"}); err != nil || len(got) != 0 {
			t.Fatalf("ListMemory of nobody = %v, %v", got, err)
		}
	})
}
