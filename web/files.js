// Attachments, shared by the chat page and the support console: uploads
// with a progress bar, the tray of files about to be sent, what messages
// carry (image thumbnails that open a lightbox, audio and video players,
// a download link for the rest), all drawn the same in both. The chat
// page imports it on first use, so that a visit that never meets a file
// does not load it; the console imports it at start. It adds files.css.
//
// A page passes cred(), the credentials of the moment: {headers}
// (Authorization or X-API-Key) or, for a visitor, {query}
// ("session_id=…&resume_token=…"). A visitor's <img> and <audio> read the
// file's URL with the query; with headers the file is fetched and shown
// through a blob: URL, which forget() revokes.

const css = document.createElement("link");
css.rel = "stylesheet";
css.href = new URL("files.css", import.meta.url);
document.head.append(css);

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

// size says a number of bytes as a person would (powers of 1024, as the server does).
export const size = (n) => (n < 1024 ? n + " B" : n < 1 << 20 ? Math.round(n / 1024) + " KB" : (n / 1048576).toFixed(1).replace(/\.0$/, "") + " MB");

// upload sends files in one POST /api/uploads, telling onProgress the
// share sent (0…1), and resolves to their attachment objects, in order.
// It rejects with an Error whose message says what went wrong, in words.
export function upload(files, cred, onProgress) {
  return new Promise((resolve, reject) => {
    const c = cred(), fd = new FormData(), x = new XMLHttpRequest();
    for (const f of files) fd.append("files", f, f.name);
    x.open("POST", "/api/uploads" + (c.query ? "?" + c.query : ""));
    for (const [k, v] of Object.entries(c.headers || {})) x.setRequestHeader(k, v);
    x.responseType = "json";
    x.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    x.onload = () => (x.status === 201 ? resolve(x.response.attachments) : reject(new Error(why(x.status, x.response || {}, files))));
    x.onerror = () => reject(new Error("Couldn't reach the server. Please try again."));
    x.send(fd);
  });
}

// why words an upload's refusal. The server's message starts with the
// file's name and says the limit ("a.png is 12 MB; the limit is 10 MB per
// file", "a.png is larger than the limit of 10485760 bytes per file").
function why(status, { error, message = "" }, files) {
  const f = files.find((f) => message.startsWith(f.name + " is "));
  const n = /at most (\d+) files/.exec(message), lim = /limit (?:of|is) ([\d.]+) (bytes|[KMG]B) per file/.exec(message);
  if (error === "quota_exceeded") return "There is no room left for your files, so these can't be sent.";
  if (status === 413 && / in all$/.test(message)) return "These files are too large to send together: send fewer at a time.";
  if (status === 413) {
    return (f ? f.name : "A file") + " is too large to send" + (lim ? ": the limit is " + (lim[2] === "bytes" ? size(+lim[1]) : lim[1] + " " + lim[2]) + " per file." : ".");
  }
  if (status === 415) return (f ? f.name : "A file") + " can't be sent: files of this kind are not allowed here.";
  if (status === 400 && n) return "Too many files at once: at most " + n[1] + " at a time.";
  if (status === 400) return "That file can't be sent: " + message + ".";
  if (status === 401 || status === 403) return "Files can be sent once the chat is connected.";
  return status === 503 ? "This server doesn't take files." : "The upload failed. Please try again.";
}

// Tray is the files chosen for the next message, in a list box: each
// choice (picked, dropped or pasted) uploads at once, with a progress
// bar; a file can be removed; a refusal is said in the tray's status.
export class Tray {
  constructor(box, cred) {
    this.items = [];
    this.cred = cred;
    this.box = box;
    this.list = el("ul", "tray-files");
    this.list.setAttribute("aria-label", "Files to send");
    this.msg = el("p", "tray-msg");
    this.msg.setAttribute("role", "status");
    box.replaceChildren(this.list, this.msg);
  }

  get busy() { return this.items.some((it) => !it.att); }
  // ready is the attachments uploaded, to send.
  ready() { return this.items.map((it) => it.att).filter(Boolean); }

  say(text) {
    this.msg.textContent = text;
    this.box.hidden = !this.items.length && !text;
  }

  add(files) {
    if (!files.length) return;
    const batch = files.map((file) => {
      const it = { file, att: null, li: el("li", "tray-file"), bar: el("progress") };
      it.bar.max = 1;
      it.bar.value = 0;
      it.bar.setAttribute("aria-label", "Uploading " + file.name);
      if (file.type.startsWith("image/")) {
        const img = el("img");
        img.alt = "";
        img.src = it.preview = URL.createObjectURL(file);
        it.li.append(img);
      }
      const x = el("button", "ghost", "×");
      x.type = "button";
      x.setAttribute("aria-label", "Remove " + file.name);
      x.onclick = () => { this.drop(it); this.box.closest("form")?.querySelector("textarea")?.focus(); };
      it.li.append(el("span", "name", file.name), it.bar, x);
      this.list.append(it.li);
      this.items.push(it);
      return it;
    });
    this.say("");
    upload(files, this.cred, (p) => { for (const it of batch) it.bar.value = p; }).then((atts) => {
      batch.forEach((it, i) => {
        it.att = atts[i];
        it.bar.replaceWith(el("span", "size", size(it.att.size)));
      });
    }, (e) => {
      for (const it of batch) this.drop(it);
      this.say(e.message);
    });
  }

