// The support console at /support, with a visitor on the chat page in
// another browser context: the queue, assigning, chatting both ways with
// typing and read receipts, the bot switch, resolving with a note.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launch, msg, open, say, startServer, token } from "./helpers.mjs";
import { signIn, STATS } from "./support.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function logIn(page, jwt, name) { // the chat page's login
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByLabel("Access token").fill(jwt);
  await page.getByLabel("Access token").press("Enter");
  await page.getByText("Signed in as " + name).waitFor();
}

test("a visitor asks for help; an agent takes, answers and resolves it", async (t) => {
  const server = await startServer();
  t.after(() => server.stop("SIGTERM"));
  const visitor = await open(browser, server.url);
  await logIn(visitor, await token(server, "vic", "Victor Hugo"), "Victor Hugo");
  await say(visitor, "Victor");
  await msg(visitor, "bot", "Nice to meet you, Victor!").waitFor();

  // Into the queue: the welcome bot's "Talk to support" calls TRANSFER.
  await visitor.getByRole("button", { name: "Talk to support", exact: true }).click();
  await msg(visitor, "bot", "I'm asking a person from our team to join. Write your question here: they will see the whole conversation.").waitFor();
  await visitor.locator("#log .note", { hasText: "Waiting for an agent…" }).waitFor();

  // The agent signs in and finds it at the top of the Waiting tab.
  const agent = await open(browser);
  await agent.route("**/api/support/stats", (r) => r.fulfill({ json: STATS }));
  const patches = [];
  agent.on("request", (r) => { if (r.method() === "PATCH") patches.push(r.postDataJSON()); });
  await agent.goto(server.url + "/support");
  await signIn(agent, await token(server, "ada", "Ada Agent", "agent"));
  await agent.getByText("Signed in as Ada Agent (agent)").waitFor();
  const row = agent.getByRole("list", { name: "Conversations" }).getByRole("button", { name: /^vic/ });
  await row.waitFor();
  assert.match(await row.textContent(), /Not assigned/);

  // Opened, it is a preview: the history with who wrote what, no reply yet.
  await row.click();
  const log = agent.getByRole("list", { name: "Messages" });
  await log.locator(".msg.user", { hasText: "Victor" }).first().waitFor();
  const greeting = log.locator(".msg.bot", { hasText: "Hello! I'm Parley's welcome bot." });
  assert.equal(await greeting.locator(".tag").textContent(), "Bot");
  assert.equal(await greeting.locator(".meta b").textContent(), "Welcome");
  assert.equal(await log.locator(".msg.user .meta b").first().textContent(), "Victor Hugo");
  assert.equal(await agent.locator("#reply").isDisabled(), true);

  // Assign to me: the agent joins, live; the visitor is told.
  await agent.getByRole("button", { name: "Assign to me" }).click();
  await agent.locator("#assignee", { hasText: "Assigned to you." }).waitFor();
  await agent.locator("#conv-conn", { hasText: "Live" }).waitFor();
  await visitor.locator("#log .note", { hasText: "Ada Agent joined the conversation." }).waitFor();
  assert.equal(await agent.evaluate(() => document.activeElement.id), "reply", "focus moves to the reply");
  await visitor.locator("#log .msg.user.read", { hasText: "Victor" }).waitFor(); // what the agent has seen

  // The bot is switched off, so that only people answer.
  await agent.getByRole("switch", { name: "The bot answers the user" }).uncheck();
  await agent.locator("#action-msg", { hasText: "The bot is off" }).waitFor();
  await log.locator(".note", { hasText: "The bot was switched off." }).waitFor();

  // The agent types: the visitor sees it; Enter sends, under the agent's name.
  await agent.getByRole("textbox", { name: "Reply" }).focus();
  await agent.keyboard.type("Hello Victor, I'm Ada.");
  await visitor.locator("#typing.on", { hasText: "Agent is typing…" }).waitFor();
  await agent.keyboard.press("Enter");
  const hello = msg(visitor, "agent", "Hello Victor, I'm Ada.");
  await hello.waitFor();
  assert.equal(await hello.locator(".meta b").textContent(), "Ada Agent");
  // The visitor's page has read it: the agent sees "Read".
  await log.locator(".msg.agent", { hasText: "Hello Victor" }).locator(".receipt", { hasText: "Read" }).waitFor();

  // The visitor types: the agent sees who; the agent reads the message, the visitor sees "Read".
  await visitor.locator("#box").focus();
  await visitor.keyboard.type("My order is late");
  await agent.locator("#typing", { hasText: "Victor Hugo is typing…" }).waitFor();
  await visitor.keyboard.press("Enter");
  await log.locator(".msg.user", { hasText: "My order is late" }).waitFor();
  await agent.locator("#typing:empty").waitFor({ state: "attached" });
  await visitor.locator("#log .msg.user.read", { hasText: "My order is late" }).waitFor();
  await agent.keyboard.type("It ships today.");
  await agent.keyboard.press("Enter");
  await msg(visitor, "agent", "It ships today.").waitFor();
  const senders = await visitor.locator("#log .msg").evaluateAll((lis) => lis.map((li) => li.classList[1]));
  assert.deepEqual(senders.slice(-3), ["agent", "user", "agent"], "the bot, switched off, did not answer");

  // Resolved with a note: the visitor is told, the queue empties.
  await agent.getByLabel("Resolution note").fill("Shipping delay explained");
  await agent.getByRole("button", { name: "Resolve" }).click();
  await visitor.locator("#log .note", { hasText: "The agent resolved the conversation." }).waitFor();
  // The bot's script goes on after TRANSFER, with the agent's name and note.
  await msg(visitor, "bot", "Ada Agent has finished helping you (Shipping delay explained). I'm here if you need anything else.").waitFor();
  await agent.locator("#conv-status", { hasText: "Resolved" }).waitFor();
  assert.deepEqual(patches.at(-1), { support_status: "resolved", note: "Shipping delay explained" });
  assert.equal(await agent.locator("#reply").isDisabled(), true);
  await agent.locator("#queue-count", { hasText: "0 waiting" }).waitFor();
  await agent.getByRole("tab", { name: "Resolved" }).click();
  await row.waitFor();

  // The stats panel shows what the endpoint says.
  const stats = agent.getByRole("complementary").locator("#stats");
  await stats.getByText("First response p50").waitFor();
  assert.match(await stats.textContent(), /Waiting1.*Resolved4.*adaassigned 3, open 1, resolved 2.*First response p502 min.*Resolution p901\.1 h/);
  assert.deepEqual([...visitor.problems, ...agent.problems], []);
});
