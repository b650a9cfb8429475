// Package inbound reads what an HTTP request says about its caller, the
// same way for the WebSocket (ws) and REST (rest) handlers, which share it
// rather than import each other.
//
// Start at Credentials.FromHeaders (credentials.go): an API key in
// X-API-Key, which wins, or a bearer JWT in Authorization, checked by the
// runtime.Authenticators that cmd wires. ClientIP (clientip.go) is the
// address a request comes from, believing X-Forwarded-For only from the
// trusted proxies that ParseTrustedProxies reads from the configuration.
// Spool (files.go) receives the files of a multipart upload.
//
// What a caller may then do (tickets, who may reach a conversation) is
// the domain's, in package runtime.
package inbound
