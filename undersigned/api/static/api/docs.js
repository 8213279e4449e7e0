// Swagger UI for /api/v1/docs, from this site's own files. The online validator badge is
// turned off: the page makes no request to any other site.
"use strict";
const root = document.getElementById("swagger-ui");
SwaggerUIBundle({
  url: root.dataset.openapiUrl,
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  deepLinking: true,
  validatorUrl: null,
});
