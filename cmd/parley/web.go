package main

import (
	"net/http"

	"parley/web"
)

// webHandler serves the chat page and its assets from the embedded web/.
func webHandler() http.Handler {
	return http.FileServerFS(web.FS)
}
