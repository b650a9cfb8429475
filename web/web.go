// Package web holds the chat page served at /, its assets and /widget.js
// (static files, embedded so that the binary needs nothing beside it; no
// build step). It imports nothing. docs/web.md describes the page and the
// widget; e2e/ holds their browser tests.
package web

import "embed"

// FS is the page, its assets and the widget script.
//
//go:embed index.html chat.js chat.css widget.js favicon.svg
var FS embed.FS
