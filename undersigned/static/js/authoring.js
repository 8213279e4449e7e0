// The petition form, progressively enhanced: the "Sign this one instead?" list follows
// the title as it is typed. Without this file the list appears once the form is sent
// (saved or previewed), from the same search (petitions/similar.py).
(function () {
  "use strict";

  var box = document.getElementById("similar");
  var title = document.getElementById("id_title");
  if (!box || !title || !window.fetch) { return; }
  var list = box.querySelector("ul");
  var newTab = box.getAttribute("data-new-tab") || "";
  var asked = title.value.trim();
  var timer = null;

  function item(petition) {
    var li = document.createElement("li");
    var link = document.createElement("a");
    link.href = petition.url;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = petition.title;
    var hint = document.createElement("span");
    hint.className = "visually-hidden";
    hint.textContent = " " + newTab;
    link.appendChild(hint);
    var count = document.createElement("span");
    count.className = "muted";
    count.textContent = "· " + petition.signatures;
    li.appendChild(link);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(count);
    return li;
  }

  function show(petitions) {
    list.textContent = "";
    petitions.forEach(function (petition) { list.appendChild(item(petition)); });
    box.hidden = petitions.length === 0;
  }

  function ask() {
    var typed = title.value.trim();
    if (typed === asked) { return; }
    asked = typed;
    if (!typed) { show([]); return; }
    var url = box.getAttribute("data-url") + "?title=" + encodeURIComponent(typed);
    var exclude = box.getAttribute("data-exclude");
    if (exclude) { url += "&exclude=" + encodeURIComponent(exclude); }
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        // An answer to an older title, overtaken by more typing, is dropped.
        if (data && title.value.trim() === typed) { show(data.petitions || []); }
      })
      .catch(function () { /* the list simply stays as it was */ });
  }

  // Ask after a pause in typing, not on every key.
  title.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 500);
  });
})();
