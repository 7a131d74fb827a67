// The client gallery page: full-screen viewer (keyboard, swipe, preloading,
// its own address per photo so Back closes it), favourites against the
// package's maximum with a counter that stays in view, a favourites-only
// view, ratings, marketing consent, comments and edit requests, and a
// review before the selection is sent. Feedback is a toast in view, read out
// by screen readers. Everything goes to /c/{link}/... with the page's CSRF
// token; the server decides.
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
  var items = Array.prototype.slice.call(document.querySelectorAll(".grid > li[data-id]"));
  var locked = main.dataset.locked === "true";
  var level = main.dataset.download;
  var limit = Number(main.dataset.limit || 0);
  var extras = main.dataset.extras === "true";
  var deadline = main.dataset.deadline ? Date.parse(main.dataset.deadline) : NaN;
  var count = Number((document.getElementById("fav-count") || {}).textContent || 0);
  var toastTimer = null;
  // The page's words in the studio's language (sharing/texts/*.toml).
  var texts = {};
  try { texts = JSON.parse((document.getElementById("texts") || {}).textContent || "{}"); } catch (e) { texts = {}; }
  function tr(key, fill) {
    var s = texts[key] || key;
    Object.keys(fill || {}).forEach(function (k) { s = s.split("{" + k + "}").join(String(fill[k])); });
    return s;
  }

  // A toast where the eye is: in the open dialog if there is one, else at
  // the bottom of the page above the selection bar; read out politely.
  function say(text, ok) {
    var open = document.querySelector("dialog[open] .toast");
    var el = open || document.getElementById("toast");
    document.querySelectorAll(".toast").forEach(function (t) { if (t !== el) t.hidden = true; });
    if (!el) return;
    if (!text) { el.hidden = true; return; }
    el.textContent = text;
    el.className = ok ? "toast ok" : "toast";
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { el.hidden = true; }, ok ? 3500 : 6000);
  }

  // Why a heart cannot change now, or "" when it can.
  function heartLock(li) {
    if (locked) return tr("locked");
    if (!isNaN(deadline) && Date.now() > deadline) return tr("deadline");
    if (limit && !extras && count >= limit && li.dataset.fav !== "true") {
      return tr("at_limit", { n: count, limit: limit });
    }
    return "";
  }

  function paintLocks() {
    items.forEach(function (li) {
      var b = li.querySelector(".fav");
      if (!b) return;
      var why = heartLock(li);
      if (why) { b.setAttribute("aria-disabled", "true"); } else { b.removeAttribute("aria-disabled"); }
    });
    var vfav = document.getElementById("viewer-fav");
    if (vfav && current >= 0) {
      if (heartLock(items[current])) { vfav.setAttribute("aria-disabled", "true"); } else { vfav.removeAttribute("aria-disabled"); }
    }
  }

  function send(path, body) {
    return fetch(base + path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": csrf },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) throw new Error(j.detail || tr("server", { status: r.status }));
        return j;
      });
    });
  }

  function setCount(sel) {
    count = sel.count;
    var c = document.getElementById("fav-count");
    if (c) c.textContent = String(sel.count);
    var submit = document.getElementById("submit");
    if (submit) submit.disabled = sel.count === 0;
    paintLocks();
  }

  function setFav(li, on) {
    li.dataset.fav = on ? "true" : "false";
    var b = li.querySelector(".fav");
    if (b) b.setAttribute("aria-pressed", on ? "true" : "false");
  }

  function mark(li, change) {
    if ("favourite" in change) {
      var why = heartLock(li);
      if (why) { say(why); return Promise.reject(new Error(why)); }
    }
    return send("/photos/" + li.dataset.id + "/mark", change).then(function (m) {
      setFav(li, m.favourite);
      li.dataset.rating = String(m.rating);
      li.dataset.marketing = m.marketing ? "true" : "false";
      setCount(m.selection);
      if ("favourite" in change) {
        say(m.favourite ? (limit ? tr("added_of", { n: count, limit: limit }) : tr("added", { n: count })) : tr("removed"), true);
      }
      applyFilter();
      return m;
    }).catch(function (e) { say(e.message); throw e; });
  }

  document.querySelectorAll(".grid .fav").forEach(function (b) {
    b.addEventListener("click", function () {
      var li = b.closest("li");
      mark(li, { favourite: li.dataset.fav !== "true" }).catch(function () {});
    });
  });

  // Favourites only: the grid shows just the chosen photos.
  var onlyFavs = false;
  var favsButton = document.getElementById("show-favs");
  function applyFilter() {
    main.classList.toggle("only-favs", onlyFavs);
    if (favsButton) favsButton.setAttribute("aria-pressed", onlyFavs ? "true" : "false");
    var empty = document.getElementById("no-favs");
    if (onlyFavs && count === 0) {
      if (!empty) {
        empty = document.createElement("p");
        empty.id = "no-favs";
        empty.className = "empty";
        empty.textContent = tr("no_favourites");
        main.insertBefore(empty, main.firstChild);
      }
    } else if (empty) { empty.remove(); }
  }
  if (favsButton) favsButton.addEventListener("click", function () { onlyFavs = !onlyFavs; applyFilter(); });

  // Review, then send: the chosen photos, then one button.
  var submit = document.getElementById("submit");
  var review = document.getElementById("review");
  if (submit && review) {
    submit.addEventListener("click", function () {
      var list = document.getElementById("review-list");
      list.textContent = "";
      var chosen = items.filter(function (li) { return li.dataset.fav === "true"; });
      chosen.forEach(function (li) {
        var e = document.createElement("li");
        var im = document.createElement("img");
        im.src = li.querySelector("img").src;
        im.alt = li.dataset.name;
        im.width = 96; im.height = 96;
        e.appendChild(im);
        list.appendChild(e);
      });
      document.getElementById("review-count").textContent = (chosen.length === 1 ? tr("you_chose_one") : tr("you_chose", { n: chosen.length })) + (limit ? " " + tr("package", { limit: limit }) : "");
      review.showModal();
    });
    document.getElementById("review-back").addEventListener("click", function () { review.close(); });
    var sendButton = document.getElementById("review-send");
    sendButton.addEventListener("click", function () {
      sendButton.disabled = true;
      send("/submit").then(function () {
        say(tr("thanks"), true);
        window.location.reload();
      }).catch(function (e) { sendButton.disabled = false; say(e.message); });
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
    document.getElementById("viewer-pos").textContent = tr("position", { i: current + 1, n: items.length });
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

  // Each photo has its own address (#photo=...), behind the same link; the
  // viewer adds one history entry, so Back closes it.
  var pushed = false;
  function visible(i) { return !onlyFavs || items[i].dataset.fav === "true"; }
  function show(i) {
    if (i < 0 || i >= items.length) return;
    current = i;
    if (!dlg.open) dlg.showModal();
    var here = location.pathname + location.search + "#photo=" + items[i].dataset.id;
    if (!pushed) { history.pushState({ viewer: true }, "", here); pushed = true; }
    else { history.replaceState({ viewer: true }, "", here); }
    paint();
    paintLocks();
  }
  function step(dir) {
    for (var i = current + dir; i >= 0 && i < items.length; i += dir) {
      if (visible(i)) { show(i); return; }
    }
  }
  function closeViewer() {
    if (pushed) { history.back(); } else if (dlg.open) { dlg.close(); }
  }
  window.addEventListener("popstate", function () {
    pushed = false;
    if (dlg.open) dlg.close();
  });
  dlg.addEventListener("cancel", function (e) { e.preventDefault(); closeViewer(); });

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
          e.textContent = (n.kind === "edit_request" ? tr("note_edit") : tr("note_comment")) + n.body;
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
  dlg.querySelector(".prev").addEventListener("click", function () { step(-1); });
  dlg.querySelector(".next").addEventListener("click", function () { step(1); });
  document.getElementById("viewer-close").addEventListener("click", closeViewer);
  dlg.addEventListener("keydown", function (e) {
    if (e.target.tagName === "TEXTAREA" || e.target.tagName === "INPUT") return;
    if (e.key === "ArrowRight") { step(1); e.preventDefault(); }
    if (e.key === "ArrowLeft") { step(-1); e.preventDefault(); }
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
    if (Math.abs(dx) > 50) step(dx < 0 ? 1 : -1);
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
      say(kind === "edit_request" ? tr("edit_sent") : tr("comment_added"), true);
      loadNotes(li);
    }).catch(function (err) { say(err.message); });
  });
  paintLocks();
  // Opened at a photo's address (sent by a partner, or reloaded): the
  // gallery first, then the viewer on top, so Back goes to the gallery.
  var m = /^#photo=([\w-]+)$/.exec(location.hash);
  if (m) {
    var at = items.findIndex(function (li) { return li.dataset.id === m[1]; });
    history.replaceState(null, "", location.pathname + location.search);
    if (at >= 0) show(at);
  }
})();
