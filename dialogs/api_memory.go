package dialogs

import (
	"context"

	lua "github.com/yuin/gopher-lua"
)

// maxKey caps a memory key; values are capped by maxValue (memjson.go).
const maxKey = 200

// SET(key, value): value is a string, number, boolean, a table of those,
// or nil to forget the key.
func luaSet(L *lua.LState) int {
	key := checkKey(L)
	value, err := encodeValue(L.Get(2))
	if err != nil {
		L.ArgError(2, err.Error())
	}
	threadOf(L).setMemory(key, value)
	return 0
}

// GET(key) → the value SET stored, or nil.
func luaGet(L *lua.LState) int {
	key := checkKey(L)
	raw, ok := threadOf(L).getMemory(key)
	if !ok {
		L.Push(lua.LNil)
		return 1
	}
	v, err := decodeValue(L, raw)
	if err != nil {
		L.RaiseError("GET(%q): the stored value is not valid JSON: %v", key, err)
	}
	L.Push(v)
	return 1
}

func checkKey(L *lua.LState) string {
	key := L.CheckString(1)
	if key == "" || len(key) > maxKey {
		L.ArgError(1, "a key has 1 to 200 bytes")
	}
	return key
}

// setMemory stores the JSON text of a value; "" deletes the key.
func (th *thread) setMemory(key, value string) {
	th.host(func(ctx context.Context) error { return th.d.host.SetMemory(ctx, key, value) })
}

func (th *thread) getMemory(key string) (v string, ok bool) {
	th.host(func(ctx context.Context) (err error) {
		v, ok, err = th.d.host.GetMemory(ctx, key)
		return err
	})
	return v, ok && v != ""
}
