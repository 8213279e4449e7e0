// Progressive enhancement of the sign form: when the site is too busy to take a signature
// (a fast 503 with Retry-After, undersigned/lib/health.py), send it again by itself
// instead of leaving the signer on an error page with everything to type again.
//
// The form is sent with fetch. A redirect is the server's "signed": go where the form
// would have gone. A 503, or no answer at all, is tried again after growing, jittered
// waits (so a crowd refused together does not come back together), saying so in a
// polite status. Anything else (a form error, a closed petition) is sent again the
// ordinary way, so the signer sees exactly the page a browser without JavaScript shows:
// nothing was written for it (busy answers come before Django, and a form with errors
// writes no row), and signing twice never counts twice anyway.
(function () {
  "use strict";

  var TRIES = 8; // about two minutes of waiting in all, then the signer decides
  var form = document.querySelector("#sign form[data-signed]");
  var status = document.querySelector("#sign .sign-status");
  if (!form || !status || !window.fetch || !window.FormData || !window.Promise) { return; }
  var sending = false;

  function say(key, seconds) {
    status.textContent = status.getAttribute(key).replace("{seconds}", seconds);
  }

  function wait(response, attempt) {
    var asked = response ? parseInt(response.headers.get("Retry-After"), 10) : NaN;
    var base = Math.max(isNaN(asked) ? 2 : asked, 2) * Math.pow(1.6, attempt);
    return Math.min(base, 30) * (0.5 + Math.random());
  }

  // The button pressed, when it carries an answer ("Did you mean …?": use the suggestion,
  // or keep the address). FormData(form) and form.submit() both leave a button out, so
  // its name and value go into a hidden field that both send.
  function carry(button) {
    var kept = form.querySelector("input[data-pressed]");
    if (kept) { kept.parentNode.removeChild(kept); }
    if (!button || !button.name) { return; }
    var field = document.createElement("input");
    field.type = "hidden";
    field.name = button.name;
    field.value = button.value;
    field.setAttribute("data-pressed", "");
    form.appendChild(field);
  }

  var pressed = null; // for browsers without SubmitEvent.submitter
  form.addEventListener("click", function (event) {
    var target = event.target;
    pressed = target && target.closest ? target.closest("button") : null;
  });

  function send(attempt) {
    var body = new FormData(form);
    return fetch(form.action, {
      method: "POST", body: body, redirect: "manual", credentials: "same-origin",
      headers: { Accept: "text/html" },
    }).then(function (response) {
      if (response.type === "opaqueredirect") {
        window.location.assign(form.getAttribute("data-signed"));
        return;
      }
      if (response.status !== 503) {
        sending = false;
        form.submit(); // the ordinary way: the browser shows what the server says
        return;
      }
      retry(response, attempt);
    }, function () {
      retry(null, attempt);
    });
  }

  function retry(response, attempt) {
    if (attempt + 1 >= TRIES) {
      sending = false;
      say("data-gave-up", "");
      return;
    }
    var seconds = wait(response, attempt);
    say(response ? "data-busy" : "data-offline", Math.ceil(seconds));
    setTimeout(function () { send(attempt + 1); }, seconds * 1000);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) { return; } // a second press while we are trying: one signature is enough
    sending = true;
    status.textContent = "";
    carry(event.submitter || pressed);
    send(0);
  });
})();
