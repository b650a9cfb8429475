// The chat page as an anonymous visitor uses it: greeting, replies,
// suggestions, keyboard, reload, polite errors, and the page's budget.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launch, msg, open, say, startServer, transcript } from "./helpers.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("greeting, reply, suggestion click, typing indicator, reload", async (t) => {
  const server = await startServer();
  t.after(() => server.stop("SIGTERM"));
  const page = await open(browser);
  await page.addInitScript(() => { // layout shifts not caused by the user
    window.shifts = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) window.shifts += e.value;
    }).observe({ type: "layout-shift", buffered: true });
  });
  await page.goto(server.url);

  // The message box is the first visible text field, and has the focus.
  const first = await page.evaluate(() => {
    const fields = [...document.querySelectorAll("textarea, input")].filter((e) =>
      (e.tagName === "TEXTAREA" || ["text", "search", "email", "url", "tel", "password", ""].includes(e.getAttribute("type") ?? "")) &&
      e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden");
    return { first: fields[0]?.id, focused: document.activeElement?.id };
  });
  assert.deepEqual(first, { first: "box", focused: "box" });

  // The greeting, with sender and time on each message.
  await msg(page, "bot", "What's your name?").waitFor();
  const hello = msg(page, "bot", "Hello! I'm Parley's welcome bot.");
  assert.equal(await hello.locator(".meta b").textContent(), "Welcome");
  assert.match(await hello.locator("time").getAttribute("datetime"), /^\d{4}-\d\d-\d\dT/);

  // A reply typed with the keyboard alone: Enter sends, the box empties and keeps the focus.
  await page.keyboard.type("Ada");
  await page.keyboard.press("Enter");
  await msg(page, "user", "Ada").waitFor();
  await msg(page, "bot", "Nice to meet you, Ada!").waitFor();
  assert.equal(await page.locator("#box").inputValue(), "");
  assert.equal(await page.evaluate(() => document.activeElement.id), "box");

  // Suggestions are buttons named exactly by their text; a click sends the text.
  for (const s of ["Order status", "Talk to support"]) await page.getByRole("button", { name: s, exact: true }).waitFor();
  await page.evaluate(() => { // catch the typing indicator however briefly it shows
    window.typingSeen = false;
    new MutationObserver(() => { window.typingSeen ||= document.getElementById("typing").classList.contains("on"); })
      .observe(document.getElementById("typing"), { attributes: true });
  });
  await page.getByRole("button", { name: "About Parley", exact: true }).click();
  await msg(page, "user", "About Parley").waitFor();
  await page.locator("#log .msg.bot .bubble", { hasText: "Parley runs bots written as small Lua scripts" }).waitFor();
  assert.equal(await page.evaluate(() => window.typingSeen), true, "the typing indicator showed");
  await page.locator("#typing:not(.on)").waitFor({ state: "attached" });
  assert.equal(await page.evaluate(() => document.activeElement.id), "box", "focus returns to the box");
  await page.getByRole("button", { name: "About Parley", exact: true }).waitFor(); // the next menu

  // Messages, the typing indicator and suggestions came and went: nothing moved.
  assert.equal(await page.evaluate(() => window.shifts), 0, "no layout shift");

  // Reload: the same conversation, the same transcript, nothing twice.
  const sid = () => page.evaluate(() => JSON.parse(localStorage.getItem("parley:session:anon:default")).sid);
  const before = await transcript(page);
  const sidBefore = await sid();
  assert.equal(before.length, 8);
  await page.reload();
  // The suggestions in force follow the whole backlog, so once they are
  // back the replay is complete.
  await page.getByRole("button", { name: "About Parley", exact: true }).waitFor();
  assert.deepEqual(await transcript(page), before);
  assert.equal(await sid(), sidBefore);
  const ids = await page.locator("#log .msg").evaluateAll((lis) => lis.map((li) => li.dataset.id));
  assert.equal(new Set(ids).size, ids.length);

  // And the conversation goes on.
  await say(page, "Order status");
  await page.locator("#log .msg.bot .bubble", { hasText: "Our support bot checks orders" }).waitFor();
  assert.deepEqual(page.problems, []);
});

