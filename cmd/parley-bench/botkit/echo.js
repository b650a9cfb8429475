// A Botkit 4 echo bot on botbuilder-adapter-web: parley-bench's peer for
// the turns scenario (../botkit.go). Each message is answered with its
// text, through Botkit's whole turn (the web adapter's activity, Botkit's
// middleware, dialog state in MemoryStorage, an `on('message')` handler,
// bot.reply). Everything is in memory.
//
//   node echo.js [PORT]      (or PORT=… node echo.js; 0 picks a free port)
//
// It listens on 127.0.0.1 only and prints one line when it does:
//   listening on http://127.0.0.1:PORT
// The WebSocket is the web adapter's, on any path. Its wire format
// (botbuilder-adapter-web/lib/web_adapter.js):
//   in:  {"type":"message","text":"hi","user":"u1","channel":"websocket"}
//        (the socket is the user's from then on: replies to u1 go to it)
//   out: {"type":"message","text":"hi"}
//
// Botkit's own webserver is off: it would listen on every interface (on
// PORT, default 3000). The web adapter's WebSocket server is given an
// HTTP server of this file's instead, bound to 127.0.0.1; the turn path
// is the one a Botkit web bot runs.
'use strict';

const http = require('http');
const { Botkit } = require('botkit');
const { WebAdapter } = require('botbuilder-adapter-web');

const port = Number(process.argv[2] ?? process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`echo.js: bad port ${process.argv[2] ?? process.env.PORT}`);
  process.exit(2);
}

const server = http.createServer((req, res) => {
  res.writeHead(426, { 'Content-Type': 'text/plain' });
  res.end('WebSocket only\n');
});

const adapter = new WebAdapter({ server });
const controller = new Botkit({
  adapter,
  disable_webserver: true,
  disable_console: true, // the memory-storage warning: memory is the point
});

controller.on('message', async (bot, message) => {
  await bot.reply(message, message.text);
});

server.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => process.exit(0));
}
