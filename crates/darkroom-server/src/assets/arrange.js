// The gallery page's manual order: drag photos, or use the arrow buttons
// each photo gets (keyboard and touch). "Save this order" sends the page's
// photos in their new order; the server fits them into the whole gallery.
(function () {
  "use strict";
  var grid = document.getElementById("arrange-grid");
  var field = document.getElementById("order-field");
  var save = document.getElementById("save-order");
  if (!grid || !field || !save) return;
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  grid.parentNode.insertBefore(status, grid.nextSibling);

  function items() {
    return Array.prototype.slice.call(grid.querySelectorAll("li[data-id]"));
  }
  function changed(moved) {
    field.value = items().map(function (li) { return li.getAttribute("data-id"); }).join(",");
    save.hidden = false;
    if (moved) {
      var pos = items().indexOf(moved) + 1;
      var name = moved.querySelector(".name");
      status.textContent = (name ? name.textContent.trim() : "Photo") + " moved to position " + pos + ". Save this order to keep it.";
    }
  }
  function move(li, by) {
    var list = items();
    var i = list.indexOf(li);
    var j = i + by;
    if (j < 0 || j >= list.length) return;
    if (by < 0) grid.insertBefore(li, list[j]);
    else grid.insertBefore(li, list[j].nextSibling);
    changed(li);
  }
  var dragged = null;
  items().forEach(function (li) {
    li.setAttribute("draggable", "true");
    var name = (li.querySelector(".name") || {}).textContent || "photo";
    var bar = document.createElement("span");
    bar.className = "move";
    [["←", -1, "earlier"], ["→", 1, "later"]].forEach(function (d) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = d[0];
      b.setAttribute("aria-label", "Move " + name.trim() + " " + d[2]);
      b.addEventListener("click", function () { move(li, d[1]); b.focus(); });
      bar.appendChild(b);
    });
    li.appendChild(bar);
    li.addEventListener("dragstart", function (e) {
      dragged = li;
      li.classList.add("dragging");
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", li.getAttribute("data-id"));
    });
    li.addEventListener("dragend", function () {
      li.classList.remove("dragging");
      dragged = null;
    });
    li.addEventListener("dragover", function (e) {
      if (!dragged || dragged === li) return;
      e.preventDefault();
      var r = li.getBoundingClientRect();
      var after = e.clientX > r.left + r.width / 2;
      grid.insertBefore(dragged, after ? li.nextSibling : li);
    });
    li.addEventListener("drop", function (e) {
      e.preventDefault();
      if (dragged) changed(dragged);
    });
  });
})();
