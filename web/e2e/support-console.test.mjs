// The support console on its own: signing in (and being refused, in
// words), the keyboard, the stats panel without its endpoint, and the
// console's size budget.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { BIN, launch, open, startServer, token } from "./helpers.mjs";
import { queueAsAdmin, signIn, startConversation } from "./support.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// Failed requests (the 401s and 403s tried here) log console errors of their own.
const problems = (page) => page.problems.filter((p) => !p.startsWith("Failed to load resource"));

test("sign in: refused in words, an API key, kept over a reload, sign out", async (t) => {
  const server = await startServer();
  t.after(() => server.stop("SIGTERM"));
  const other = await startServer();
  t.after(() => other.stop("SIGTERM"));
  const page = await open(browser);
  await page.route("**/api/support/stats", (r) => r.fulfill({ status: 404, json: { error: "not_found" } }));
  await page.goto(server.url + "/support");
  assert.equal(await page.evaluate(() => document.activeElement.id), "cred", "the first field has the focus");
  const said = page.locator("#signin-msg");

  await signIn(page, await token(other, "ada", "Ada", "agent")); // another server's secret
  await said.getByText("That token or key was not accepted").waitFor();
  await signIn(page, await token(server, "vic", "Victor")); // role user
  await said.getByText("This account may not work the support desk").waitFor();
  await signIn(page, "pk_NOTAKEY", "ada");
  await said.getByText("That token or key was not accepted").waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);

  // An agent's API key, with the user id it does not carry.
  const { stdout } = await promisify(execFile)(BIN, ["apikey", "create", "--user", "ada", "--name", "console", "--role", "agent", "--data", server.data], { cwd: server.data });
  await signIn(page, stdout.trim(), "ada");
  await page.getByText("Signed in as ada").waitFor();
  await page.locator("#queue-count", { hasText: "0 waiting" }).waitFor();
  await page.locator("#stats", { hasText: "Stats are not available on this server." }).waitFor();

  // Kept for the tab's life (sessionStorage), forgotten on sign out.
  await page.reload();
  await page.getByText("Signed in as ada").waitFor();
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("Access token or API key").waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  assert.deepEqual(problems(page), []);
});

test("keyboard: tabs with arrows, a row with Enter, assign, Enter sends; focus rings", async (t) => {
  const server = await startServer();
  t.after(() => server.stop("SIGTERM"));
  await queueAsAdmin(server, await startConversation(server, "vic", "Where is my parcel?"));
  const page = await open(browser, server.url + "/support");
  await signIn(page, await token(server, "ada", "Ada Agent", "agent"));
  await page.getByText("Signed in as Ada Agent").waitFor();
  const focused = () => page.evaluate(() => {
    const e = document.activeElement;
    return { text: e.textContent.trim().split("\n")[0], outline: getComputedStyle(e).outlineStyle };
  });

  // The selected tab has the focus; arrows move along the tabs and pick one.
  assert.deepEqual(await focused(), { text: "Waiting", outline: "solid" });
  await page.keyboard.press("ArrowRight");
  await page.getByRole("tab", { name: "Open", selected: true }).waitFor();
  await page.locator("#queue-count", { hasText: "0 open" }).waitFor();
  await page.keyboard.press("ArrowLeft");
  await page.getByRole("tab", { name: "Waiting", selected: true }).waitFor();
  await page.locator("#queue-count", { hasText: "1 waiting" }).waitFor();

  // Tab: the filter, then the row; Enter opens it.
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "agent-filter");
  await page.keyboard.press("Tab");
  assert.match((await focused()).text, /^vic/);
  await page.keyboard.press("Enter");
  await page.locator("#log .msg.user", { hasText: "Where is my parcel?" }).waitFor();

  // Tab on: the messages, then (the reply is closed until assigned) Assign to me.
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "log");
  await page.keyboard.press("Tab");
  assert.deepEqual(await focused(), { text: "Assign to me", outline: "solid" });
  await page.keyboard.press("Enter");
  await page.locator("#conv-conn", { hasText: "Live" }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), "reply");

  // Shift+Enter is a new line, Enter sends and keeps the focus in the reply.
  await page.keyboard.type("On its way");
  await page.keyboard.press("Shift+Enter");
  await page.keyboard.type("since Monday.");
  await page.keyboard.press("Enter");
  await page.locator("#log .msg.agent:not(.pending) .bubble", { hasText: "On its way\nsince Monday." }).waitFor();
  assert.equal(await page.locator("#reply").inputValue(), "");
  assert.equal(await page.evaluate(() => document.activeElement.id), "reply");
  assert.deepEqual(problems(page), []);
});

// 60 KB until attachments came: files.js and files.css, shared with the
// chat page, are part of the console from the start (docs/support.md).
test("the console loads in under 70 KB: one stylesheet, one module; it is never framed", async (t) => {
  const server = await startServer();
  t.after(() => server.stop("SIGTERM"));
  const res = await fetch(server.url + "/support");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-security-policy"), /frame-ancestors 'none'/);
  const html = await res.text();
  assert.equal(html.match(/<link rel="stylesheet"/g).length, 1);
  assert.deepEqual(html.match(/<script[^>]*>/g), ['<script type="module" src="console/app.js">']);

  // Every file the page names, and every module app.js imports, is preloaded.
  const files = ["/support", ...[...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => "/" + m[1])];
  const sizes = {};
  for (const f of new Set(files)) {
    const r = await fetch(server.url + f);
    assert.equal(r.status, 200, f);
    sizes[f] = (await r.arrayBuffer()).byteLength;
  }
  const total = Object.values(sizes).reduce((a, b) => a + b);
  t.diagnostic(`sizes ${JSON.stringify(sizes)} total ${total} bytes`);
  assert.ok(total < 70 * 1024, `the console is ${total} bytes`);

  // Everything the browser fetches counts, and nothing is fetched but those.
  const page = await open(browser);
  let fetched = 0;
  const urls = new Set();
  page.on("response", async (r) => { urls.add(new URL(r.url()).pathname); fetched += (await r.body()).length; });
  await page.goto(server.url + "/support", { waitUntil: "networkidle" });
  assert.ok(fetched < 70 * 1024, `the console fetched ${fetched} bytes`);
  assert.deepEqual([...urls].filter((u) => !files.includes(u)), [], "every module is preloaded by the page");
  assert.deepEqual(page.problems, []);
});
