"""Everything under /api/: the versioned API, the OSDI view, and a JSON 404 for the rest."""

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path

from undersigned.api import osdi
from undersigned.api.errors import json_errors, not_found
from undersigned.api.v1 import api
from undersigned.lib.methods import require_safe


def _json_errors_everywhere(urls: tuple) -> tuple:
    """ninja's views, each wrapped so that no answer under /api/ is an HTML page."""
    patterns, app_name, namespace = urls
    for pattern in patterns:
        pattern.callback = json_errors(pattern.callback)
    return patterns, app_name, namespace


@json_errors
@require_safe
def index(request: HttpRequest) -> JsonResponse:
    site = settings.SITE_URL
    return JsonResponse(
        {
            "v1": f"{site}/api/v1/",
            "openapi": f"{site}/api/v1/openapi.json",
            "docs": f"{site}/api/v1/docs",
            "osdi": f"{site}/api/osdi/v1/",
        }
    )


urlpatterns = [
    path("", index),
    path("v1/", _json_errors_everywhere(api.urls)),
    path("osdi/v1/", include(osdi)),
    re_path(r"", not_found),
]
