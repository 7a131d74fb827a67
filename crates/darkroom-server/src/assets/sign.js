// The signing page: draw a signature with a finger, a pen or the mouse
// (pointer events), or type it. The drawing goes with the form as a PNG.
(function () {
  var form = document.getElementById("sign-form");
  if (!form) return;
  var box = form.querySelector("[data-draw]");
  var typed = form.querySelector("input[name=typed]");
  var typedField = typed ? typed.closest(".field") : null;
  var canvas = form.querySelector("canvas");
  var hidden = form.querySelector("input[name=drawn]");
  var ctx = canvas.getContext("2d");
  var drawing = false, marked = false;
  ctx.lineWidth = 3; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#111";
  function at(e) {
    var r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
  }
  canvas.addEventListener("pointerdown", function (e) {
    drawing = true;
    try { canvas.setPointerCapture(e.pointerId); } catch (_) { /* a pointer that is already gone */ }
    var p = at(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]); e.preventDefault();
  });
  canvas.addEventListener("pointermove", function (e) {
    if (!drawing) return;
    var p = at(e); ctx.lineTo(p[0], p[1]); ctx.stroke(); marked = true; e.preventDefault();
  });
  ["pointerup", "pointercancel", "pointerleave"].forEach(function (t) {
    canvas.addEventListener(t, function () { drawing = false; });
  });
  form.querySelector("[data-clear]").addEventListener("click", function () {
    ctx.clearRect(0, 0, canvas.width, canvas.height); marked = false; hidden.value = "";
  });
  function mode() {
    var k = form.querySelector("input[name=kind]:checked");
    var draw = k && k.value === "drawn";
    box.hidden = !draw;
    if (typedField) typedField.hidden = draw;
  }
  form.querySelectorAll("input[name=kind]").forEach(function (r) { r.addEventListener("change", mode); });
  mode();
  form.addEventListener("submit", function () {
    var k = form.querySelector("input[name=kind]:checked");
    hidden.value = k && k.value === "drawn" && marked ? canvas.toDataURL("image/png") : "";
  });
})();
