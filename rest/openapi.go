package rest

import (
	_ "embed"
	"net/http"

	"parley/runtime"
)

// OpenAPI is the OpenAPI 3.1 description of every endpoint of the server
// (the /api routes, /ws and the operations endpoints), served at
// GET /api/openapi.json. It is written by hand: a test validates it and
// checks that it describes every route and only routes
// (cmd/parley/openapi_test.go).
//
//go:embed openapi.json
var OpenAPI []byte

func (h *Handler) openAPI(w http.ResponseWriter, r *http.Request, _ runtime.Identity) error {
	w.Header().Set("Content-Type", "application/json")
	w.Write(OpenAPI)
	return nil
}
