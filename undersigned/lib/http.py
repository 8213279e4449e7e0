"""Small decorators that state a view's contract."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt

from undersigned.lib.middleware import error_page


def same_origin_post(view):
    """CSRF protection for anonymous forms on cacheable pages (sign, confirm, withdraw).

    Those pages carry no per-visitor token, so they can be served from a cache. Browsers
    send Origin (and Sec-Fetch-Site) with every POST: a cross-site one is refused. A client
    that sends neither is not a browser that another site could have steered.
    """

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST" and not _same_origin(request):
            return error_page(request, 403)
        return view(request, *args, **kwargs)

    return wrapper


def _same_origin(request: HttpRequest) -> bool:
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return False
    origin = request.headers.get("Origin")
    if not origin:
        return True
    if origin == "null":
        return False
    allowed = {urlsplit(settings.SITE_URL).netloc, request.get_host()}
    return urlsplit(origin).netloc in allowed


def see_other(to: str, *args, **kwargs) -> HttpResponse:
    """303 See Other: after a POST, the browser GETs the next page (never re-POSTs).

    `to` is a URL name with its arguments, or a path (used as it is, without trying to
    reverse it first)."""
    if to.startswith("/") and not (args or kwargs):
        return HttpResponseRedirect(to, status=303)
    response = redirect(to, *args, **kwargs)
    response.status_code = 303
    return response
