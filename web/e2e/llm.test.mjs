// An LLM reply on the chat page: it grows as the model writes it (stream
// frames, each the whole text so far), then is replaced by the stored
// message, in place, once.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launch, llmStub, msg, open, say, startServer, token, transcript } from "./helpers.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("an LLM reply grows as it streams, then is the stored message", async (t) => {
  const stub = await llmStub(["Parley ", "is ", "a bot ", "runtime."]);
  t.after(() => stub.close());
  const server = await startServer({ args: ["--llm-base-url", stub.url, "--llm-model", "stub-model"] });
  t.after(() => server.stop("SIGTERM"));
  const page = await open(browser, server.url + "/?bot=assistant");
  // Bots other than the default are for users who logged in.
  const jwt = await token(server, "ada", "Ada Lovelace");
  await page.evaluate((t) => localStorage.setItem("parley:token", JSON.stringify(t)), jwt);
  await page.reload();
  await msg(page, "bot", "Hi! I answer with a language model. Ask me anything.").waitFor();

  await say(page, "What is Parley?");
  const growing = page.locator("#log .msg.bot.streaming .bubble");
  await growing.filter({ hasText: /^Parley $/ }).waitFor();
  stub.release();
  await growing.filter({ hasText: /^Parley is $/ }).waitFor();
  stub.release();
  await growing.filter({ hasText: /^Parley is a bot $/ }).waitFor();
  const id = await page.locator("#log .msg.bot.streaming").getAttribute("data-id");
  stub.release();

  // The last stream frame may show the whole text before the stored
  // message replaces it: wait for the stored one (not .streaming).
  const done = msg(page, "bot", "Parley is a bot runtime.").and(page.locator(":not(.streaming)"));
  await done.waitFor();
  assert.equal(await done.getAttribute("data-id"), id, "the stored message replaced the streamed one");
  assert.equal(await page.locator("#log .msg.streaming").count(), 0);
  assert.deepEqual(await transcript(page), [
    ["bot", "Hi! I answer with a language model. Ask me anything."],
    ["user", "What is Parley?"],
    ["bot", "Parley is a bot runtime."],
  ]);
  assert.equal(stub.hits, 1);
  assert.deepEqual(page.problems, []);
});
