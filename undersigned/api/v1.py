"""The versioned JSON API, /api/v1/: its OpenAPI schema and documentation page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

from undersigned.api import errors, partners, public

DESCRIPTION = """\
Petitions, their counts and public signers (no key); partner signing (an API key from
the site's staff). Every error is `{"error": {"code": "…", "message": "…"}}` with a 4xx
status. The guide with examples: docs/api.md in the source.
"""


class LocalSwagger(DocsBase):
    """Swagger UI from the files django-ninja ships, served by this site: the page loads
    nothing from elsewhere (ninja's own page falls back to a CDN)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs) -> HttpResponse:
        context = {"api": api, "openapi_url": self.get_openapi_url(api, kwargs)}
        return render(request, "api/docs.html", context)


api = NinjaAPI(
    title="Undersigned API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs=LocalSwagger(),
)
errors.install(api)
api.add_router("", public.router)
api.add_router("", partners.router)
