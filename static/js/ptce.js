/* Small behaviours of the Plateforme PTCE shell; every page works without them. */
(function () {
  "use strict";

  /* After a failed submission the focus goes to the first error, so keyboard and screen
     reader users land on it (RGAA 11.10, 11.11):
     1. the field the server marked with `autofocus` (PtceForm does it when it renders the
        whole form). Browsers ignore `autofocus` when the address has a fragment (e.g.
        « #contenu » after the « Contenu » skip link, kept by a form without action);
     2. else the first field marked `aria-invalid` (forms rendered field by field);
     3. else an error message: the summary of a form (`role="alert"`) or the message left
        by a refused action (e.g. « Cochez la case de certification… »), made focusable.
     Nothing happens when the person (or the browser) has already put the focus somewhere. */
  function focusFirstError() {
    var active = document.activeElement;
    var main = document.querySelector("main");
    if (active && active !== document.body && active !== main) {
      return;
    }
    var target =
      document.querySelector("main [autofocus]") ||
      document.querySelector('main [aria-invalid="true"]');
    if (!target) {
      target = document.querySelector(
        'body > [role="status"] .fr-alert--error, main [role="alert"].fr-alert--error'
      );
      if (target) {
        target.setAttribute("tabindex", "-1");
      }
    }
    if (target) {
      target.focus();
    }
  }

  /* A DSFR table wider than its container scrolls sideways: keyboard users must be able to
     reach it (RGAA 7.3, axe `scrollable-region-focusable`). Such a container becomes a
     focusable region named by the table's caption; it stops being one when it fits again. */
  function makeScrollableTablesFocusable() {
    var containers = document.querySelectorAll(".fr-table__container");
    Array.prototype.forEach.call(containers, function (container) {
      var scrolls = container.scrollWidth > container.clientWidth + 1;
      var managed = container.hasAttribute("data-ptce-scrollable");
      if (scrolls && !managed) {
        var caption = container.querySelector("caption");
        container.setAttribute("tabindex", "0");
        container.setAttribute("role", "region");
        container.setAttribute(
          "aria-label",
          (caption ? caption.textContent.trim() + " — " : "") + "tableau défilant horizontalement"
        );
        container.setAttribute("data-ptce-scrollable", "");
      } else if (!scrolls && managed) {
        ["tabindex", "role", "aria-label", "data-ptce-scrollable"].forEach(function (name) {
          container.removeAttribute(name);
        });
      }
    });
  }

  /* Committee decision table: a row's reasons field is only needed for a refusal. It is
     hidden while the row's decision is something else and the field is empty and without
     error; choosing « Non retenu » shows it right after the decision (next in tab order).
     Without scripts every row keeps its field. */
  function toggleDecisionReasons() {
    var rows = document.querySelectorAll(".ptce-decision-controls");
    Array.prototype.forEach.call(rows, function (controls) {
      var decision = controls.querySelector('select[name$="-decision"]');
      var group = controls.querySelector(".ptce-decision-reasons");
      if (!decision || !group) {
        return;
      }
      var reasons = group.querySelector("textarea");
      function update() {
        var needed =
          decision.value === "rejected" ||
          (reasons && reasons.value.trim() !== "") ||
          group.classList.contains("fr-input-group--error");
        group.hidden = !needed;
      }
      decision.addEventListener("change", update);
      update();
    });
  }

  function onLoad() {
    focusFirstError();
    makeScrollableTablesFocusable();
  }
  toggleDecisionReasons();

  /* The browser moves the focus to the fragment's target while the page loads: act after. */
  if (document.readyState === "complete") {
    onLoad();
  } else {
    window.addEventListener("load", onLoad);
  }
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(makeScrollableTablesFocusable, 100);
  });
})();
