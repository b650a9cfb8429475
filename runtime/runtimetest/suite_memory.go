package runtimetest

import (
	"context"
	"encoding/json"
	"testing"

	"parley/runtime"
)

func testMemory(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	user1A := runtime.MemoryScope{BotID: "a", Owner: "user:1"}
	scopes := []runtime.MemoryScope{
		user1A,
		{BotID: "b", Owner: "user:1"},    // same user, other bot
		{BotID: "a", Owner: "user:2"},    // same bot, other user
		{BotID: "a", Owner: "session:1"}, // an anonymous conversation
	}
	want := map[runtime.MemoryScope]string{}
	check := func(when string) {
		t.Helper()
		for _, sc := range scopes {
			got, ok, err := st.GetMemory(ctx, sc, "name")
			w, wok := want[sc]
			if err != nil || ok != wok || !jsonEqual(json.RawMessage(got), json.RawMessage(w)) {
				t.Errorf("%s: GetMemory(%+v) = %q, %v, %v; want %q, %v", when, sc, got, ok, err, w, wok)
			}
		}
	}
	set := func(sc runtime.MemoryScope, key, value string) {
		t.Helper()
		if err := st.SetMemory(ctx, sc, key, value); err != nil {
			t.Fatalf("SetMemory: %v", err)
		}
	}
	check("empty store")
	set(user1A, "name", `"Ann"`)
	want[user1A] = `"Ann"`
	check("after one set") // no other scope sees it
	for i, sc := range scopes[1:] {
		v := []string{`"Bob"`, `{"first": "Cy", "tags": [1, 2]}`, `42`}[i]
		set(sc, "name", v)
		want[sc] = v
	}
	check("every scope set")
	set(user1A, "other", `true`)
	set(user1A, "name", `"Anna"`)
	want[user1A] = `"Anna"`
	check("after overwrite")
	set(user1A, "name", "")
	delete(want, user1A)
	check("after delete")
	set(user1A, "missing", "") // deleting nothing is fine
	if v, ok, _ := st.GetMemory(ctx, user1A, "other"); !ok || v != "true" {
		t.Errorf("deleting one key lost another: %q, %v", v, ok)
	}
}
