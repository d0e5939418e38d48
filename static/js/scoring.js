/* Scoring page (reviews/score.html): the weighted total is recomputed as notes are chosen,
   and each criterion shows the descriptor of the note pointed at, focused or chosen.
   Progressive enhancement: without this script the page shows the total of the notes last
   sent, and the server recomputes it on save (reviews/scoring.py is authoritative).
   Same rule as the server: Σ(weight × note) / Σ(weight) over the criteria scored so far,
   rounded half-up to 0.01 — computed in integers (weights in hundredths), so exactly. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-ptce-scoring]");
  if (!form) {
    return;
  }
  var groups = form.querySelectorAll("fieldset[data-ptce-weight]");
  var totals = document.querySelectorAll("[data-ptce-total]");
  var labels = document.querySelectorAll("[data-ptce-total-label]");

  function format(hundredths) {
    var units = Math.floor(hundredths / 100);
    var cents = String(hundredths % 100);
    return units + "," + (cents.length < 2 ? "0" + cents : cents);
  }

  function update() {
    var weighted = 0;
    var weights = 0;
    var scored = 0;
    Array.prototype.forEach.call(groups, function (group) {
      var checked = group.querySelector('input[type="radio"]:checked');
      if (!checked) {
        return;
      }
      var weight = parseInt(group.getAttribute("data-ptce-weight"), 10);
      var note = parseInt(checked.value, 10);
      if (isNaN(weight) || isNaN(note)) {
        return;
      }
      weighted += weight * note;
      weights += weight;
      scored += 1;
    });
    /* round(x × 100) half-up for x = weighted / weights ≥ 0, in integers. */
    var text = weights > 0 ? format(Math.floor((200 * weighted + weights) / (2 * weights))) : "—";
    var label = scored === groups.length ? "Note pondérée :" : "Note pondérée provisoire :";
    Array.prototype.forEach.call(totals, function (element) {
      element.textContent = text;
    });
    Array.prototype.forEach.call(labels, function (element) {
      element.textContent = label;
    });
  }

  /* The descriptor line of a criterion (visual only: each radio's name already carries its
     descriptor for screen readers): the note under the pointer or the keyboard focus, else
     the note chosen. */
  function showLevel(group, radio) {
    var line = group.querySelector("[data-ptce-level]");
    if (!line) {
      return;
    }
    radio = radio || group.querySelector('input[type="radio"]:checked');
    line.textContent = "";
    if (!radio || !radio.getAttribute("data-ptce-descriptor")) {
      return;
    }
    var note = document.createElement("strong");
    note.textContent = radio.value;
    line.appendChild(note);
    line.appendChild(document.createTextNode(" — " + radio.getAttribute("data-ptce-descriptor")));
  }

  function radioOf(target) {
    if (!target || !target.closest) {
      return null;
    }
    var group = target.closest(".fr-radio-group");
    return group ? group.querySelector('input[type="radio"]') : null;
  }

  Array.prototype.forEach.call(groups, function (group) {
    group.addEventListener("mouseover", function (event) {
      var radio = radioOf(event.target);
      if (radio) {
        showLevel(group, radio);
      }
    });
    group.addEventListener("mouseleave", function () {
      showLevel(group, group.contains(document.activeElement) ? radioOf(document.activeElement) : null);
    });
    group.addEventListener("focusin", function (event) {
      if (event.target.type === "radio") {
        showLevel(group, event.target);
      }
    });
    group.addEventListener("focusout", function () {
      showLevel(group, null);
    });
  });

  form.addEventListener("change", function (event) {
    if (event.target && event.target.type === "radio") {
      update();
      showLevel(event.target.closest("fieldset"), event.target);
    }
  });
  update();
})();
