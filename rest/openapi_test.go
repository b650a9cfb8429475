package rest_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"parley/rest"
	"parley/runtime"
)

// The document is valid OpenAPI 3.1, examples included. (That it
// describes every route and only routes is cmd/parley/openapi_test.go.)
func TestOpenAPIValid(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData(rest.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	if !doc.IsOpenAPI31OrLater() || doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi: %q, want 3.1.0", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatal(err)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID == "" || op.Summary == "" {
				t.Errorf("%s %s has no operationId or summary", method, path)
			}
			// Every /api error is the one {error, message} shape.
			for code, resp := range op.Responses.Map() {
				if strings.HasPrefix(path, "/api/") && (code[0] == '4' || code[0] == '5') {
					if ref := resp.Ref; ref == "" {
						t.Errorf("%s %s answers %s without the shared error response", method, path, code)
					}
				}
			}
		}
	}
}

// GET /api/openapi.json serves the document to anyone.
func TestOpenAPIServed(t *testing.T) {
	t.Parallel()
	a := newAPI(t, runtime.Config{})
	resp, err := http.Get(a.URL + "/api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || !bytes.Equal(body, rest.OpenAPI) {
		t.Fatalf("GET /api/openapi.json: %d %s, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}
}
