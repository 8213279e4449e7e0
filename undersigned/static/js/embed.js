// The embeddable widget, two roles in one small file.
//
// 1. On a partner's page, included as
//      <script src="https://SITE/static/js/embed.js" data-petition="12" async></script>
//    (optional data-form="1" for the inline sign form, data-title for the frame's name),
//    it puts an <iframe> of /petitions/12/embed in place of the script tag and keeps
//    its height fitted to the content, from messages sent by the frame itself (checked:
//    right origin, right window).
// 2. Inside that frame (/petitions/<id>/embed, script tag with data-embed-frame), it
//    tells the parent page how tall the content is. Only a number is sent, so "*" as the
//    target origin gives nothing away.
(function () {
  "use strict";

  var TYPE = "undersigned:embed-height";

  function reportHeight() {
    if (window.parent === window) { return; }
    var last = 0;
    var send = function () {
      var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
      if (height !== last) {
        last = height;
        window.parent.postMessage({ type: TYPE, height: height }, "*");
      }
    };
    if (window.ResizeObserver) {
      new ResizeObserver(send).observe(document.documentElement);
    } else {
      window.addEventListener("resize", send);
    }
    window.addEventListener("load", send);
    send();
  }

  function insertFrame(script) {
    var id = parseInt(script.getAttribute("data-petition"), 10);
    if (!id || script.hasAttribute("data-embedded")) { return; }
    script.setAttribute("data-embedded", "");
    var origin = new URL(script.src, document.baseURI).origin;
    var frame = document.createElement("iframe");
    frame.src = origin + "/petitions/" + id + "/embed" +
      (script.getAttribute("data-form") === "1" ? "?form=1" : "");
    frame.title = script.getAttribute("data-title") || "Petition";
    frame.loading = "lazy";
    frame.width = "100%";
    frame.height = script.getAttribute("data-form") === "1" ? "1000" : "340";
    frame.style.border = "0";
    frame.style.width = "100%";
    frame.style.maxWidth = script.getAttribute("data-max-width") || "480px";
    frame.style.display = "block";
    script.parentNode.insertBefore(frame, script.nextSibling);

    window.addEventListener("message", function (event) {
      if (event.origin !== origin || event.source !== frame.contentWindow) { return; }
      var data = event.data;
      if (!data || data.type !== TYPE || typeof data.height !== "number") { return; }
      // Bounds, so a broken frame can neither vanish nor take over the page.
      frame.style.height = Math.max(120, Math.min(data.height, 4000)) + "px";
    });
  }

  var current = document.currentScript;
  if (current && current.hasAttribute("data-embed-frame")) {
    reportHeight();
    return;
  }
  if (current && current.hasAttribute("data-petition")) {
    insertFrame(current);
  }
  // Several widgets on one page, or a loader that lost currentScript: do the rest too.
  var scripts = document.querySelectorAll("script[data-petition]:not([data-embedded])");
  Array.prototype.forEach.call(scripts, function (script) {
    if (/\/js\/embed(\.[0-9a-f]+)?\.js(\?|$)/.test(script.src)) { insertFrame(script); }
  });
})();
