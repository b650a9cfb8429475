package dialogs

import (
	"context"
	"errors"
	"net/http"

	lua "github.com/yuin/gopher-lua"

	"parley/runtime"
)

// Content types of HTTP_POST's body.
const (
	textContent = "text/plain; charset=utf-8"
	jsonContent = "application/json"
)

// HTTP_GET(url) → body, status
func luaHTTPGet(L *lua.LState) int {
	return httpCall(L, "HTTP_GET", runtime.HTTPRequest{Method: http.MethodGet, URL: L.CheckString(1)})
}

// HTTP_POST(url, body) → body, status. A string body is sent as text, a
// table as JSON (SET's encoding), nil as nothing.
func luaHTTPPost(L *lua.LState) int {
	req := runtime.HTTPRequest{Method: http.MethodPost, URL: L.CheckString(1)}
	switch v := L.Get(2).(type) {
	case lua.LString:
		req.Body, req.ContentType = string(v), textContent
	case *lua.LTable:
		body, err := encodeValue(v)
		if err != nil {
			L.ArgError(2, "cannot be sent as JSON: "+err.Error())
		}
		req.Body, req.ContentType = body, jsonContent
	case *lua.LNilType:
	default:
		L.ArgError(2, "a string, a table or nil expected, got "+describe(v))
	}
	return httpCall(L, "HTTP_POST", req)
}

// httpCall makes the request and pushes the body and the status. A request
// refused or failed raises a Lua error the script can pcall.
func httpCall(L *lua.LState, name string, req runtime.HTTPRequest) int {
	resp, refused := threadOf(L).http(req)
	if refused != nil {
		L.RaiseError("%s: %v", name, refused)
	}
	L.Push(lua.LString(resp.Body))
	L.Push(lua.LNumber(resp.Status))
	return 2
}

// http asks the host for req. An *runtime.HTTPError is the request's
// outcome, returned for the script; any other error is the host's and
// ends the run.
func (th *thread) http(req runtime.HTTPRequest) (resp runtime.HTTPResponse, refused error) {
	th.host(func(ctx context.Context) error {
		var err error
		resp, err = th.d.host.HTTP(ctx, req)
		if he := (*runtime.HTTPError)(nil); errors.As(err, &he) {
			refused = he
			return nil
		}
		return err
	})
	return resp, refused
}
