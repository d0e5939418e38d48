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

  /* The browser moves the focus to the fragment's target while the page loads: act after. */
  if (document.readyState === "complete") {
    focusMarkedField();
  } else {
    window.addEventListener("load", focusMarkedField);
  }
})();
