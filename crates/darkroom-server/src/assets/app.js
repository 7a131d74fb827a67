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
