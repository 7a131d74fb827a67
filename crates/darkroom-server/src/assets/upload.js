// Darkroom's browser uploader: a tus 1.0 client (creation, resumable PATCH,
// termination) with folder drag and drop, per-file and total progress, and
// resumption across page loads. An upload's URL is remembered in
// localStorage under the file's fingerprint; choosing the same file again
// continues from the offset the server reports.
(function () {
  "use strict";

  var PARALLEL = 3;
  var BACKOFF = [1, 2, 5, 10, 20, 30];
  var KEEP_DONE_ROWS = 30;
  var IGNORED = /^(\.|Thumbs\.db$|desktop\.ini$)/i;

  function b64(s) {
    var bytes = new TextEncoder().encode(s);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin);
  }

  // A UUIDv7 shown as `bat_<hex>`: the staging batch of this upload session.
  function newBatchId() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    var ms = Date.now();
    for (var i = 5; i >= 0; i--) { b[i] = ms % 256; ms = Math.floor(ms / 256); }
    b[6] = (b[6] & 0x0f) | 0x70;
    b[8] = (b[8] & 0x3f) | 0x80;
    var hex = "";
    for (var j = 0; j < 16; j++) hex += (b[j] < 16 ? "0" : "") + b[j].toString(16);
    return "bat_" + hex;
  }

  function store(key, value) {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
    } catch (e) { /* private mode or full: uploads still work, without resumption */ }
  }
  function load(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  // Remembered uploads older than a week are past the server's expiry: forget them.
  function forgetOld() {
    try {
      var cutoff = Date.now() - 7 * 24 * 3600 * 1000;
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var k = localStorage.key(i);
        if (k && k.indexOf("drk-tus:") === 0) {
          var v = load(k);
          if (!v || !v.at || v.at < cutoff) localStorage.removeItem(k);
        }
      }
    } catch (e) { /* storage unavailable: nothing to forget */ }
  }

  function fmtBytes(n) {
    var u = ["B", "KB", "MB", "GB", "TB"], i = 0;
    while (n >= 1000 && i < u.length - 1) { n /= 1000; i++; }
    return (i ? n.toFixed(1) : n) + " " + u[i];
  }

  // Every file under a dropped folder (entries are read in batches).
  function walkEntry(entry, out) {
    return new Promise(function (resolve) {
      if (entry.isFile) {
        entry.file(function (f) { out.push({ file: f, path: entry.fullPath.replace(/^\//, "") }); resolve(); }, function () { resolve(); });
      } else if (entry.isDirectory) {
        var reader = entry.createReader();
        var readMore = function () {
          reader.readEntries(function (entries) {
            if (!entries.length) { resolve(); return; }
            Promise.all(entries.map(function (e) { return walkEntry(e, out); })).then(readMore);
          }, function () { resolve(); });
        };
        readMore();
      } else {
        resolve();
      }
    });
  }

  function Uploader(root) {
    this.root = root;
    this.endpoint = root.getAttribute("data-endpoint");
    this.chunk = parseInt(root.getAttribute("data-chunk"), 10) || 8388608;
    this.max = parseInt(root.getAttribute("data-max"), 10) || 0;
    this.csrf = root.getAttribute("data-csrf");
    this.destKey = root.getAttribute("data-dest-key");
    this.dest = root.getAttribute("data-dest");
    this.items = [];
    this.active = 0;
    this.paused = false;
    this.xhrs = [];
    this.counts = { created: 0, duplicate: 0, versioned: 0, failed: 0, skipped: 0 };
    this.el = {
      progress: root.querySelector("[data-progress]"),
      total: root.querySelector("[data-total]"),
      summary: root.querySelector("[data-summary]"),
      list: root.querySelector("[data-list]"),
      pause: root.querySelector("[data-pause]"),
      resume: root.querySelector("[data-resume]"),
      cancel: root.querySelector("[data-cancel]"),
      reload: root.querySelector("[data-reload]"),
      interrupted: root.querySelector("[data-interrupted]"),
      role: root.querySelector("select[name=role]"),
      drop: root.querySelector("[data-drop]")
    };
    this.pendingKey = "drk-pending:" + this.destKey + ":" + this.dest;
    forgetOld();
    this.bind();
    this.showInterrupted();
  }

  Uploader.prototype.bind = function () {
    var self = this;
    Array.prototype.forEach.call(this.root.querySelectorAll("[data-pick]"), function (input) {
      input.addEventListener("change", function () {
        var files = Array.prototype.map.call(input.files, function (f) { return { file: f, path: f.webkitRelativePath || f.name }; });
        input.value = "";
        self.add(files);
      });
    });
    var drop = this.el.drop;
    ["dragenter", "dragover"].forEach(function (t) {
      drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      drop.addEventListener(t, function () { drop.classList.remove("over"); });
    });
    drop.addEventListener("drop", function (e) {
      e.preventDefault();
      var dt = e.dataTransfer, out = [], walks = [];
      if (dt.items && dt.items.length && dt.items[0].webkitGetAsEntry) {
        Array.prototype.forEach.call(dt.items, function (it) {
          var entry = it.webkitGetAsEntry && it.webkitGetAsEntry();
          if (entry) walks.push(walkEntry(entry, out));
        });
        Promise.all(walks).then(function () { self.add(out); });
      } else {
        self.add(Array.prototype.map.call(dt.files, function (f) { return { file: f, path: f.name }; }));
      }
    });
    this.el.pause.addEventListener("click", function () { self.pause(); });
    this.el.resume.addEventListener("click", function () { self.resume(); });
    this.el.cancel.addEventListener("click", function () { self.cancel(); });
    window.addEventListener("online", function () { self.pump(); });
    window.addEventListener("beforeunload", function (e) {
      if (self.unfinished() > 0 && !self.paused) { e.preventDefault(); e.returnValue = ""; }
    });
  };

  Uploader.prototype.showInterrupted = function () {
    var pending = load(this.pendingKey);
    if (pending && pending.files && pending.files.length) {
      this.el.interrupted.textContent = pending.files.length + " file" + (pending.files.length === 1 ? "" : "s") +
        " did not finish last time. Choose the same files or folder again and they continue where they stopped.";
      this.el.interrupted.hidden = false;
    }
  };

  Uploader.prototype.destination = function () {
    if (this.destKey === "batch") {
      // One batch per upload session; an interrupted session keeps its batch.
      var pending = load(this.pendingKey);
      if (!this.batch) this.batch = (pending && pending.batch) || newBatchId();
      return this.batch;
    }
    return this.dest;
  };

  Uploader.prototype.fingerprint = function (it) {
    var role = this.el.role ? this.el.role.value : "";
    return "drk-tus:" + this.destKey + ":" + this.destination() + ":" + role + ":" + it.path + ":" + it.file.size + ":" + it.file.lastModified;
  };

  Uploader.prototype.add = function (files) {
    var self = this;
    files.forEach(function (f) {
      var name = f.path.split("/").pop();
      if (IGNORED.test(name)) { self.counts.skipped++; return; }
      var item = { file: f.file, path: f.path, name: name, sent: 0, state: "queued", tries: 0 };
      item.fp = self.fingerprint(item);
      if (self.max && f.file.size > self.max) {
        item.state = "failed";
        item.error = "larger than the " + fmtBytes(self.max) + " limit";
        self.counts.failed++;
        self.row(item);
      }
      self.items.push(item);
    });
    this.el.progress.hidden = false;
    this.el.interrupted.hidden = true;
    this.el.reload.hidden = true;
    this.remember();
    this.render();
    this.pump();
  };

  Uploader.prototype.unfinished = function () {
    return this.items.filter(function (i) { return i.state === "queued" || i.state === "uploading" || i.state === "waiting"; }).length;
  };

  // The files not yet through, so a reload can say what to choose again.
  Uploader.prototype.remember = function () {
    var files = this.items.filter(function (i) { return i.state !== "done" && i.state !== "failed"; })
      .map(function (i) { return i.path; });
    if (files.length) store(this.pendingKey, { batch: this.destKey === "batch" ? this.destination() : null, files: files.slice(0, 5000) });
    else store(this.pendingKey, null);
  };

  Uploader.prototype.pump = function () {
    if (this.paused) return;
    while (this.active < PARALLEL) {
      var next = null;
      for (var i = 0; i < this.items.length; i++) {
        if (this.items[i].state === "queued") { next = this.items[i]; break; }
      }
      if (!next) break;
      this.start(next);
    }
    if (this.active === 0 && this.unfinished() === 0) this.finished();
  };

  Uploader.prototype.start = function (item) {
    var self = this;
    item.state = "uploading";
    this.active++;
    this.row(item);
    this.run(item).then(function () {
      self.active--;
      self.remember();
      self.render();
      self.pump();
    });
  };

  Uploader.prototype.request = function (method, url, headers, body, item) {
    var self = this;
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      xhr.drkMethod = method;
      xhr.open(method, url, true);
      xhr.setRequestHeader("Tus-Resumable", "1.0.0");
      if (self.csrf) xhr.setRequestHeader("X-CSRF-Token", self.csrf);
      Object.keys(headers || {}).forEach(function (k) { xhr.setRequestHeader(k, headers[k]); });
      if (item && body) {
        var base = item.sent;
        xhr.upload.onprogress = function (e) { item.sent = base + e.loaded; self.progress(item); };
      }
      var done = function () {
        self.xhrs = self.xhrs.filter(function (x) { return x !== xhr; });
        resolve(xhr);
      };
      xhr.onload = done;
      xhr.onerror = done;
      xhr.onabort = done;
      xhr.ontimeout = done;
      self.xhrs.push(xhr);
      xhr.send(body || null);
    });
  };

  function problemText(xhr) {
    try {
      var p = JSON.parse(xhr.responseText);
      return p.detail || p.title || ("HTTP " + xhr.status);
    } catch (e) {
      return "HTTP " + xhr.status;
    }
  }

  // One file, start to finish; resolves when it is done, failed, or paused.
  Uploader.prototype.run = function (item) {
    var self = this;
    var saved = load(item.fp);
    var url = saved && saved.url;
    // Finished before (this file was chosen again): ask, rather than send it again.
    var already = !!(saved && saved.done);

    function fail(msg) {
      item.state = "failed";
      item.error = msg;
      self.counts.failed++;
      store(item.fp, null);
      self.row(item);
    }

    function retryLater(then) {
      if (self.paused) { item.state = "queued"; self.row(item); return Promise.resolve(); }
      var wait = BACKOFF[Math.min(item.tries, BACKOFF.length - 1)];
      item.tries++;
      item.state = "waiting";
      item.note = navigator.onLine === false ? "offline; waiting for the connection" : "connection trouble; retrying in " + wait + " s";
      self.row(item);
      return new Promise(function (r) { setTimeout(r, wait * 1000); }).then(function () {
        if (self.paused || item.state === "cancelled") { if (item.state !== "cancelled") item.state = "queued"; self.row(item); return; }
        item.state = "uploading";
        item.note = "";
        self.row(item);
        return then();
      });
    }

    function create() {
      var meta = ["filename " + b64(item.name), "relativePath " + b64(item.path)];
      meta.push(self.destKey + " " + b64(self.destination()));
      if (self.el.role) meta.push("role " + b64(self.el.role.value));
      var headers = { "Upload-Length": String(item.file.size), "Upload-Metadata": meta.join(",") };
      return self.request("POST", self.endpoint, headers, null).then(function (xhr) {
        if (xhr.status === 201) {
          url = xhr.getResponseHeader("Location");
          store(item.fp, { url: url, at: Date.now() });
          item.sent = 0;
          if (item.file.size === 0) return finish(xhr);
          return send();
        }
        if (xhr.status === 0 || xhr.status >= 500 || xhr.status === 429) return retryLater(create);
        if (xhr.status === 422 && item.file.size === 0) return fail(problemText(xhr));
        return fail(problemText(xhr));
      });
    }

    function head() {
      return self.request("HEAD", url, {}, null).then(function (xhr) {
        if (xhr.status === 200) {
          item.sent = parseInt(xhr.getResponseHeader("Upload-Offset"), 10) || 0;
          self.progress(item);
          if (item.sent >= item.file.size) return outcome();
          return send();
        }
        if (xhr.status === 404 || xhr.status === 410) {
          // Expired, finished, or cancelled: maybe it finished before we
          // heard the answer; otherwise start afresh.
          return outcome();
        }
        if (xhr.status === 0 || xhr.status >= 500 || xhr.status === 429) return retryLater(head);
        return fail(problemText(xhr));
      });
    }

    // The result of an upload the server already finished.
    function outcome() {
      return self.request("GET", url, {}, null).then(function (xhr) {
        if (xhr.status === 200) {
          var r = JSON.parse(xhr.responseText);
          if (r.status === "finished") return succeed(already ? "duplicate" : "created");
          // Every byte arrived and the server is still filing the photo: ask again shortly.
          if (r.status === "receiving" && item.sent >= item.file.size && item.tries < 30) {
            item.tries++;
            return new Promise(function (res) { setTimeout(res, 500); }).then(outcome);
          }
          if (r.status === "failed") return fail(r.error || "refused");
        }
        store(item.fp, null);
        url = null;
        return create();
      });
    }

    function succeed(result) {
      item.state = "done";
      item.result = result;
      item.sent = item.file.size;
      self.counts[result] = (self.counts[result] || 0) + 1;
      // Kept (until the upload expires) so choosing the folder again skips it.
      if (url) store(item.fp, { url: url, at: Date.now(), done: true });
      else store(item.fp, null);
      self.row(item);
    }

    function finish(xhr) {
      var result = xhr.getResponseHeader("Darkroom-Result");
      if (result) return succeed(result);
      if (xhr.status >= 400) return fail(problemText(xhr));
      return head();
    }

    function send() {
      if (self.paused) { item.state = "queued"; self.row(item); return Promise.resolve(); }
      var end = Math.min(item.sent + self.chunk, item.file.size);
      var body = item.file.slice(item.sent, end);
      var headers = { "Upload-Offset": String(item.sent), "Content-Type": "application/offset+octet-stream" };
      return self.request("PATCH", url, headers, body, item).then(function (xhr) {
        if (xhr.status === 204) {
          item.tries = 0;
          item.sent = parseInt(xhr.getResponseHeader("Upload-Offset"), 10) || end;
          self.progress(item);
          if (xhr.getResponseHeader("Darkroom-Result")) return finish(xhr);
          if (item.sent >= item.file.size) return head();
          return send();
        }
        if (xhr.status === 422) return fail(problemText(xhr));
        if (xhr.status === 409 || xhr.status === 460 || xhr.status === 423) return retryLater(head);
        if (xhr.status === 404 || xhr.status === 410) { store(item.fp, null); url = null; return create(); }
        if (xhr.status === 0 && self.paused) { item.state = "queued"; self.row(item); return; }
        if (xhr.status === 0 || xhr.status >= 500 || xhr.status === 429) return retryLater(head);
        return fail(problemText(xhr));
      });
    }

    if (item.state === "cancelled") return Promise.resolve();
    return (already ? outcome() : url ? head() : create()).catch(function (e) { fail(String(e)); });
  };

  Uploader.prototype.pause = function () {
    this.paused = true;
    // Requests sending bytes stop now. A creation in flight is let finish, so
    // its upload URL is remembered and nothing is left behind on the server.
    this.xhrs.slice().forEach(function (x) { if (x.drkMethod !== "POST") x.abort(); });
    this.el.pause.hidden = true;
    this.el.resume.hidden = false;
    this.render();
  };

  Uploader.prototype.resume = function () {
    this.paused = false;
    this.el.pause.hidden = false;
    this.el.resume.hidden = true;
    this.items.forEach(function (i) { if (i.state === "waiting") i.state = "queued"; });
    this.pump();
  };

  Uploader.prototype.cancel = function () {
    var self = this;
    this.paused = true;
    this.xhrs.slice().forEach(function (x) { x.abort(); });
    this.items.forEach(function (i) {
      if (i.state === "done" || i.state === "failed") return;
      var saved = load(i.fp);
      if (saved && saved.url) self.request("DELETE", saved.url, {}, null);
      store(i.fp, null);
      i.state = "cancelled";
      self.row(i);
    });
    this.paused = false;
    this.active = 0;
    this.remember();
    this.render();
    this.finished();
  };

  Uploader.prototype.finished = function () {
    this.render();
    var c = this.counts;
    if (c.created || c.versioned || c.duplicate) {
      this.el.reload.hidden = false;
      this.el.reload.setAttribute("href", window.location.pathname + window.location.search);
    }
    this.el.pause.hidden = true;
    this.el.resume.hidden = true;
  };

  Uploader.prototype.progress = function (item) {
    if (item.bar) item.bar.value = item.file.size ? Math.round(1000 * item.sent / item.file.size) : 1000;
    var now = Date.now();
    if (!this.lastRender || now - this.lastRender > 200) this.render();
  };

  Uploader.prototype.render = function () {
    this.lastRender = Date.now();
    var total = 0, sent = 0;
    this.items.forEach(function (i) {
      if (i.state === "failed" || i.state === "cancelled") return;
      total += i.file.size;
      sent += Math.min(i.sent, i.file.size);
    });
    this.el.total.value = total ? Math.round(1000 * sent / total) : 1000;
    var c = this.counts, left = this.unfinished();
    var parts = [];
    parts.push(fmtBytes(sent) + " of " + fmtBytes(total));
    parts.push((c.created + c.versioned) + " added");
    if (c.duplicate) parts.push(c.duplicate + " already there");
    if (c.failed) parts.push(c.failed + " failed");
    if (c.skipped) parts.push(c.skipped + " system files skipped");
    parts.push(left ? left + " to go" + (this.paused ? " (paused)" : "") : "all done");
    this.el.summary.textContent = parts.join(" · ");
  };

  // The row of one file; finished rows beyond the last few are removed so a
  // 4,000-file upload keeps a short list (failures always stay).
  Uploader.prototype.row = function (item) {
    if (!item.li) {
      item.li = document.createElement("li");
      item.label = document.createElement("span");
      item.label.className = "file";
      item.label.textContent = item.path;
      item.bar = document.createElement("progress");
      item.bar.max = 1000;
      item.bar.value = 0;
      item.bar.setAttribute("aria-label", item.path);
      item.status = document.createElement("span");
      item.status.className = "state";
      item.li.appendChild(item.label);
      item.li.appendChild(item.bar);
      item.li.appendChild(item.status);
      this.el.list.insertBefore(item.li, this.el.list.firstChild);
    }
    item.li.className = "st-" + item.state;
    var text = {
      queued: "waiting", uploading: "uploading", done: { created: "added", versioned: "new version added", duplicate: "already in this gallery" }[item.result] || "done",
      failed: "failed: " + (item.error || ""), waiting: item.note || "retrying", cancelled: "cancelled"
    }[item.state];
    item.status.textContent = text;
    this.progress(item);
    if (item.state === "done") {
      var done = this.el.list.querySelectorAll("li.st-done");
      for (var i = KEEP_DONE_ROWS; i < done.length; i++) done[i].remove();
    }
  };

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-uploader]"), function (el) { el.uploader = new Uploader(el); });
    Array.prototype.forEach.call(document.querySelectorAll("[data-select-all]"), function (b) {
      b.addEventListener("click", function () {
        Array.prototype.forEach.call(b.form.querySelectorAll("input[name=photo]"), function (c) { c.checked = true; });
      });
    });
  });
})();
