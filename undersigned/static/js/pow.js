// Proof of work for the sign form (undersigned/signatures/pow.py). Invisible and never in the
// way: it starts when someone focuses the form (or after 2 s), solves the challenge in a
// Web Worker while they type, and puts the answer in a hidden field. A form sent before
// that, or without JavaScript, is accepted all the same; the missing proof is only a
// risk signal for moderators.
(function () {
  "use strict";

  var REFRESH_MS = 8 * 60 * 1000; // challenges expire after 10 minutes (pow.TTL)
  var script = document.currentScript;
  var form = document.querySelector("#sign form");
  if (!script || !form || !window.Worker || !window.fetch || !window.crypto || !crypto.subtle) {
    return;
  }
  var challengeUrl = script.getAttribute("data-challenge");
  var workerUrl = script.getAttribute("data-worker");
  if (!challengeUrl || !workerUrl) { return; }

  var field = null;
  var busy = false;
  var refresh = null;

  function put(value) {
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "altcha";
      form.appendChild(field);
    }
    field.value = value;
  }

  function solve(challenge) {
    return new Promise(function (resolve, reject) {
      var worker = new Worker(workerUrl);
      worker.onmessage = function (event) {
        worker.terminate();
        if (event.data) { resolve(event.data); } else { reject(new Error("unsolved")); }
      };
      worker.onerror = function () { worker.terminate(); reject(new Error("worker")); };
      worker.postMessage(challenge.parameters);
    });
  }

  function start() {
    if (busy || (field && field.value)) { return; }
    busy = true;
    fetch(challengeUrl, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("challenge " + response.status); }
        return response.json();
      })
      .then(function (challenge) {
        return solve(challenge).then(function (solution) {
          put(btoa(JSON.stringify({ challenge: challenge, solution: solution })));
          refresh = setTimeout(renew, REFRESH_MS);
        });
      })
      .catch(function () { /* offline or blocked: the next focus tries again */ })
      .then(function () { busy = false; });
  }

  function renew() {
    clearTimeout(refresh);
    if (field) { field.value = ""; }
    start();
  }

  form.addEventListener("focusin", start);
  // Only people who start filling the form fetch a challenge: a crowd reloading the page
  // to watch the count costs the server nothing extra.
  // Back to this page from the next one: that proof was used, so solve a new one.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { renew(); }
  });
})();
