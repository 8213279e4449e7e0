// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Move focus to the error summary so screen readers announce what went wrong.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }

  // Keep the count fresh while the tab is visible. The server renders the block again
  // (petitions/<id>/count, in the page's language), so that "1 person", "2 people" and
  // the words of every other language follow the number. Only the status line below the
  // block is a live region, and it speaks once, when a goal is passed: announcing every
  // change would drown a screen reader user.
  var first = document.querySelector("[data-count-url]");
  if (first && window.fetch && window.DOMParser) {
    var url = first.getAttribute("data-count-url");
    var refresh = function () {
      if (document.visibilityState !== "visible") { return; }
      fetch(url, { headers: { Accept: "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          var fresh = html && new DOMParser().parseFromString(html, "text/html")
            .querySelector("[data-count-url]");
          if (!fresh) { return; }
          document.querySelectorAll("[data-count-url]").forEach(function (block) {
            var passed = parseInt(fresh.getAttribute("data-goal"), 10) >
              parseInt(block.getAttribute("data-goal"), 10);
            var status = block.querySelector("[role=status]");
            if (passed && status) { status.textContent = block.getAttribute("data-reached"); }
            ["data-goal", "data-reached"].forEach(function (name) {
              block.setAttribute(name, fresh.getAttribute(name));
            });
            var parts = block.querySelector(".count-parts");
            parts.replaceWith(document.importNode(fresh.querySelector(".count-parts"), true));
          });
        })
        .catch(function () { /* offline: keep the last count */ });
    };
    setInterval(refresh, 15000);
    document.addEventListener("visibilitychange", refresh);
  }
})();