test("keyboard: tab order, visible focus ring; errors are polite", async (t) => {
  const server = await startServer();
  t.after(() => server.stop("SIGTERM"));
  const page = await open(browser, server.url);
  await msg(page, "bot", "What's your name?").waitFor();

  // From the box, Tab reaches the send button, and focus rings are visible.
  await page.keyboard.press("Tab");
  const ring = await page.evaluate(() => {
    const e = document.activeElement;
    return { id: e.id, outline: getComputedStyle(e).outlineStyle };
  });
  assert.deepEqual(ring, { id: "send", outline: "solid" });
  await page.keyboard.press("Shift+Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "box");

  // Shift+Enter is a new line, not a send.
  await page.keyboard.type("Grace");
  await page.keyboard.press("Shift+Enter");
  await page.keyboard.type("Hopper");
  assert.equal(await page.locator("#box").inputValue(), "Grace\nHopper");
  await page.keyboard.press("Enter");
  await msg(page, "user", "Grace\nHopper").waitFor();

  // A message the server refuses (over 32 KiB) is marked as not sent, in words.
  await page.locator("#box").fill("x".repeat(33 * 1024));
  await page.keyboard.press("Enter");
  const failed = page.locator("#log .msg.failed");
  await failed.waitFor();
  const text = await failed.locator(".meta").textContent();
  assert.match(text, /Not sent: That message is too long to send\./);
  assert.doesNotMatch(await page.locator("#log").textContent(), /too_large|invalid_message/);
  assert.deepEqual(page.problems, []);
});

// The message items of the log as the eye sees them: each one's sender
// class, whether it starts a group (name, time and avatar on screen), the
// avatar's initials, and the time shown.
const looks = (page) => page.locator("#log .msg").evaluateAll((lis) => lis.map((li) => {
  const meta = li.querySelector(".meta"), av = li.querySelector(".av");
  const seen = (e) => !!e && e.getBoundingClientRect().width > 1 && getComputedStyle(e).visibility !== "hidden";
  return { sender: li.classList[1], text: li.querySelector(".bubble").textContent, head: seen(meta), cont: li.classList.contains("cont"),
    avatar: seen(av) ? av.textContent : null, time: meta.querySelector("time")?.textContent, datetime: meta.querySelector("time")?.dateTime };
}));

test("how it looks: groups by sender, avatars, times without a leading zero, header over the column", async (t) => {
  const server = await startServer();
  t.after(() => server.stop("SIGTERM"));
  // A time zone where it is 7 in the morning now: an hour of one digit.
  const off = ((7 - new Date().getUTCHours() + 36) % 24) - 12; // -12 … +11
  const zone = off > 0 ? "Etc/GMT-" + off : "Etc/GMT+" + -off;
  const page = await open(browser, server.url, { locale: "en-US", timezoneId: zone, viewport: { width: 1280, height: 800 } });
  await msg(page, "bot", "What's your name?").waitFor();
  await say(page, "Ada");
  await msg(page, "bot", "How can I help, Ada?").waitFor();

  // Two groups of the bot's, each under one name and time with the bot's
  // initials beside it; the visitor's message between them starts its own.
  const items = await looks(page);
  assert.deepEqual(items.map(({ sender, text, head, avatar }) => [sender, text, head, avatar]), [
    ["bot", "Hello! I'm Parley's welcome bot.", true, "W"],
    ["bot", "What's your name?", false, null],
    ["user", "Ada", true, null],
    ["bot", "Nice to meet you, Ada!", true, "W"],
    ["bot", "How can I help, Ada?", false, null],
  ]);
  // The name is kept for screen readers in every item.
  assert.equal(await page.locator("#log .msg.cont .meta b").first().textContent(), "Welcome");

  // Times as the locale writes them with hour: "numeric": 9:05 AM, not 09:05 AM.
  for (const { time, datetime } of items) {
    const want = new Date(datetime).toLocaleTimeString("en-US", { hour: "numeric", minute: "2-digit", timeZone: zone });
    assert.equal(time.replace(/\s/g, " "), want.replace(/\s/g, " "));
    assert.match(time, /^(?:[1-9]|1[0-2]):[0-5]\d\s[AP]M$/, "no leading zero");
  }

  // The header's content lines up with the message column.
  const edges = await page.evaluate(() => {
    const box = (id) => document.getElementById(id).getBoundingClientRect();
    const log = document.getElementById("log"), pad = parseFloat(getComputedStyle(log).paddingLeft);
    return { title: box("title").left, column: box("log").left + pad, barPad: getComputedStyle(document.querySelector(".bar")).paddingRight,
      logPad: getComputedStyle(log).paddingRight, composer: box("attach").left };
  });
  assert.ok(edges.column > 100, "a centred column at 1280 px");
  assert.equal(Math.round(edges.title), Math.round(edges.column), "the title starts where the messages do");
  assert.equal(Math.round(edges.composer), Math.round(edges.column), "and so does the composer");
  assert.equal(edges.barPad, edges.logPad);
  assert.deepEqual(page.problems, []);
});

test("a new group after five minutes, even from the same sender", async (t) => {
  const server = await startServer();
  t.after(() => server.stop("SIGTERM"));
  const page = await open(browser);
  // The greeting's second message comes six minutes after the first.
  await page.routeWebSocket(/\/ws/, (ws) => {
    const srv = ws.connectToServer();
    ws.onMessage((m) => srv.send(m));
    srv.onMessage((m) => {
      const f = JSON.parse(m);
      if (f.type === "message" && f.content === "What's your name?") f.timestamp = new Date(Date.parse(f.timestamp) + 6 * 60000).toISOString();
      ws.send(JSON.stringify(f));
    });
  });
  await page.goto(server.url);
  await msg(page, "bot", "What's your name?").waitFor();
  assert.deepEqual((await looks(page)).map(({ head, cont, avatar }) => [head, cont, avatar]), [[true, false, "W"], [true, false, "W"]]);
});

test("at 375 px the suggestions scroll sideways, and the page does not", async (t) => {
  const server = await startServer();
  t.after(() => server.stop("SIGTERM"));
  const page = await open(browser, server.url, { viewport: { width: 375, height: 700 }, isMobile: true, hasTouch: true });
  await msg(page, "bot", "What's your name?").waitFor();
  await say(page, "Ada");
  const last = page.getByRole("button", { name: "About Parley", exact: true });
  await last.waitFor();
  const row = page.getByRole("group", { name: "Suggested replies" });
  const state = () => row.evaluate((r) => ({ left: r.scrollLeft, over: r.scrollWidth > r.clientWidth, x: getComputedStyle(r).overflowX,
    lastRight: r.lastElementChild.getBoundingClientRect().right, page: document.documentElement.scrollWidth, faded: r.className }));
  const before = await state();
  assert.ok(before.over && before.lastRight > 375, `the chips do not fit: ${JSON.stringify(before)}`);
  assert.equal(before.x, "auto");
  assert.equal(before.page, 375, "the page itself does not scroll sideways");
  assert.match(before.faded, /\bmore\b/, "the cut edge fades");
  // The row runs to the window's edges, so chips are cut there, not inside the margin.
  const edges = await row.evaluate((r) => [r.getBoundingClientRect().left, r.getBoundingClientRect().right, r.firstElementChild.getBoundingClientRect().left]);
  assert.deepEqual(edges.map(Math.round), [0, 375, 12]);

  // A sideways swipe (a horizontal wheel here) brings the last chip in.
  const box = await row.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(400, 0);
  await page.waitForFunction(() => {
    const r = document.getElementById("suggestions");
    return r.scrollLeft > 0 && r.lastElementChild.getBoundingClientRect().right <= innerWidth;
  });
  assert.match((await state()).faded, /\bback\b/, "now the other edge fades");
  await last.tap();
  await msg(page, "user", "About Parley").waitFor();
  assert.deepEqual(page.problems, []);
});

test("a bot that needs a login: said plainly, and the message is not left pending", async (t) => {
  const server = await startServer();
  t.after(() => server.stop("SIGTERM"));
  const page = await open(browser, server.url + "/?bot=echo");
  await page.locator("#log .note.warn", { hasText: "Please log in to chat with this bot." }).waitFor();
  await say(page, "hello?");
  const failed = page.locator("#log .msg.failed", { hasText: "hello?" });
  await failed.waitFor();
  assert.equal(await failed.locator(".meta").textContent(), "You · Not sent: please log in first.");
  assert.equal(await page.locator("#log .pending").count(), 0);
  assert.equal(await page.evaluate(() => localStorage.getItem("parley:pending")), null);
});

// The budget was 50 KB until attachments came (docs/web.md, "Size"): the
// page's own part of them (the attach button, drop and paste, pending
// files) is in it; files.js and files.css load on first use, and count
// in the second budget, of a visit that meets a file.
test("the page and the widget load in under 55 KB, one CSS and one deferred JS; with files.js under 70 KB", async (t) => {
  const server = await startServer();
  t.after(() => server.stop("SIGTERM"));
  const sizes = {};
  for (const f of ["/", "/chat.css", "/chat.js", "/widget.js", "/favicon.svg"]) {
    const r = await fetch(server.url + f);
    assert.equal(r.status, 200, f);
    sizes[f] = (await r.arrayBuffer()).byteLength;
  }
  const total = Object.values(sizes).reduce((a, b) => a + b);
  t.diagnostic(`sizes ${JSON.stringify(sizes)} total ${total} bytes`);
  assert.ok(total < 55 * 1024, `page + widget are ${total} bytes`);
  let withFiles = total;
  for (const f of ["/files.js", "/files.css"]) withFiles += (await (await fetch(server.url + f)).arrayBuffer()).byteLength;
  t.diagnostic(`with files.js and files.css ${withFiles} bytes`);
  assert.ok(withFiles < 70 * 1024, `page + widget + files are ${withFiles} bytes`);

  const html = await (await fetch(server.url)).text();
  assert.equal(html.match(/<link rel="stylesheet"/g).length, 1);
  assert.deepEqual(html.match(/<script[^>]*>/g), ['<script src="chat.js" defer>']);

  // Everything the browser fetches for the page counts too.
  const page = await open(browser);
  let fetched = 0;
  page.on("response", async (r) => { if (!r.url().includes("/ws")) fetched += (await r.body()).length; });
  const urls = [];
  page.on("request", (r) => urls.push(new URL(r.url()).pathname));
  await page.goto(server.url, { waitUntil: "networkidle" });
  assert.ok(fetched < 55 * 1024, `the page fetched ${fetched} bytes`);
  assert.ok(!urls.includes("/files.js"), "files.js waits for a file");
});
