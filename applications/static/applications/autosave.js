/* Timed autosave of the long texts of the project step: every 20 seconds, only the fields
   changed since the last save are sent. The form still works without this script. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form) { return; }
  var url = form.getAttribute("data-autosave-url");
  var status = document.getElementById("autosave-status");
  var fields = form.querySelectorAll("[data-autosave]");
  var dirty = {};
  var token = form.querySelector("input[name=csrfmiddlewaretoken]");

  fields.forEach(function (field) {
    field.addEventListener("input", function () { dirty[field.name] = true; });
  });

  function say(text) { if (status) { status.textContent = text; } }

  function save() {
    var names = Object.keys(dirty);
    if (!names.length) { return; }
    var body = new FormData();
    names.forEach(function (name) { body.append(name, form.elements[name].value); });
    dirty = {};
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (result.ok) {
        say("Textes enregistrés automatiquement à " + result.data.saved_at + ".");
      } else {
        names.forEach(function (name) { dirty[name] = true; });
        say(result.data.message + " Vos textes restent dans la page : cliquez sur « Enregistrer ».");
      }
    }).catch(function () {
      names.forEach(function (name) { dirty[name] = true; });
      say("Enregistrement automatique impossible pour l’instant (connexion ?) ; vos textes restent dans la page.");
    });
  }

  window.setInterval(save, 20000);
})();
