// Shared by the browser tests and the screenshot script: start Parley
// servers from PARLEY_BIN, launch Debian's Chromium through playwright-core
// (which never downloads a browser of its own), and small page helpers.
import { spawn, execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { deflateSync } from "node:zlib";
import { chromium } from "playwright-core";

export const BIN = process.env.PARLEY_BIN || "parley";
export const CHROMIUM = process.env.PARLEY_CHROMIUM || "/usr/bin/chromium";

// Generous, because CI machines are slow; the waits end as soon as the
// awaited text or state shows up.
export const WAIT = 20_000;

/** A fresh data directory, removed at exit. */
export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), "parley-e2e-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Starts `parley serve` and resolves once it prints "listening on URL".
 * port 0 picks a free port; pass a previous server's port to restart it
 * in place. The working directory is the data dir, so no ./bots or
 * parley.yaml of the caller's is picked up: the built-in bots run.
 */
export function startServer({ data = tempDir(), port = 0, args = [] } = {}) {
  const proc = spawn(BIN, ["serve", "--addr", `127.0.0.1:${port}`, "--data", data, ...args], {
    cwd: data,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  proc.stderr.on("data", (b) => { log += b; });
  return new Promise((resolve, reject) => {
    let out = "";
    const fail = (why) => reject(new Error(`parley did not start: ${why}\n${log}`));
    proc.on("error", fail);
    proc.on("exit", (code) => fail(`exited with ${code}`));
    proc.stdout.on("data", (b) => {
      out += b;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (!m) return;
      proc.removeAllListeners("exit");
      const url = m[1];
      resolve({
        url, data, proc,
        port: Number(new URL(url).port),
        log: () => log,
        /** Stops the server: SIGKILL by default (a crash), or "SIGTERM". */
        stop(signal = "SIGKILL") {
          if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
          return new Promise((done) => { proc.once("exit", done); proc.kill(signal); });
        },
      });
    });
  });
}

/** A JWT for user (role user, agent or admin), signed with the secret in the server's data dir. */
export async function token(server, user, name = user, role = "user") {
  const { stdout } = await promisify(execFile)(BIN, ["token", "--user", user, "--name", name, "--role", role, "--data", server.data], { cwd: server.data });
  return stdout.trim();
}

/** A tiny HTTP server on another port (another origin) serving pages. */
export function hostServer(pages) {
  const srv = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/favicon.ico") return res.writeHead(204).end();
    const body = pages[path];
    res.writeHead(body ? 200 : 404, { "Content-Type": "text/html; charset=utf-8" });
    res.end(body || "not found");
  });
  return new Promise((resolve) => srv.listen(0, "127.0.0.1", () => {
    const { port } = srv.address();
    resolve({ url: `http://127.0.0.1:${port}`, port, close: () => new Promise((r) => srv.close(r)) });
  }));
}

/**
 * Launches Chromium. Playwright gives every launch a fresh temporary
 * profile (user-data-dir) and removes it on close.
 */
export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
      "--no-first-run", "--disable-component-update", "--disable-sync"],
  });
}

/**
 * Opens a page in a new context and collects what would show a bug: page
 * errors and console errors (a CSP violation is one) in problems, console
 * warnings (a postMessage to the wrong origin is one) in warnings. Both
 * cover the page's frames too.
 */
export async function open(browser, url, opts = {}) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 }, ...opts });
  context.setDefaultTimeout(WAIT);
  const page = await context.newPage();
  page.problems = [];
  page.warnings = [];
  page.on("pageerror", (e) => page.problems.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") page.problems.push(m.text());
    if (m.type() === "warning") page.warnings.push(m.text());
  });
  if (url) await page.goto(url);
  return page;
}

/** The chat's messages as [sender class, text] pairs, in page order. */
export function transcript(page) {
  return page.locator("#log .msg").evaluateAll((lis) => lis.map((li) => [
    li.classList.contains("pending") ? "pending" : li.classList[1],
    li.querySelector(".bubble").textContent,
  ]));
}

/** Types text into the message box and presses Enter. */
export async function say(page, text) {
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill(text);
  await box.press("Enter");
}

/** A locator for confirmed (stored, not pending) messages whose text is exactly text. */
export const msg = (page, sender, text) =>
  page.locator(`#log .msg.${sender}:not(.pending)`)
    .filter({ has: page.locator(".bubble", { hasText: new RegExp("^" + text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "$") }) });

