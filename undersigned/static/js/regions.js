// Progressive enhancement of the sign form's region list: when the signer picks another
// country, offer that country's regions at once. Without this script the form offers
// the regions of the country it was drawn with, and says so if the two disagree.
(function () {
  "use strict";

  var region = document.querySelector("#sign select[name=region][data-regions]");
  var country = document.querySelector("#sign select[name=country]");
  if (!region || !country || !window.fetch) { return; }

  function fill(choices) {
    var first = region.options[0];
    while (region.options.length > 1) { region.remove(1); }
    choices.forEach(function (choice) {
      region.add(new Option(choice[1], choice[0]));
    });
    region.value = "";
    first.selected = true;
  }

  country.addEventListener("change", function () {
    if (!country.value) { fill([]); return; }
    var address = region.getAttribute("data-regions").replace("COUNTRY", country.value);
    fetch(address, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { choices: [] }; })
      .then(function (data) { fill(data.choices || []); })
      .catch(function () { /* the form still works: the server checks the region */ });
  });
})();
