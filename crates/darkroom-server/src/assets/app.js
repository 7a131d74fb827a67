// Progressive enhancement only: every page works without it.
document.addEventListener("submit", function (e) {
  var form = e.target;
  var msg = form.getAttribute && form.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) { e.preventDefault(); }
});
document.addEventListener("click", function (e) {
  var back = e.target.closest && e.target.closest("[data-back]");
  if (back && window.history.length > 1) { e.preventDefault(); window.history.back(); }
});
document.addEventListener("focusin", function (e) {
  if (e.target.classList && e.target.classList.contains("copy")) { e.target.select(); }
});
// Forms marked data-draft keep what was typed, in this tab only, while
// another form of the page is sent: sending a form forgets its own draft,
// and a restored draft says it is not saved yet.
document.querySelectorAll("form[data-draft]").forEach(function (form, i) {
  var key = "darkroom-draft:" + location.pathname + ":" + (form.getAttribute("action") || i);
  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "_csrf" && el.name !== "version" && el.type !== "hidden" && el.type !== "submit";
    });
  }
  function save() {
    var data = {};
    fields().forEach(function (el) { data[el.name] = el.type === "checkbox" ? el.checked : el.value; });
    try { sessionStorage.setItem(key, JSON.stringify(data)); } catch (e) { /* storage off: nothing kept */ }
  }
  var saved = null;
  try { saved = JSON.parse(sessionStorage.getItem(key) || "null"); } catch (e) { saved = null; }
  // A form the server sent back with errors already shows what was typed.
  var sentBack = form.querySelector("[aria-invalid=true]") || form.previousElementSibling && form.previousElementSibling.classList.contains("alert");
  if (saved && !sentBack) {
    var changed = false;
    fields().forEach(function (el) {
      if (!(el.name in saved)) { return; }
      if (el.type === "checkbox") { changed = changed || el.checked !== saved[el.name]; el.checked = saved[el.name]; }
      else { changed = changed || el.value !== saved[el.name]; el.value = saved[el.name]; }
    });
    if (changed) {
      var note = document.createElement("p");
      note.className = "warning";
      note.setAttribute("data-draft-note", "");
      note.textContent = "What you typed here before is back; it is not saved until you press the button.";
      form.insertBefore(note, form.firstChild);
    }
  }
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.addEventListener("submit", function () { try { sessionStorage.removeItem(key); } catch (e) { /* nothing kept */ } });
});
// The share form warns when a proofing link would hand out clean photos.
document.querySelectorAll("[data-share-form]").forEach(function (form) {
  var warn = form.querySelector("[data-clean-warning]");
  function update() {
    var clean = form.elements.clean && form.elements.clean.checked;
    var proofing = !form.elements.purpose || form.elements.purpose.value !== "delivery";
    if (warn) { warn.hidden = !(clean && proofing); }
  }
  form.addEventListener("change", update);
  update();
});
// Copy buttons (data-copy="ID" copies that field) and the phone's share
// sheet (data-share="ID", shown only where the browser has one).
document.addEventListener("click", function (e) {
  var b = e.target.closest && e.target.closest("[data-copy]");
  if (!b) { return; }
  var field = document.getElementById(b.getAttribute("data-copy"));
  if (!field) { return; }
  var said = b.parentNode.querySelector(".copied") || (b.closest("section") && b.closest("section").querySelector(".copied"));
  function done(ok) {
    if (said) { said.textContent = ok ? "Copied." : "Select the text and copy it."; }
  }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(function () { done(true); }, function () { field.select(); done(false); });
  } else {
    field.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
    done(ok);
  }
});
document.querySelectorAll("[data-share]").forEach(function (b) {
  if (!navigator.share) { return; }
  b.hidden = false;
  b.addEventListener("click", function () {
    var field = document.getElementById(b.getAttribute("data-share"));
    navigator.share({ title: b.getAttribute("data-share-title") || document.title, text: field ? field.value : "" }).catch(function () { /* closed */ });
  });
});
// The phone menu: one button opens and closes the main menu.
(function () {
  var toggle = document.querySelector(".menu-toggle");
  var nav = document.getElementById("main-nav");
  if (!toggle || !nav) { return; }
  toggle.hidden = false;
  toggle.closest("header").classList.add("js-menu");
  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("open", open);
  });
})();
// Tables become cards below tablet width: each cell is labelled with its
// column's heading (a matrix of checkboxes stays a table).
document.querySelectorAll(".table-wrap > table:not(.matrix)").forEach(function (t) {
  var heads = Array.prototype.map.call(t.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
  if (!heads.length) { return; }
  t.classList.add("cards");
  t.querySelectorAll("tbody tr").forEach(function (tr) {
    Array.prototype.forEach.call(tr.children, function (cell, i) {
      if (heads[i] && !cell.hasAttribute("data-label")) { cell.setAttribute("data-label", heads[i]); }
    });
  });
});
// Studio settings: the preview follows the colour and name as they change.
(function () {
  var preview = document.querySelector(".brand-preview");
  if (!preview) { return; }
  var accent = document.querySelector("[data-preview=accent]");
  var name = document.querySelector("[data-preview=name]");
  var shown = preview.querySelector("[data-preview-name]");
  var fallback = shown ? shown.textContent : "";
  function update() {
    if (accent && /^#[0-9a-fA-F]{6}$/.test(accent.value)) { preview.style.setProperty("--preview-accent", accent.value); }
    if (name && shown) { shown.textContent = name.value.trim() || fallback; }
  }
  [accent, name].forEach(function (el) { if (el) { el.addEventListener("input", update); } });
  update();
})();
// The public booking page opens in the visitor's own time zone: without a
// `tz` in the address, the browser's zone is chosen and the page reloaded once.
(function () {
  var form = document.querySelector("form[data-tz-auto]");
  if (!form || /[?&]tz=/.test(location.search)) { return; }
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
  var select = form.querySelector("select[name=tz]");
  if (!zone || !select) { return; }
  var known = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
  if (known && select.value !== zone) { select.value = zone; form.submit(); }
})();

// The pipeline board: a card's stage is picked with its own form (by
// keyboard); dragging a card onto another column fills and sends that form.
// A lost stage asks why before moving.
(function () {
  var board = document.querySelector("[data-board]");
  if (!board) { return; }
  function showReason(form) {
    var stage = form.querySelector("select[name=stage_id]");
    var reason = form.querySelector(".lost-reason");
    var opt = stage.options[stage.selectedIndex];
    var lost = opt && opt.getAttribute("data-kind") === "lost";
    reason.classList.toggle("shown", lost);
    return lost;
  }
  board.querySelectorAll("form.move").forEach(function (form) {
    form.querySelector("select[name=stage_id]").addEventListener("change", function () { showReason(form); });
  });
  var dragged = null;
  board.addEventListener("dragstart", function (e) {
    dragged = e.target.closest(".lead-card");
    if (dragged && e.dataTransfer) { e.dataTransfer.setData("text/plain", dragged.getAttribute("data-lead")); }
  });
  board.querySelectorAll(".board-col").forEach(function (col) {
    col.addEventListener("dragover", function (e) { if (dragged) { e.preventDefault(); col.classList.add("drop"); } });
    col.addEventListener("dragleave", function () { col.classList.remove("drop"); });
    col.addEventListener("drop", function (e) {
      e.preventDefault();
      col.classList.remove("drop");
      if (!dragged || col.contains(dragged)) { dragged = null; return; }
      var form = dragged.querySelector("form.move");
      form.querySelector("select[name=stage_id]").value = col.getAttribute("data-stage");
      dragged = null;
      if (showReason(form)) { form.querySelector(".lost-reason").focus(); return; }
      form.submit();
    });
  });
})();
