// Package web holds the chat page served at /, its assets and /widget.js,
// and the support console served at /support (support.html, support.css
// and the modules in console/), and files.js and files.css, the
// attachments both pages show: static files, embedded so that the binary
// needs nothing beside it, with no build step. It imports nothing.
// docs/web.md describes the page and the widget, docs/support.md the
// console; e2e/ holds their browser tests.
package web

import "embed"

// FS is the pages, their assets and the widget script.
//
//go:embed index.html chat.js chat.css widget.js favicon.svg
//go:embed support.html support.css console/*.js
//go:embed files.js files.css
var FS embed.FS