/**
 * Routes the page's /ws through a switch: down() drops every socket and
 * refuses new ones (a network outage), up() lets them through again.
 * lose(direction, frame) may return true to drop one frame ("up" is page →
 * server, "down" server → page), as a dying connection would; twice(frame)
 * may return true to deliver a frame from the server twice.
 */
export async function flakyNetwork(page) {
  const net = { cut: false, lose: () => false, twice: () => false, open: new Set() };
  await page.routeWebSocket(/\/ws/, (ws) => {
    if (net.cut) return ws.close({ code: 1011, reason: "test: network down" });
    const srv = ws.connectToServer();
    const conn = { ws, srv };
    net.open.add(conn);
    ws.onMessage((m) => { if (!net.lose("up", JSON.parse(m))) srv.send(m); });
    srv.onMessage((m) => {
      const f = JSON.parse(m);
      if (net.lose("down", f)) return;
      ws.send(m);
      if (net.twice(f)) ws.send(m);
    });
  });
  net.down = () => {
    net.cut = true;
    for (const { ws, srv } of net.open) { ws.close({ code: 1011, reason: "test: network down" }); srv.close(); }
    net.open.clear();
  };
  net.up = () => { net.cut = false; };
  return net;
}

/**
 * A local stub of an OpenAI-compatible chat-completions endpoint (the Go
 * one is parley/llm/llmtest): it streams `chunks` as SSE
 * chat.completion.chunk events, then `data: [DONE]`. The first chunk goes
 * at once; each later one waits for release(). hits counts the calls.
 */
export function llmStub(chunks) {
  const stub = { hits: 0, waiting: [], tokens: 0 };
  stub.release = () => { const w = stub.waiting.shift(); if (w) w(); else stub.tokens++; };
  const next = () => new Promise((go) => { if (stub.tokens > 0) { stub.tokens--; go(); } else stub.waiting.push(go); });
  const chunk = (delta, finish = null) => "data: " + JSON.stringify({ id: "chatcmpl-stub", object: "chat.completion.chunk",
    created: 1700000000, model: "stub-model", choices: [{ index: 0, delta, finish_reason: finish }] }) + "\n\n";
  const srv = createServer(async (req, res) => {
    if (req.method !== "POST" || !req.url.endsWith("/chat/completions")) return res.writeHead(404).end();
    for await (const _ of req); // the request
    stub.hits++;
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
    for (const [i, c] of chunks.entries()) {
      if (i > 0) await next();
      res.write(chunk({ content: c }));
    }
    res.end(chunk({}, "stop") + "data: [DONE]\n\n");
  });
  return new Promise((resolve) => srv.listen(0, "127.0.0.1", () => {
    stub.url = `http://127.0.0.1:${srv.address().port}/v1`;
    stub.close = () => new Promise((r) => { srv.closeAllConnections(); srv.close(r); });
    resolve(stub);
  }));
}

/** A PNG of w×h pixels of one colour ([r, g, b]): real bytes, which the server sniffs as image/png. */
export function png(w, h, [r, g, b] = [36, 88, 214]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    for (let k = 0; k < 8; k++) n = n & 1 ? 0xedb88320 ^ (n >>> 1) : n >>> 1;
    return n >>> 0;
  });
  const crc = (buf) => { let c = 0xffffffff; for (const x of buf) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, "ascii");
    data.copy(out, 8);
    out.writeUInt32BE(crc(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: w }, () => [r, g, b]).flat())]);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

/** A WAV of ms milliseconds of silence (8 kHz, 8 bits, mono): sniffed as audio. */
export function wav(ms = 200) {
  const n = Math.round(8 * ms), out = Buffer.alloc(44 + n, 128);
  out.write("RIFF", 0); out.writeUInt32LE(36 + n, 4); out.write("WAVEfmt ", 8);
  out.writeUInt32LE(16, 16); out.writeUInt16LE(1, 20); out.writeUInt16LE(1, 22);
  out.writeUInt32LE(8000, 24); out.writeUInt32LE(8000, 28); out.writeUInt16LE(1, 32); out.writeUInt16LE(8, 34);
  out.write("data", 36); out.writeUInt32LE(n, 40);
  return out;
}

/** A one-page PDF: a file that is neither image, audio nor video. */
export const pdf = () => Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");
