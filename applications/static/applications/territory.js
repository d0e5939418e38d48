/* Type-ahead over /territoires/recherche/ for the territory step. It enhances the plain
   search field: choosing a suggestion adds a checked checkbox to the selection. Without
   JavaScript the "Rechercher" button does the same through the server. */
(function () {
  "use strict";
  var form = document.getElementById("territoire-form");
  if (!form) { return; }
  var input = document.getElementById("recherche-territoire");
  var type = document.getElementById("type-recherche");
  var list = document.getElementById("suggestions");
  var selection = document.getElementById("selection-list");
  var empty = document.getElementById("selection-vide");
  var searchUrl = form.getAttribute("data-search-url");
  var timer = null;
  var active = -1;
  var items = [];

  function close() {
    list.hidden = true;
    list.innerHTML = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
    items = [];
  }

  function add(result) {
    var name = type.value === "epci" ? "epcis" : "communes";
    var id = (name === "epcis" ? "epci-" : "commune-") + result.code;
    var existing = document.getElementById(id);
    if (existing) { existing.checked = true; close(); return; }
    var wrapper = document.createElement("div");
    wrapper.className = "fr-fieldset__element";
    var group = document.createElement("div");
    group.className = "fr-checkbox-group";
    var box = document.createElement("input");
    box.type = "checkbox"; box.name = name; box.value = result.code; box.id = id; box.checked = true;
    var label = document.createElement("label");
    label.className = "fr-label"; label.htmlFor = id;
    label.textContent = (name === "epcis" ? "EPCI : " : "") + result.label;
    group.appendChild(box); group.appendChild(label); wrapper.appendChild(group);
    selection.appendChild(wrapper);
    if (empty) { empty.hidden = true; }
    input.value = "";
    close();
    input.focus();
  }

  function render(results) {
    list.innerHTML = "";
    items = results;
    results.forEach(function (result, index) {
      var option = document.createElement("li");
      option.id = "suggestion-" + index;
      option.setAttribute("role", "option");
      option.textContent = result.label;
      option.addEventListener("mousedown", function (event) { event.preventDefault(); add(result); });
      list.appendChild(option);
    });
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
  }

  function highlight(index) {
    var options = list.querySelectorAll("li");
    options.forEach(function (option, i) { option.setAttribute("aria-selected", i === index ? "true" : "false"); });
    active = index;
    if (options[index]) { input.setAttribute("aria-activedescendant", options[index].id); }
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    var query = input.value.trim();
    if (query.length < 2) { close(); return; }
    timer = window.setTimeout(function () {
      var url = searchUrl + "?type=" + encodeURIComponent(type.value) + "&q=" + encodeURIComponent(query);
      fetch(url, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) { render(data.results || []); })
        .catch(close);
    }, 200);
  });

  input.addEventListener("keydown", function (event) {
    if (list.hidden) { return; }
    if (event.key === "ArrowDown") { event.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(Math.max(active - 1, 0)); }
    else if (event.key === "Enter" && active >= 0) { event.preventDefault(); add(items[active]); }
    else if (event.key === "Escape") { close(); }
  });
  input.addEventListener("blur", function () { window.setTimeout(close, 150); });
})();
