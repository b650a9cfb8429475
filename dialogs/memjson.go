package dialogs

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"

	lua "github.com/yuin/gopher-lua"
)

// Limits of one stored value.
const (
	maxValue = 64 << 10 // bytes of JSON
	maxDepth = 20       // nested tables
)

// encodeValue turns a Lua value into the JSON text SET stores, "" for nil.
// A table becomes a JSON array when its keys are exactly 1..n, an object
// when they are all strings (an empty table is {}).
func encodeValue(v lua.LValue) (string, error) {
	if v == lua.LNil {
		return "", nil
	}
	g, err := toGo(v, 0)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(g)
	if err != nil {
		return "", err
	}
	if len(b) > maxValue {
		return "", fmt.Errorf("the value takes %d bytes; at most %d can be stored", len(b), maxValue)
	}
	return string(b), nil
}

func toGo(v lua.LValue, depth int) (any, error) {
	switch v := v.(type) {
	case lua.LString:
		return string(v), nil
	case lua.LBool:
		return bool(v), nil
	case lua.LNumber:
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, errors.New("NaN and infinity cannot be stored")
		}
		return float64(v), nil
	case *lua.LTable:
		if depth >= maxDepth {
			return nil, fmt.Errorf("tables nest deeper than %d (a cycle?)", maxDepth)
		}
		return tableToGo(v, depth+1)
	}
	return nil, fmt.Errorf("a %s cannot be stored", v.Type())
}

func tableToGo(t *lua.LTable, depth int) (any, error) {
	n := t.Len()
	keys, strs := 0, 0
	t.ForEach(func(k, _ lua.LValue) {
		keys++
		if _, ok := k.(lua.LString); ok {
			strs++
		}
	})
	switch {
	case keys == strs:
		return objectToGo(t, depth)
	case keys == n:
		return arrayToGo(t, n, depth)
	}
	return nil, errors.New("a table must be a list (keys 1..n) or have only string keys")
}

func arrayToGo(t *lua.LTable, n, depth int) (any, error) {
	out := make([]any, n)
	for i := range out {
		e := t.RawGetInt(i + 1)
		if e == lua.LNil { // a hole that Len() jumped over
			return nil, errors.New("a list must not have holes")
		}
		g, err := toGo(e, depth)
		if err != nil {
			return nil, err
		}
		out[i] = g
	}
	return out, nil
}

// objectToGo walks t in pairs() order, so that of two bad values the same
// one is reported in every run.
func objectToGo(t *lua.LTable, depth int) (any, error) {
	out := make(map[string]any)
	var err error
	eachInOrder(t, func(k, v lua.LValue) {
		if err == nil {
			out[string(k.(lua.LString))], err = toGo(v, depth)
		}
	})
	return out, err
}

// decodeValue is encodeValue's inverse.
func decodeValue(L *lua.LState, raw string) (lua.LValue, error) {
	var g any
	if err := json.Unmarshal([]byte(raw), &g); err != nil {
		return lua.LNil, err
	}
	return toLua(L, g), nil
}

func toLua(L *lua.LState, g any) lua.LValue {
	switch g := g.(type) {
	case string:
		return lua.LString(g)
	case bool:
		return lua.LBool(g)
	case float64:
		return lua.LNumber(g)
	case []any:
		t := L.CreateTable(len(g), 0)
		for i, e := range g {
			t.RawSetInt(i+1, toLua(L, e))
		}
		return t
	case map[string]any:
		t := L.CreateTable(0, len(g))
		keys := make([]string, 0, len(g))
		for k := range g {
			keys = append(keys, k)
		}
		sort.Strings(keys) // a stable table layout, so pairs() is replayable
		for _, k := range keys {
			t.RawSetString(k, toLua(L, g[k]))
		}
		return t
	}
	return lua.LNil
}
