// Share panel, progressively enhanced: every link and the read-only address already work
// without this file. It shows a "Copy" button next to each read-only box, and the native
// share sheet button only where the browser has one (navigator.share).
(function () {
  "use strict";

  function statusFor(el) {
    var root = el.closest("[data-share-root]") || el.closest(".share-kit") || document;
    return root.querySelector(".share-status");
  }

  function say(el, key) {
    var status = statusFor(el);
    if (status) { status.textContent = status.getAttribute(key) || ""; }
  }

  function copyFrom(box) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(box.value);
    }
    // Plain http (a test or intranet site): the older API still works on a selection.
    box.focus();
    box.select();
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject();
  }

  document.querySelectorAll("[data-copy]:not([data-bound])").forEach(function (button) {
    var box = document.getElementById(button.getAttribute("data-copy"));
    if (!box) { return; }
    button.setAttribute("data-bound", "");
    button.hidden = false;
    button.addEventListener("click", function () {
      copyFrom(box).then(
        function () { say(button, "data-copied"); },
        function () { box.select(); say(button, "data-failed"); }
      );
    });
  });

  // Clicking into a read-only box selects it all: one step less to copy by hand.
  document.querySelectorAll(".share-url, .share-code").forEach(function (box) {
    box.addEventListener("focus", function () { box.select(); });
  });

  if (navigator.share) {
    document.querySelectorAll("[data-native-share]:not([data-bound])").forEach(function (button) {
      button.setAttribute("data-bound", "");
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.share({
          title: button.getAttribute("data-title"),
          url: button.getAttribute("data-url")
        }).catch(function () { /* dismissed: nothing to say */ });
      });
    });
  }
})();