  drop(it) {
    if (it.preview) URL.revokeObjectURL(it.preview);
    it.li.remove();
    this.items = this.items.filter((x) => x !== it);
    this.say(this.msg.textContent);
  }

  clear() {
    for (const it of [...this.items]) this.drop(it);
    this.say("");
  }
}

// ---- What messages carry ---------------------------------------------

const urls = new Map(); // upload id → a promise of the URL to show it at (fetched with headers)
const seen = new IntersectionObserver((es) => {
  for (const e of es) if (e.isIntersecting) { seen.unobserve(e.target); e.target.load(); }
}, { rootMargin: "200px" });

// src is where an attachment can be read with the page's credentials.
function src(a, cred) {
  const c = cred();
  if (c.query) return Promise.resolve(a.url + "?" + c.query);
  if (!urls.has(a.id)) {
    urls.set(a.id, fetch(a.url, { headers: c.headers }).then((r) => {
      if (!r.ok) throw new Error(r.status);
      return r.blob();
    }).then((b) => URL.createObjectURL(b), (e) => { urls.delete(a.id); throw e; }));
  }
  return urls.get(a.id);
}

// forget revokes the blob: URLs made so far (the messages showing them are gone).
export function forget() {
  for (const p of urls.values()) p.then(URL.revokeObjectURL, () => {});
  urls.clear();
}

// show fills box with a message's attachments; their bytes are read when
// they come near the screen.
export function show(box, atts, cred) {
  box.replaceChildren(...atts.map((a) => item(a, cred)));
}

function item(a, cred) {
  const name = a.name || "file";
  const later = (e, set) => {
    e.load = () => src(a, cred).then(set, () => e.replaceWith(el("span", "gone", name + " (not available)")));
    seen.observe(e);
    return e;
  };
  if (a.kind === "image") {
    const b = el("button", "thumb"), img = el("img");
    b.type = "button";
    b.setAttribute("aria-label", "Open image " + name);
    img.alt = name;
    if (a.width && a.height) { // the box is ready before the bytes: nothing moves when they come
      img.style.aspectRatio = Math.min(2, Math.max(0.5, a.width / a.height));
      b.style.width = "min(16rem, " + a.width + "px)";
    }
    b.onclick = () => img.src && zoom(img.src, name, b);
    b.append(img);
    return later(b, (u) => { img.src = u; });
  }
  if (a.kind === "audio" || a.kind === "video") {
    const f = el("figure", "media"), m = el(a.kind);
    m.controls = true;
    m.preload = "metadata";
    m.setAttribute("aria-label", name);
    f.append(m, el("figcaption", null, name));
    later(m, (u) => { m.src = u; });
    return f;
  }
  // Any other file: a download link, its name and size. With headers the
  // bytes are fetched on the first click, and that click saves them.
  const l = el("a", "file");
  l.download = name;
  l.append(el("span", "name", name), el("span", "size", size(a.size)));
  l.href = a.url;
  const c = cred();
  if (c.query) l.href += "?" + c.query;
  else l.onclick = (e) => {
    if (l.href.startsWith("blob:")) return;
    e.preventDefault();
    src(a, cred).then((u) => { l.href = u; l.click(); }, () => l.replaceWith(el("span", "gone", name + " (not available)")));
  };
  return l;
}

// ---- The lightbox ------------------------------------------------------

let box = null;
// zoom shows an image over the page (a modal <dialog>: Escape, the close
// button or a click beside it closes it), then gives the focus back to opener.
function zoom(url, name, opener) {
  if (!box) {
    box = el("dialog", "lightbox");
    const fig = el("figure"), x = el("button", "close", "×");
    x.type = "button";
    x.setAttribute("aria-label", "Close image");
    x.onclick = () => box.close();
    fig.append(el("img"), el("figcaption"));
    box.append(x, fig);
    box.onclick = (e) => { if (e.target === box) box.close(); };
    box.addEventListener("close", () => box.opener?.focus());
    document.body.append(box);
  }
  const img = box.querySelector("img");
  img.src = url;
  img.alt = name;
  box.querySelector("figcaption").textContent = name;
  box.setAttribute("aria-label", name);
  box.opener = opener;
  box.showModal();
}
