// The portal's card payment: Stripe.js takes the card in Stripe's own
// frame and confirms the payment there; the card never reaches Darkroom.
// The payment is recorded when Stripe's signed notice arrives.
(function () {
  "use strict";
  var box = document.getElementById("pay");
  if (!box || typeof Stripe !== "function") {
    var s = document.getElementById("pay-status");
    if (s) s.textContent = "The card form could not load. Check your connection and reload the page.";
    return;
  }
  var stripe = Stripe(box.dataset.key);
  var card = stripe.elements().create("card");
  card.mount("#card");
  var form = document.getElementById("pay-form");
  var button = form.querySelector("button[type=submit]");
  var status = document.getElementById("pay-status");
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    button.disabled = true;
    status.textContent = "Paying…";
    stripe
      .confirmCardPayment(box.dataset.secret, { payment_method: { card: card } })
      .then(function (r) {
        if (r.error) {
          status.textContent = (r.error.message || "The payment did not go through.") + " Nothing was charged; try again.";
          button.disabled = false;
          return;
        }
        window.location.assign(box.dataset.done);
      });
  });
})();
