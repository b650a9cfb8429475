// Logged-in mode: a token entered once, the user's devices live in step,
// the bot picker, the conversation list with history, logging out.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { flakyNetwork, launch, msg, open, say, startServer, token, transcript } from "./helpers.mjs";
import { call } from "./support.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function logIn(page, jwt) {
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByLabel("Access token").fill(jwt);
  await page.getByLabel("Access token").press("Enter");
  await page.getByText("Signed in as Ada Lovelace").waitFor();
}

test("two browsers of one user see each other's messages live", async (t) => {
  const server = await startServer();
  t.after(() => server.stop("SIGTERM"));
  const jwt = await token(server, "ada", "Ada Lovelace");

  // Two contexts: separate storage, like two devices.
  const a = await open(browser, server.url);
  const b = await open(browser, server.url);
  await logIn(a, jwt);
  await msg(a, "bot", "What's your name?").waitFor();
  await logIn(b, jwt);
  await msg(b, "bot", "What's your name?").waitFor(); // the same conversation, replayed

  await say(a, "Ada");
  for (const p of [a, b]) {
    await msg(p, "user", "Ada").waitFor();
    await msg(p, "bot", "Nice to meet you, Ada!").waitFor();
  }
  await b.getByRole("button", { name: "Order status", exact: true }).click();
  for (const p of [a, b]) {
    await msg(p, "user", "Order status").waitFor();
    await p.locator("#log .msg.bot .bubble", { hasText: "Our support bot checks orders" }).waitFor();
  }
  for (const p of [a, b]) assert.equal(await msg(p, "user", "Order status").count(), 1);
  assert.deepEqual([...a.problems, ...b.problems], []);
});

test("after an outage a device catches up: no gaps, no duplicates", async (t) => {
  const server = await startServer();
  t.after(() => server.stop("SIGTERM"));
  const jwt = await token(server, "ada", "Ada Lovelace");
  const a = await open(browser);
  const net = await flakyNetwork(a);
  await a.goto(server.url);
  const b = await open(browser, server.url);
  await logIn(a, jwt);
  await msg(a, "bot", "What's your name?").waitFor();
  await logIn(b, jwt);
  await say(b, "Ada");
  await msg(a, "bot", "Nice to meet you, Ada!").waitFor();

  // A loses its connection; B goes on meanwhile.
  net.down();
  await a.locator("#conn", { hasText: /Reconnecting|Offline/ }).waitFor();
  await b.getByRole("button", { name: "Order status", exact: true }).click();
  await b.locator("#log .msg.bot .bubble", { hasText: "Our support bot checks orders" }).waitFor();

  // A reconnects (with a fresh ticket) and resumes after the last seq it
  // saw; every message frame arrives twice, and shows once.
  net.twice = (f) => f.type === "message";
  net.up();
  await a.locator("#log .msg.bot .bubble", { hasText: "Our support bot checks orders" }).waitFor();
  await a.getByRole("button", { name: "About Parley", exact: true }).waitFor();
  const seqs = await a.locator("#log .msg").evaluateAll((lis) => lis.map((li) => +li.dataset.seq));
  assert.deepEqual(seqs, seqs.map((_, i) => i + 1), "every seq once, in order");
  await b.waitForFunction((n) => document.querySelectorAll("#log .msg").length >= n, seqs.length);
  assert.deepEqual(await transcript(a), await transcript(b));
});

test("bot picker, conversation list with history, token kept, log out", async (t) => {
  const server = await startServer();
  t.after(() => server.stop("SIGTERM"));
  const jwt = await token(server, "ada", "Ada Lovelace");
  const page = await open(browser, server.url);
  await logIn(page, jwt);
  await say(page, "Ada");
  await msg(page, "bot", "Nice to meet you, Ada!").waitFor();

  // The list shows the conversation with its bot's name.
  const list = page.getByRole("navigation", { name: "Your conversations" });
  await list.getByRole("button", { name: /Welcome/ }).waitFor();

  // Another bot from the picker: a conversation of its own.
  await page.getByLabel("Bot").selectOption({ label: "Echo" });
  await say(page, "ping");
  await msg(page, "bot", "ping").waitFor();
  assert.equal(await msg(page, "bot", "Nice to meet you, Ada!").count(), 0);
  await list.getByRole("button", { name: /Echo/ }).waitFor();

  // Renamed (PATCH title), it shows its title once the list refreshes.
  const echo = (await call(server, jwt, "GET", "/api/conversations?bot_id=echo")).conversations[0];
  await call(server, jwt, "PATCH", "/api/conversations/" + echo.id, { title: "Pings" });
  await say(page, "pong");
  await list.getByRole("button", { name: /^Pings · Echo/ }).waitFor();

  // Opening the Welcome conversation from the list loads its history.
  await list.getByRole("button", { name: /Welcome/ }).click();
  await msg(page, "bot", "Nice to meet you, Ada!").waitFor();
  assert.equal(await msg(page, "bot", "ping").count(), 0);

  // The token is kept: a reload stays logged in, in the same conversation.
  await page.reload();
  await page.getByText("Signed in as Ada Lovelace").waitFor();
  await msg(page, "bot", "Nice to meet you, Ada!").waitFor();

  // Logging out forgets the token and goes back to an anonymous chat.
  await page.getByRole("button", { name: "Log out" }).click();
  await msg(page, "bot", "Hello! I'm Parley's welcome bot.").waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem("parley:token")), null);
  assert.equal(await list.isVisible(), false);
  assert.equal(await msg(page, "bot", "Nice to meet you, Ada!").count(), 0);
  assert.deepEqual(page.problems, []);
});

test("a bad token is refused politely", async (t) => {
  const server = await startServer();
  t.after(() => server.stop("SIGTERM"));
  const other = await startServer();
  t.after(() => other.stop("SIGTERM"));
  const foreign = await token(other, "ada"); // signed with another server's secret
  const page = await open(browser, server.url);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByLabel("Access token").fill(foreign);
  await page.getByLabel("Access token").press("Enter");
  await page.getByText("That token was not accepted").waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem("parley:token")), null);
});
