/* Budget step: row totals, totals, balance and own-funding share follow the typing. A preview
   only: the platform computes the totals again when the budget is saved (what is shown under
   « Totaux enregistrés » is authoritative). Without this script the page works the same. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-budget]");
  if (!form) { return; }
  var live = document.getElementById("budget-live");
  var euros = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });
  var OWN = ["own_resources", "in_kind"];

  /* « 12 500 », « 1 234,50 € », « 20 000,5 » → number; unreadable → null (the server says why). */
  function parse(text) {
    var cleaned = text.replace(/[\s\u00a0\u202f€]/g, "").replace(",", ".");
    if (cleaned === "") { return 0; }
    if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) { return null; }
    return Math.round(parseFloat(cleaned) * 100);
  }
  function show(cents) { return euros.format(cents / 100); }

  function update() {
    var totals = { d: 0, r: 0 }, own = 0, rows = {}, unreadable = false;
    form.querySelectorAll("input[data-cell]").forEach(function (input) {
      var cents = parse(input.value);
      if (cents === null) { unreadable = true; return; }
      var kind = input.getAttribute("data-kind"), category = input.getAttribute("data-category");
      var key = kind + "_" + category;
      rows[key] = (rows[key] || 0) + cents;
      totals[kind] += cents;
      if (kind === "r" && OWN.indexOf(category) !== -1) { own += cents; }
    });
    form.querySelectorAll("[data-row-total]").forEach(function (cell) {
      cell.textContent = show(rows[cell.getAttribute("data-row-total")] || 0);
    });
    var balance = totals.r - totals.d;
    live.querySelector("[data-live=expenses]").textContent = show(totals.d);
    live.querySelector("[data-live=resources]").textContent = show(totals.r);
    live.querySelector("[data-live=balance]").textContent =
      (totals.d === 0 && totals.r === 0) ? "budget vide" :
      balance === 0 ? "équilibré" :
      (balance < 0 ? "il manque " + show(-balance) + " de ressources" : "ressources en excès de " + show(balance));
    live.querySelector("[data-live=share]").textContent = totals.r ?
      (own * 100 / totals.r).toLocaleString("fr-FR", { maximumFractionDigits: 1 }) + " %" : "—";
    live.querySelector("[data-live=note]").hidden = !unreadable;
  }

  live.hidden = false;
  form.addEventListener("input", update);
  update();
})();
