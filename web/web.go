// Package web holds the chat page served at / (static files, embedded so
// that the binary needs nothing beside it). It imports nothing.
package web

import "embed"

// FS is the page and its assets.
//
//go:embed index.html chat.js chat.css
var FS embed.FS
