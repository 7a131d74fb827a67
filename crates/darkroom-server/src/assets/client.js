// The client gallery page: full-screen viewer (keyboard, swipe, preloading),
// favourites against the package's maximum, ratings, marketing consent,
// comments and edit requests, and submitting the selection. Everything goes
// to /c/{link}/... with the page's CSRF token; the server decides.
(function () {
  "use strict";
  var main = document.getElementById("main");
  if (!main || !main.dataset.base) return;
  var base = main.dataset.base;
  var bar = document.querySelector(".bar");
  if (bar && /^#[0-9a-fA-F]{6}$/.test(bar.dataset.accent || "")) {
    document.documentElement.style.setProperty("--accent", bar.dataset.accent);
  }
  var csrf = document.querySelector('meta[name="csrf"]').content;
  var status = document.getElementById("status");
  var items = Array.prototype.slice.call(document.querySelectorAll(".grid > li[data-id]"));
  var locked = main.dataset.locked === "true";
  var level = main.dataset.download;

  function say(text, ok) {
    [status, document.getElementById("viewer-status")].forEach(function (el) {
      if (!el) return;
      el.textContent = text;
      el.className = ok ? "status ok" : "status";
    });
  }

  function send(path, body) {
    return fetch(base + path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": csrf },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) throw new Error(j.detail || ("the studio's server answered " + r.status));
        return j;
      });
    });
  }

  function setCount(sel) {
    var c = document.getElementById("fav-count");
    if (c) c.textContent = String(sel.count);
    var submit = document.getElementById("submit");
    if (submit) submit.disabled = sel.count === 0;
  }

  function setFav(li, on) {
    li.dataset.fav = on ? "true" : "false";
    var b = li.querySelector(".fav");
    if (b) b.setAttribute("aria-pressed", on ? "true" : "false");
  }

  function mark(li, change) {
    return send("/photos/" + li.dataset.id + "/mark", change).then(function (m) {
      setFav(li, m.favourite);
      li.dataset.rating = String(m.rating);
      li.dataset.marketing = m.marketing ? "true" : "false";
      setCount(m.selection);
      say("");
      return m;
    }).catch(function (e) { say(e.message); throw e; });
  }

  document.querySelectorAll(".grid .fav").forEach(function (b) {
    b.addEventListener("click", function () {
      var li = b.closest("li");
      mark(li, { favourite: li.dataset.fav !== "true" }).catch(function () {});
    });
  });

  var submit = document.getElementById("submit");
  if (submit) {
    submit.addEventListener("click", function () {
      if (!window.confirm("Submit your selection? It will be locked and the studio told.")) return;
      submit.disabled = true;
      send("/submit").then(function () {
        say("Thank you: your selection was sent to the studio.", true);
        window.location.reload();
      }).catch(function (e) { submit.disabled = false; say(e.message); });
    });
  }

  // The viewer.
  var dlg = document.getElementById("viewer");
  var img = document.getElementById("viewer-img");
  var current = -1;
  var cache = {};

  function preload(i) {
    var li = items[i];
    if (!li || cache[i]) return;
    var im = new Image();
    im.src = li.dataset.view;
    cache[i] = im;
  }

  function paint() {
    var li = items[current];
    img.src = li.dataset.view;
    img.alt = li.dataset.name;
    document.getElementById("viewer-name").textContent = li.dataset.name;
    document.getElementById("viewer-pos").textContent = (current + 1) + " of " + items.length;
    var fav = document.getElementById("viewer-fav");
    if (fav) fav.setAttribute("aria-pressed", li.dataset.fav === "true" ? "true" : "false");
    dlg.querySelectorAll(".star").forEach(function (s) {
      s.setAttribute("aria-pressed", Number(s.dataset.n) <= Number(li.dataset.rating) ? "true" : "false");
    });
    var mk = document.getElementById("viewer-marketing");
    if (mk) mk.checked = li.dataset.marketing === "true";
    var dl = document.getElementById("viewer-download");
    if (dl) dl.href = base + "/photos/" + li.dataset.id + "/download?size=" + level;
    preload(current + 1);
    preload(current + 2);
    preload(current - 1);
    loadNotes(li);
  }

  function show(i) {
    if (i < 0 || i >= items.length) return;
    current = i;
    if (!dlg.open) dlg.showModal();
    paint();
  }

  function loadNotes(li) {
    var list = document.getElementById("notes");
    if (!list) return;
    list.textContent = "";
    fetch(base + "/photos/" + li.dataset.id, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { notes: [] }; })
      .then(function (d) {
        if (items[current] !== li) return;
        d.notes.forEach(function (n) {
          var e = document.createElement("li");
          e.textContent = (n.kind === "edit_request" ? "Edit request: " : "Comment: ") + n.body;
          list.appendChild(e);
        });
      });
  }

  items.forEach(function (li, i) {
    li.querySelector("a.open").addEventListener("click", function (e) {
      e.preventDefault();
      show(i);
    });
  });
  dlg.querySelector(".prev").addEventListener("click", function () { show(current - 1); });
  dlg.querySelector(".next").addEventListener("click", function () { show(current + 1); });
  document.getElementById("viewer-close").addEventListener("click", function () { dlg.close(); });
  dlg.addEventListener("keydown", function (e) {
    if (e.target.tagName === "TEXTAREA" || e.target.tagName === "INPUT") return;
    if (e.key === "ArrowRight") { show(current + 1); e.preventDefault(); }
    if (e.key === "ArrowLeft") { show(current - 1); e.preventDefault(); }
    if ((e.key === "f" || e.key === "F") && main.dataset.favourite === "true") {
      var li = items[current];
      mark(li, { favourite: li.dataset.fav !== "true" }).then(paint, function () {});
    }
  });
  var startX = null;
  var stage = dlg.querySelector(".stage");
  stage.addEventListener("touchstart", function (e) { startX = e.touches[0].clientX; }, { passive: true });
  stage.addEventListener("touchend", function (e) {
    if (startX === null) return;
    var dx = e.changedTouches[0].clientX - startX;
    startX = null;
    if (Math.abs(dx) > 50) show(current + (dx < 0 ? 1 : -1));
  });

  var vfav = document.getElementById("viewer-fav");
  if (vfav) vfav.addEventListener("click", function () {
    var li = items[current];
    mark(li, { favourite: li.dataset.fav !== "true" }).then(paint, function () {});
  });
  dlg.querySelectorAll(".star").forEach(function (s) {
    s.addEventListener("click", function () {
      var li = items[current];
      var n = Number(s.dataset.n);
      mark(li, { rating: Number(li.dataset.rating) === n ? 0 : n }).then(paint, function () {});
    });
  });
  var vmk = document.getElementById("viewer-marketing");
  if (vmk) vmk.addEventListener("change", function () {
    mark(items[current], { marketing: vmk.checked }).then(paint, function () {});
  });
  var form = document.getElementById("note-form");
  if (form) form.addEventListener("submit", function (e) {
    e.preventDefault();
    var kind = (e.submitter && e.submitter.value) || "comment";
    var body = document.getElementById("note-body");
    var li = items[current];
    send("/photos/" + li.dataset.id + "/notes", { kind: kind, body: body.value }).then(function () {
      body.value = "";
      say(kind === "edit_request" ? "Edit request sent to the studio." : "Comment added.", true);
      loadNotes(li);
    }).catch(function (err) { say(err.message); });
  });
  if (locked) say("");
})();
