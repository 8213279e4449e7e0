// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Move focus to the error summary so screen readers announce what went wrong.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }

  // Keep the count fresh while the tab is visible. The number is not a live region:
  // announcing every change would drown a screen reader user.
  var block = document.querySelector("[data-count-url]");
  if (block && window.fetch) {
    var url = block.getAttribute("data-count-url");
    var format = new Intl.NumberFormat(document.documentElement.lang || undefined);
    var goal = parseInt(block.getAttribute("data-goal"), 10);
    var refresh = function () {
      if (document.visibilityState !== "visible") { return; }
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          document.querySelectorAll(".count-number").forEach(function (el) {
            el.textContent = format.format(data.signature_count);
          });
          if (data.signature_count >= goal) {  // a crossing: said once, politely
            document.querySelectorAll("[data-count-url] [role=status]").forEach(function (el) {
              el.textContent = el.getAttribute("data-reached").replace("{goal}", format.format(goal));
            });
          }
          goal = data.goal;
          document.querySelectorAll(".goal-bar").forEach(function (bar) {
            bar.max = Math.max(data.goal, data.signature_count);
            bar.value = data.signature_count;
          });
        })
        .catch(function () { /* offline: keep the last number */ });
    };
    setInterval(refresh, 15000);
    document.addEventListener("visibilitychange", refresh);
  }
})();
