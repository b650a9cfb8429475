// The support app's chat with the real socket.io-client, as
// cmd/parley's TestSocketIONode drives it: a farmer (ANN_TOKEN) and a
// support agent (AG_TOKEN) go through every event of docs/socketio.md in
// conversation CID of the server at URL, over TRANSPORT (websocket or
// polling). It prints one JSON line: {ok, ids} with the ids of the
// messages in the order ann received them, or {ok:false, error}.
import { io } from "socket.io-client";

const { URL, ANN_TOKEN, AG_TOKEN, CID, TRANSPORT } = process.env;
const WAIT = 10000;

// client connects and queues every event, for expect.
function client(token) {
  const s = io(URL, { transports: [TRANSPORT], auth: { token }, reconnection: false, forceNew: true });
  const held = [];
  let waiter = null;
  s.onAny((name, data) => {
    held.push({ name, data });
    if (waiter) waiter();
  });
  s.expect = (name, match = () => true) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${name} in ${WAIT}ms; held ${JSON.stringify(held)}`)), WAIT);
      const look = () => {
        const i = held.findIndex((e) => e.name === name && match(e.data));
        if (i < 0) return;
        const [e] = held.splice(i, 1);
        clearTimeout(timer);
        waiter = null;
        resolve(e.data);
      };
      waiter = look;
      look();
    });
  return s;
}

function connected(s) {
  return new Promise((resolve, reject) => {
    s.on("connect", resolve);
    s.on("connect_error", reject);
  });
}

function ack(s, event, payload) {
  return s.timeout(WAIT).emitWithAck(event, payload);
}

function check(cond, what) {
  if (!cond) throw new Error(what);
}

async function main() {
  // A bad token is refused with a connect error the client reports.
  const bad = io(URL, { transports: [TRANSPORT], auth: { token: "not-a-token" }, reconnection: false, forceNew: true });
  const refusal = await connected(bad).then(() => null, (err) => err);
  check(refusal && refusal.message && refusal.data && refusal.data.code === "unauthorized", `a bad token: ${refusal}`);
  bad.close();

  const ids = [];
  const ann = client(ANN_TOKEN);
  await connected(ann);
  ann.emit("conversation:join", { conversationId: CID });
  const sent = await ack(ann, "message:send", { conversationId: CID, messageType: "text", content: "help", clientId: "n1" });
  check(sent.messageId && sent.timestamp, `ack ${JSON.stringify(sent)}`);
  await ann.expect("message:sent", (d) => d.messageId === sent.messageId);
  const help = await ann.expect("message:new", (d) => d.message.content === "help");
  check(help.message._id === sent.messageId && help.message.senderId._id === "ann", "help");
  const bot = await ann.expect("message:new", (d) => d.message.content === "asking a person");
  check(bot.message.senderId.role === "Support", "the bot is support");
  ids.push(help.message._id, bot.message._id);

  const ag = client(AG_TOKEN);
  await connected(ag);
  await ack(ag, "conversation:join", { conversationId: CID });
  await ag.expect("user:online", (d) => d.userId === "ann");
  await ann.expect("user:online", (d) => d.userId === "ag");

  ag.emit("typing:start", { conversationId: CID });
  await ann.expect("typing:user-typing", (d) => d.userId === "ag" && d.conversationId === CID && d.userName);
  ag.emit("typing:stop", { conversationId: CID });
  await ann.expect("typing:user-stopped", (d) => d.userId === "ag");

  await ack(ag, "message:send", { conversationId: CID, messageType: "text", content: "hello from support" });
  const hello = await ann.expect("message:new", (d) => d.message.content === "hello from support");
  check(hello.message.senderId._id === "ag" && hello.message.senderId.role === "Support", "the agent's message");
  ids.push(hello.message._id);

  ann.emit("message:read", { conversationId: CID, messageId: hello.message._id });
  await ag.expect("message:read-receipt", (d) => d.messageId === hello.message._id && d.readBy === "ann" && d.readAt);
  await ack(ann, "message:send", { conversationId: CID, content: "thanks" });
  const thanks = await ag.expect("message:new", (d) => d.message.content === "thanks");
  ids.push(thanks.message._id);
  ag.emit("conversation:mark-all-read", { conversationId: CID });
  await ann.expect("message:read-receipt", (d) => d.messageId === thanks.message._id && d.readBy === "ag");

  ann.emit("message:send", { content: "no conversation" });
  const err = await ann.expect("error");
  check(/conversationId/.test(err.message), `error ${JSON.stringify(err)}`);

  await ack(ann, "conversation:leave", { conversationId: CID });
  await ack(ag, "message:send", { conversationId: CID, content: "still there?" });
  const note = await ann.expect("notification:new-message", (d) => d.message.content === "still there?");
  check(note.conversationId === CID && note.sender.id === "ag", "the notification");
  ids.push(note.message._id);

  const joined = await ack(ann, "conversation:join", { conversationId: CID });
  check(joined.conversationId === CID, `join acknowledged ${JSON.stringify(joined)}`);
  ag.close();
  await ann.expect("user:offline", (d) => d.userId === "ag");
  ann.close();
  return ids;
}

main().then(
  (ids) => {
    console.log(JSON.stringify({ ok: true, ids }));
    process.exit(0);
  },
  (err) => {
    console.log(JSON.stringify({ ok: false, error: String(err && err.stack || err) }));
    process.exit(1);
  },
);
