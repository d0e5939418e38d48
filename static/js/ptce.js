/* Small behaviours of the Plateforme PTCE shell; every page works without them. */
(function () {
  "use strict";

  /* After a failed submission the server marks the first field in error with `autofocus`.
     Browsers ignore `autofocus` when the address has a fragment (e.g. « #contenu » after the
     « Contenu » skip link, kept by a form without action): focus that field ourselves. */
  function focusMarkedField() {
    if (!window.location.hash) {
      return;
    }
    var field = document.querySelector("main [autofocus]");
    if (field && document.activeElement !== field) {
      field.focus();
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

  function onLoad() {
    focusMarkedField();
    makeScrollableTablesFocusable();
  }

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
