// Package outbound makes the HTTP requests of bot scripts (HTTP_GET and
// HTTP_POST). Start at Client (fetch.go), the runtime.Fetcher that cmd
// wires into the Hub: the runtime asks it for a request, live, and
// journals the outcome, so a replay never reaches this package.
//
// A request goes only to a host the bot's http_allow lists (allow.go;
// the syntax of an entry is runtime's, runtime.ParseHTTPAllow), and the
// address actually dialled, after DNS, is checked again (dial.go): only a
// host listed exactly may be loopback, private, link-local or otherwise
// special. Every request has its limits (URL, bodies, redirects, time),
// and every refusal or failure is a *runtime.HTTPError that names the
// host, never the URL.
package outbound
