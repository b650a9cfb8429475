// Package bots holds the example bots that ship inside the parley binary.
//
// A bot is a folder: <slug>/bot.yaml (name, description, default) and
// <slug>/start.lua (the dialog script), and the files it sends with TALK
// under <slug>/files. Package dialogs loads bots from any fs.FS, so this
// embedded set and a directory on disk are interchangeable.
//
// This package is data: it imports nothing from the project.
package bots

import "embed"

// FS holds the example bots. Its root is the bots directory itself:
// FS contains "welcome/bot.yaml", "welcome/start.lua" and so on, so callers
// need no fs.Sub.
//
//go:embed */bot.yaml */start.lua */files
var FS embed.FS
